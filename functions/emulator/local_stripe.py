"""``mgr emulator --stripe`` / ``mgr stripe fake``: the local fake Stripe API wired to the functions.

The functions get ``STRIPE_API_BASE`` (the fake), a ``STRIPE_SECRET_KEY`` test value and the
``STRIPE_WEBHOOK_SECRET`` the fake signs its events with; the fake is seeded with the config's
products and prices and delivers events to ``bm_api``'s Stripe webhook.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from functions.emulator.urls import EmulatorUrls
    from functions.testing.stripe_local import LocalStripe

STRIPE_FAKE_PORT = 12111
LOCAL_SECRET_KEY = "sk_test_local_fake"
WEBHOOK_PATH = "/bm_api/backend-manager/payments/webhook?processor=stripe"
LOCAL_STRIPE_NOTE = "pay a checkout: `mgr stripe pay <session id>`"


def stripe_env(root: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """What the functions need to use the fake. A webhook secret already configured is kept.

    firebase-tools lets the functions' ``.env`` win over the environment, so a secret in ``.env``
    is the one the functions verify with: the fake signs with that one.
    """
    from dotenv import dotenv_values

    base = dict(base or {})
    dotenv = {} if base.get("BEM_TESTING") else dotenv_values(Path(root) / ".env")
    secret = (base.get("STRIPE_WEBHOOK_SECRET") or dotenv.get("STRIPE_WEBHOOK_SECRET")
              or os.environ.get("STRIPE_WEBHOOK_SECRET") or f"whsec_local_{secrets.token_hex(16)}")
    return {
        "STRIPE_API_BASE": f"http://127.0.0.1:{STRIPE_FAKE_PORT}",
        "STRIPE_SECRET_KEY": base.get("STRIPE_SECRET_KEY") or os.environ.get("STRIPE_SECRET_KEY") or LOCAL_SECRET_KEY,
        "STRIPE_WEBHOOK_SECRET": secret,
    }


def hidden_by_dotenv(root: Path, names: list[str]) -> list[str]:
    """Names that ``.env`` sets to an empty value: firebase-tools would hand the functions that empty value."""
    from dotenv import dotenv_values

    values = dotenv_values(Path(root) / ".env")
    return [name for name in names if name in values and not values[name]]


def start_local_stripe(root: Path, urls: EmulatorUrls | None, webhook_secret: str, webhook_url: str | None = None,
                       port: int = STRIPE_FAKE_PORT) -> LocalStripe:
    """Start the fake on ``port``, seeded from the project's config, delivering to ``bm_api``."""
    from functions.config import CONFIG_FILE, load_config
    from functions.testing.stripe_fake import StripeFake
    from functions.testing.stripe_local import LocalStripe

    if webhook_url is None:
        if urls is None or urls.functions is None:
            raise OSError("the functions emulator is not running: nowhere to deliver Stripe events")
        webhook_url = urls.functions + WEBHOOK_PATH
    local = LocalStripe(StripeFake(port=port).start(), webhook_url, webhook_secret)
    local.seed(load_config(Path(root) / CONFIG_FILE))
    return local
