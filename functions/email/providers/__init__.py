"""Providers deliver built messages. One file per provider; each has ``name`` and ``deliver``.

``deliver(messages) -> list[Delivery]`` (same order). A provider may send several messages in
one request (SendGrid personalizations). ``Delivery.retry`` marks failures worth retrying
(5xx, timeouts, connection errors); other failures are final (4xx, not configured).

Choice (``choose``): ``manager.services["email_provider"]`` when a test or project declares one;
else ``BEM_EMAIL_PROVIDER`` (env) or ``email.provider`` (config): ``sendgrid`` | ``mailbox`` |
``auto`` — SendGrid (host ``SENDGRID_API_HOST``, timeout ``SENDGRID_API_TIMEOUT`` seconds or
``email.apiTimeoutSeconds``) when ``SENDGRID_API_KEY`` is set, the local mailbox in development and
testing, and in production without a key ``not-configured`` (every message recorded failed).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any, Protocol

from functions.config.secrets import secret

log = logging.getLogger("bem.email")


@dataclass(frozen=True)
class Delivery:
    ok: bool
    provider_message_id: str | None = None
    error: str | None = None
    status: int | None = None
    retry: bool = False
    where: str | None = None  # e.g. "emails-mailbox/{id}" for the local mailbox


class Provider(Protocol):
    name: str

    def deliver(self, messages: list[Any]) -> list[Delivery]: ...


class NotConfigured:
    """Production without ``SENDGRID_API_KEY``: nothing is sent, each message fails visibly."""

    name = "not-configured"

    def deliver(self, messages: list[Any]) -> list[Delivery]:
        log.error("e-mail not sent: SENDGRID_API_KEY is not set (%d message(s) recorded failed: not-configured)", len(messages))
        return [Delivery(ok=False, error="not-configured") for _ in messages]


def choose(manager: Any) -> Provider:
    declared = manager.services.get("email_provider")
    if declared is not None:
        return declared
    wanted = os.environ.get("BEM_EMAIL_PROVIDER") or manager.config.email.provider
    key = secret("SENDGRID_API_KEY")
    if wanted == "sendgrid" or (wanted == "auto" and key):
        if not key:
            return NotConfigured()
        from functions.email.providers.sendgrid import SendGrid

        timeout = float(os.environ.get("SENDGRID_API_TIMEOUT") or manager.config.email.api_timeout_seconds)
        return SendGrid.shared(key, os.environ.get("SENDGRID_API_HOST") or "https://api.sendgrid.com",
                               timeout=timeout, batch_size=manager.config.email.batch_size)
    if wanted == "mailbox" or manager.environment != "production":
        from functions.email.providers.mailbox import Mailbox

        return Mailbox(manager.db)
    return NotConfigured()
