"""``emails-queue``: messages to send later (``sendAt`` beyond the provider's window) or again.

Items: ``{id, key, settings, sendAt, status: pending|claimed|sent|dropped, retries, lastError,
created, updated}``. ``drain`` (job ``email-queue``, every 10 minutes) takes due ``pending``
items (``sendAt <= now + window``), claims them (one conditional write each: another drain
loses the race and skips them), rebuilds and sends them in provider batches, then writes the
``emails/{id}`` record. Firestore cost on success: 1 read + 1 claim + 1 record per e-mail.
BEM's retry rule: a 4xx (or invalid settings) or a 5th failed attempt → ``dropped`` and recorded
failed; otherwise back to ``pending`` with ``retries + 1`` and ``lastError``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from functions.email import ledger
from functions.email.errors import EmailInputError
from functions.store.batcher import Batcher
from functions.timestamps import stamp_now

COLLECTION = "emails-queue"
MAX_RETRIES = 5
DRAIN_LIMIT = 1000
log = logging.getLogger("bem.email.queue")


def enqueue(db: Any, message: Any, *, send_at: int, retries: int = 0, last_error: str | None = None) -> bool:
    """Add the message (its original settings); False when an item with its id already exists."""
    from google.api_core import exceptions

    now = stamp_now()
    item = {"id": message.id, "key": message.key, "settings": _storable(message.settings), "sendAt": int(send_at),
            "status": "pending", "retries": retries, "lastError": last_error, "created": now, "updated": now["timestampUNIX"]}
    try:
        db.collection(COLLECTION).document(message.id).create(item)
        return True
    except exceptions.AlreadyExists:
        return False


@dataclass
class DrainSummary:
    due: int = 0
    sent: int = 0
    retried: int = 0
    dropped: int = 0
    skipped: int = 0
    provider_calls: int = 0
    errors: list[str] = field(default_factory=list)

    def dump(self) -> dict:
        return {"due": self.due, "sent": self.sent, "retried": self.retried, "dropped": self.dropped,
                "skipped": self.skipped, "errors": self.errors[:10]}


def drain(email: Any, now: dt.datetime, limit: int = DRAIN_LIMIT) -> DrainSummary:
    from google.cloud.firestore_v1.base_query import FieldFilter

    db, summary = email.db, DrainSummary()
    horizon = int(now.timestamp()) + email.window_seconds
    snapshots = (db.collection(COLLECTION).where(filter=FieldFilter("status", "==", "pending"))
                 .where(filter=FieldFilter("sendAt", "<=", horizon)).order_by("sendAt").limit(limit).get())
    summary.due = len(snapshots)
    claimed = _claim(db, snapshots, summary)
    messages, items = [], {}
    for snapshot in claimed:
        item = snapshot.to_dict() or {}
        try:
            message = email.build(dict(item.get("settings") or {}), idempotency_key=item.get("key"))
            message.id = snapshot.id  # the queue item's id is the message id
        except EmailInputError as error:
            _drop(db, snapshot.id, item, error.message, summary)
            continue
        messages.append(message)
        items[message.id] = item
    if not messages:
        return summary
    provider = email.provider()
    deliveries = provider.deliver(messages)
    summary.provider_calls = getattr(provider, "calls", 0)
    batch = Batcher(db)
    for message, delivery in zip(messages, deliveries, strict=True):
        item = items[message.id]
        if delivery.ok:
            summary.sent += 1
            record = ledger.record(message, "sent", provider.name)
            record.update(ledger.outcome(delivery, provider.name))
            record["attempts"] = item.get("retries", 0) + 1
            batch.set(db.collection(ledger.COLLECTION).document(message.id), record, merge=True)
        elif delivery.retry and item.get("retries", 0) + 1 < MAX_RETRIES:
            summary.retried += 1
            batch.update(db.collection(COLLECTION).document(message.id),
                         {"status": "pending", "retries": item.get("retries", 0) + 1, "lastError": delivery.error,
                          "updated": int(now.timestamp())})
        else:
            _drop(db, message.id, item, delivery.error or "failed", summary, batch=batch, message=message, provider=provider.name)
    batch.flush()
    return summary


def _claim(db: Any, snapshots: list[Any], summary: DrainSummary) -> list[Any]:
    """``pending`` → ``claimed`` with a last-update precondition; lost races are skipped."""
    from google.api_core import exceptions

    claimed: list[Any] = []
    stamp = stamp_now()
    for start in range(0, len(snapshots), 500):
        chunk = snapshots[start:start + 500]
        batch = db.batch()
        for snapshot in chunk:
            batch.update(snapshot.reference, {"status": "claimed", "claimed": stamp, "updated": stamp["timestampUNIX"]},
                         option=db.write_option(last_update_time=snapshot.update_time))
        try:
            batch.commit()
            claimed += chunk
        except (exceptions.FailedPrecondition, exceptions.NotFound, exceptions.Aborted):
            for snapshot in chunk:  # someone else touched one of them: claim one by one
                try:
                    snapshot.reference.update({"status": "claimed", "claimed": stamp, "updated": stamp["timestampUNIX"]},
                                              option=db.write_option(last_update_time=snapshot.update_time))
                    claimed.append(snapshot)
                except (exceptions.FailedPrecondition, exceptions.NotFound):
                    summary.skipped += 1
    return claimed


def _drop(db: Any, item_id: str, item: dict, reason: str, summary: DrainSummary, *, batch: Any = None,
          message: Any = None, provider: str = "none") -> None:
    summary.dropped += 1
    summary.errors.append(f"{item_id}: {reason}")
    log.warning("queued e-mail %s dropped after %d attempt(s): %s", item_id, item.get("retries", 0) + 1, reason)
    writes = batch or Batcher(db)
    now = stamp_now()
    writes.update(db.collection(COLLECTION).document(item_id), {"status": "dropped", "lastError": reason, "updated": now["timestampUNIX"]})
    failed = {"id": item_id, "key": item.get("key"), "status": "failed", "error": reason, "provider": provider,
              "attempts": item.get("retries", 0) + 1, "created": now, "metadata": {"created": now, "updated": now}}
    if message is not None:
        failed["request"] = message.request()
    writes.set(db.collection(ledger.COLLECTION).document(item_id), failed, merge=True)
    if batch is None:
        writes.flush()


def _storable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
