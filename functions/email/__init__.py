"""Transactional e-mail (BEM's ``Manager.Email``): ``manager.email.send(...)`` / ``.build(...)``.

    manager.email.send(to="uid-or-address", subject="Welcome", template="card", sender="hello",
                       data={"content": {"title": "Hi", "message": "**markdown**"}},
                       idempotency_key=f"signup:{uid}:welcome")

Settings are BEM's (``to``/``cc``/``bcc``, ``from``, ``replyTo``, ``sender``, ``group``, ``subject``,
``template``, ``data``, ``categories``, ``sendAt``, ``copy``, ``html``, ``utm``), as a dict or as
keywords. Bad settings raise ``EmailInputError`` (400, names the field) before anything happens.
A send caused by an event passes ``idempotency_key``: the same key never sends twice (ledger in
``emails/{id}``, see ledger.py). ``sendAt`` beyond the provider's window goes to ``emails-queue``.
Nothing here imports an SDK: the provider is chosen and loaded on the first send (docs/email.md).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from typing import Any

from functions.email import ledger, queue
from functions.email.errors import EmailInputError
from functions.email.message import Message, build

log = logging.getLogger("bem.email")

__all__ = ["Email", "EmailInputError", "Message", "SendResult"]


@dataclass(frozen=True)
class SendResult:
    status: str  # sent | queued | retrying | failed | sending (a duplicate still in flight)
    id: str
    provider: str | None = None
    provider_message_id: str | None = None
    error: str | None = None
    duplicate: bool = False
    where: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("sent", "queued", "retrying", "sending")

    def dump(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_record(cls, record: dict, duplicate: bool) -> SendResult:
        return cls(status=record.get("status") or "sending", id=record.get("id") or "", provider=record.get("provider"),
                   provider_message_id=record.get("providerMessageId"), error=record.get("error"), duplicate=duplicate,
                   where=record.get("where"))


class Email:
    """The e-mail library bound to one Manager (``manager.email``)."""

    def __init__(self, manager: Any) -> None:
        self.manager = manager
        from functions.config.secrets import secret

        if manager.environment == "production" and not secret("SENDGRID_API_KEY") and manager.config.email.provider != "mailbox":
            log.warning("SENDGRID_API_KEY is not set: every e-mail is recorded failed (not-configured) until it is")

    @property
    def db(self) -> Any:
        return self.manager.db

    @property
    def window_seconds(self) -> int:
        return self.manager.config.email.send_at_limit_hours * 3600

    def provider(self) -> Any:
        from functions.email.providers import choose

        return choose(self.manager)

    def build(self, settings: dict | None = None, *, idempotency_key: str | None = None, **fields: Any) -> Message:
        """Validate and render without sending (raises ``EmailInputError``)."""
        return build(self.manager, {**(settings or {}), **fields}, key=idempotency_key)

    def send(self, settings: dict | None = None, *, idempotency_key: str | None = None, **fields: Any) -> SendResult:
        """Build and send now, or queue when ``sendAt`` is beyond the provider's window."""
        message = self.build(settings, idempotency_key=idempotency_key, **fields)
        now = int(time.time())
        if message.send_at and message.send_at >= now + self.window_seconds:
            created = queue.enqueue(self.db, message, send_at=message.send_at)
            log.info("e-mail '%s' queued in %s/%s for %s", message.subject, queue.COLLECTION, message.id, message.send_at)
            return SendResult(status="queued", id=message.id, duplicate=not created, where=f"{queue.COLLECTION}/{message.id}")
        provider = self.provider()
        existing = ledger.claim(self.db, message, provider.name)
        if existing is not None:
            log.info("e-mail %s (key %s) already %s: not sent again", message.id, idempotency_key, existing.get("status"))
            return SendResult.from_record(existing, duplicate=True)
        delivery = provider.deliver([message])[0]
        ledger.complete(self.db, message.id, delivery, provider.name)
        if delivery.retry:
            queue.enqueue(self.db, message, send_at=now, retries=1, last_error=delivery.error)
            log.warning("e-mail %s not accepted (%s): queued for retry in %s", message.id, delivery.error, queue.COLLECTION)
            return SendResult(status="retrying", id=message.id, provider=provider.name, error=delivery.error)
        if not delivery.ok:
            log.error("e-mail %s '%s' failed: %s", message.id, message.subject, delivery.error)
            return SendResult(status="failed", id=message.id, provider=provider.name, error=delivery.error)
        if provider.name != "mailbox":
            log.info("e-mail %s '%s' sent through %s (%s)", message.id, message.subject, provider.name, delivery.provider_message_id)
        return SendResult(status="sent", id=message.id, provider=provider.name,
                          provider_message_id=delivery.provider_message_id, where=delivery.where)

    def drain_queue(self, now: Any, limit: int = queue.DRAIN_LIMIT) -> queue.DrainSummary:
        return queue.drain(self, now, limit)
