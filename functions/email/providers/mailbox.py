"""The local mailbox: in development and testing without a SendGrid key, messages land in
``emails-mailbox/{id}`` fully rendered (``mgr mail list|show ID|open ID`` reads them)."""

from __future__ import annotations

import logging
from typing import Any

from functions.email.providers import Delivery
from functions.timestamps import stamp_now

COLLECTION = "emails-mailbox"
log = logging.getLogger("bem.email")


class Mailbox:
    name = "mailbox"

    def __init__(self, db: Any) -> None:
        self.db = db

    def deliver(self, messages: list[Any]) -> list[Delivery]:
        results = []
        batch = self.db.batch()
        for message in messages:
            batch.set(self.db.collection(COLLECTION).document(message.id), {
                "id": message.id, **message.request(), "html": message.filled(message.html),
                "text": message.filled(message.text), "created": stamp_now(),
            })
            where = f"{COLLECTION}/{message.id}"
            log.info("e-mail '%s' to %s delivered to the local mailbox %s (mgr mail show %s)",
                     message.subject, ", ".join(a.email for a in message.to), where, message.id)
            results.append(Delivery(ok=True, provider_message_id=message.id, where=where))
        batch.commit()
        return results
