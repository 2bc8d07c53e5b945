"""``mgr emulator --paypal``: the local fake PayPal REST API wired to the functions (no account needed).

The functions get ``PAYPAL_API_BASE`` (the fake), its client id/secret and ``PAYPAL_WEBHOOK_ID``;
the fake (functions/testing/paypal_fake.py) is seeded with a plan for every priced frequency of
each config product with ``paypal.productId``, so ``payments/intent {processor: "paypal"}`` works.
``mgr test`` starts its own fake on the same port (``functions/testing/test_env.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from functions.testing.paypal_fake import PayPalFake


def paypal_env() -> dict[str, str]:
    from functions.testing.paypal_fake import CLIENT_ID, CLIENT_SECRET, WEBHOOK_ID
    from functions.testing.test_env import PAYPAL_FAKE_PORT

    return {"PAYPAL_API_BASE": f"http://127.0.0.1:{PAYPAL_FAKE_PORT}", "PAYPAL_CLIENT_ID": CLIENT_ID,
            "PAYPAL_CLIENT_SECRET": CLIENT_SECRET, "PAYPAL_WEBHOOK_ID": WEBHOOK_ID}


def start_local_paypal(root: Path, port: int | None = None) -> PayPalFake:
    from functions.config import CONFIG_FILE, load_config
    from functions.testing.paypal_fake import PayPalFake
    from functions.testing.test_env import PAYPAL_FAKE_PORT

    fake = PayPalFake(port=PAYPAL_FAKE_PORT if port is None else port).start()
    fake.seed(load_config(Path(root) / CONFIG_FILE))
    return fake
