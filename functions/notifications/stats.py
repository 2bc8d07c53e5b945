"""``bm_notificationsOnWrite``'s work: keep ``meta/stats.notifications.total`` exact.

create → +1, delete → -1, update → nothing (BEM ``events/firestore/notifications/on-write.js``).
Eventarc may deliver one event twice: the counter change and a ledger record
``notification-events/{eventId}`` are written in one transaction, and a delivery that finds
its record changes nothing. ``prune-notification-events`` (daily) deletes records older
than a week, past Eventarc's 24-hour retry window.
"""

from __future__ import annotations

from typing import Any

from functions.timestamps import Stamp

EVENTS_COLLECTION = "notification-events"
STATS_DOCUMENT = "meta/stats"


def change_of(before_exists: bool, after_exists: bool) -> int:
    if after_exists and not before_exists:
        return 1
    if before_exists and not after_exists:
        return -1
    return 0


def count_write(manager: Any, event_id: str | None, token: str, before_exists: bool, after_exists: bool) -> int:
    """Apply this write's change to the counter once per event id; returns the change applied."""
    delta = change_of(before_exists, after_exists)
    if delta == 0:
        return 0
    from google.cloud import firestore

    db = manager.db
    stats = db.document(STATS_DOCUMENT)
    if not event_id:  # no id to deduplicate on (never from Eventarc): count it
        stats.set({"notifications": {"total": firestore.Increment(delta)}}, merge=True)
        return delta
    ledger = db.collection(EVENTS_COLLECTION).document(event_id.replace("/", "_")[:500])
    record = {"id": event_id, "type": "create" if delta > 0 else "delete", "token": token[:200],
              "created": Stamp.now().dump()}

    @firestore.transactional
    def apply(transaction: Any) -> int:
        if ledger.get(transaction=transaction).exists:
            return 0
        transaction.create(ledger, record)
        transaction.set(stats, {"notifications": {"total": firestore.Increment(delta)}}, merge=True)
        return delta

    return apply(db.transaction())
