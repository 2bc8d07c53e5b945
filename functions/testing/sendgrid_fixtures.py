"""pytest fixtures for e-mail (loaded by the ``bem`` plugin).

- ``sendgrid_fake``: one ``SendGridFake`` per session (ephemeral port), reset per test; points
  the library at it (``BEM_EMAIL_PROVIDER=sendgrid``, ``SENDGRID_API_HOST``, a test key) and
  sets ``UNSUBSCRIBE_HMAC_KEY``. Depends on ``manager`` so these win over the unit env.
- ``mailbox``: the local mailbox (``emails-mailbox``) as a list of rendered messages.
SendGrid is faked only at HTTP: the real SDK builds and sends every request.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from functions.testing.sendgrid_fake import SendGridFake

SENDGRID_TEST_KEY = "SG.test-key"
UNSUBSCRIBE_TEST_KEY = "test-unsubscribe-hmac-key"


@pytest.fixture(scope="session")
def _sendgrid_fake_server() -> Iterator[SendGridFake]:
    fake = SendGridFake(port=int(os.environ.get("BEM_SENDGRID_FAKE_PORT", "0"))).start()
    yield fake
    fake.stop()


@pytest.fixture
def sendgrid_fake(_sendgrid_fake_server: SendGridFake, manager: Any, monkeypatch: pytest.MonkeyPatch) -> SendGridFake:
    from functions.marketing.providers import forget_clients

    _sendgrid_fake_server.reset()
    forget_clients()  # marketing: field/segment/sender ids cached for the previous test's account
    domain = manager.config.brand.contact.email.rpartition("@")[2]
    for local_part in ("offers", "hello", "newsletter", "orders", "account", "security", "alerts"):
        _sendgrid_fake_server.add_sender(f"{local_part}@{domain}")  # Sender Identities, as the brand's onboarding creates them
    monkeypatch.setenv("BEM_EMAIL_PROVIDER", "sendgrid")
    monkeypatch.setenv("SENDGRID_API_HOST", _sendgrid_fake_server.url)
    monkeypatch.setenv("SENDGRID_API_KEY", SENDGRID_TEST_KEY)
    monkeypatch.setenv("SENDGRID_API_TIMEOUT", "0.5")
    monkeypatch.setenv("UNSUBSCRIBE_HMAC_KEY", UNSUBSCRIBE_TEST_KEY)
    return _sendgrid_fake_server


class Mailbox:
    """The local mailbox's messages (``emails-mailbox``), newest last."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def messages(self) -> list[dict]:
        docs = [s.to_dict() for s in self.db.collection("emails-mailbox").get()]
        return sorted(docs, key=lambda d: (d.get("created") or {}).get("timestamp", ""))

    def to(self, email: str) -> list[dict]:
        return [m for m in self.messages() if any(a["email"] == email for a in m.get("to", []))]


@pytest.fixture
def mailbox(manager: Any, monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    monkeypatch.setenv("UNSUBSCRIBE_HMAC_KEY", UNSUBSCRIBE_TEST_KEY)
    return Mailbox(manager.db)


__all__ = ["_sendgrid_fake_server", "mailbox", "sendgrid_fake"]
