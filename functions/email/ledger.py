"""Exactly once: the ``emails/{id}`` record is both the audit trail and the send ledger.

``claim`` creates the record (``status: sending``) BEFORE the provider is called; the id is
derived from the idempotency key, so a second delivery of the same cause finds the record and
gets the first result instead of sending again. ``complete`` records the outcome after.
A crash between the provider call and ``complete`` leaves ``sending``: a later duplicate does
not re-send (at most once for that window; the record shows what happened).

Statuses: ``sending`` → ``sent`` | ``failed`` (final, with ``error``) | ``retrying`` (a 5xx or
timeout: the message waits in ``emails-queue`` and the queue completes this record).
"""

from __future__ import annotations

from typing import Any

from functions.email.providers import Delivery
from functions.timestamps import stamp_now

COLLECTION = "emails"


def record(message: Any, status: str, provider: str) -> dict:
    now = stamp_now()
    return {"id": message.id, "key": message.key, "status": status, "provider": provider, "request": message.request(),
            "body": {"html": "", "text": ""}, "providerMessageId": None, "error": None, "attempts": 1,
            "created": now, "metadata": {"created": now, "updated": now}}


def claim(db: Any, message: Any, provider: str) -> dict | None:
    """Create the record; None when this call owns the send, else the existing record."""
    from google.api_core import exceptions

    ref = db.collection(COLLECTION).document(message.id)
    try:
        ref.create(record(message, "sending", provider))
        return None
    except exceptions.AlreadyExists:
        snapshot = ref.get()
        return snapshot.to_dict() or {"id": message.id, "status": "sending"}


def outcome(delivery: Delivery, provider: str) -> dict:
    if delivery.ok:
        return {"status": "sent", "providerMessageId": delivery.provider_message_id, "provider": provider, "error": None,
                "where": delivery.where}
    return {"status": "retrying" if delivery.retry else "failed", "error": delivery.error, "provider": provider}


def complete(db: Any, message_id: str, delivery: Delivery, provider: str, batch: Any = None) -> dict:
    changes = {**outcome(delivery, provider), "metadata.updated": stamp_now()}
    ref = db.collection(COLLECTION).document(message_id)
    if batch is not None:
        batch.update(ref, changes)
    else:
        ref.update(changes)
    return changes
