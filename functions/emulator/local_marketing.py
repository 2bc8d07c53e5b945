"""``mgr emulator --marketing``: the local fake SendGrid Marketing and Beehiiv APIs wired to the functions.

Without it, marketing calls in development are recorded in ``marketing-local`` (Firestore) and a
campaign lands in the local mailbox. With it, the functions get ``SENDGRID_API_HOST`` /
``BEEHIIV_API_BASE`` pointing at the fakes (and test keys unless the project has its own), so the
real provider code runs end to end; transactional e-mail stays in the local mailbox. What the fakes
hold: ``GET {sendgrid}/_fake/marketing`` and ``GET {beehiiv}/_fake/state``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from functions.testing.test_env import BEEHIIV_FAKE_PORT, SENDGRID_FAKE_PORT

LOCAL_SENDGRID_KEY = "SG.local-fake"
LOCAL_BEEHIIV_KEY = "bh-local-fake"
LOCAL_MARKETING_NOTE = "contacts and campaigns: GET /_fake/marketing (SendGrid), /_fake/state (Beehiiv)"


def marketing_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    base = dict(base or {})
    return {
        "BEM_EMAIL_PROVIDER": "mailbox",
        "SENDGRID_API_HOST": f"http://127.0.0.1:{SENDGRID_FAKE_PORT}",
        "SENDGRID_API_KEY": base.get("SENDGRID_API_KEY") or os.environ.get("SENDGRID_API_KEY") or LOCAL_SENDGRID_KEY,
        "BEEHIIV_API_BASE": f"http://127.0.0.1:{BEEHIIV_FAKE_PORT}/v2",
        "BEEHIIV_API_KEY": base.get("BEEHIIV_API_KEY") or os.environ.get("BEEHIIV_API_KEY") or LOCAL_BEEHIIV_KEY,
    }


@dataclass
class LocalMarketing:
    sendgrid: Any
    beehiiv: Any

    def stop(self) -> None:
        self.sendgrid.stop()
        self.beehiiv.stop()


def start_local_marketing(root: Path, *, sendgrid_port: int = SENDGRID_FAKE_PORT, beehiiv_port: int = BEEHIIV_FAKE_PORT) -> LocalMarketing:
    """Start both fakes; the SendGrid one knows the brand's Sender Identities (as onboarding creates them)."""
    from functions.config import CONFIG_FILE, load_config
    from functions.email.senders import SENDERS
    from functions.testing.beehiiv_fake import BeehiivFake
    from functions.testing.sendgrid_fake import SendGridFake

    config = load_config(Path(root) / CONFIG_FILE)
    sendgrid = SendGridFake(port=sendgrid_port).start()
    domain = config.brand.contact.email.rpartition("@")[2]
    if domain:
        for kind in SENDERS.values():
            sendgrid.add_sender(f"{kind.local_part}@{domain}")
    try:
        beehiiv = BeehiivFake(port=beehiiv_port).start()
    except OSError:
        sendgrid.stop()
        raise
    return LocalMarketing(sendgrid, beehiiv)
