"""The daily usage reset (``cron/daily/reset_usage.py``), as a function the bench and tests call.

1. Delete every document of ``usage`` (anonymous callers' counters), in batches.
2. Zero ``usage.*.daily`` of the users whose ``usageActive.day`` is before today; on
   the 1st, ``usage.*.daily`` and ``usage.*.monthly`` of the users whose
   ``usageActive.month`` is before this month. Only those users are read (one
   inequality query on the marker that every usage write sets) and each is written
   once (batched ≤ 500); the marker goes with the counters, so a second run finds nobody.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from functions.store.batcher import BATCH_SIZE, Batcher
from functions.usage.counters import ACTIVE_FIELD, day_key, month_key
from functions.usage.meter import IP_COLLECTION

USERS = "users"


@dataclass
class ResetSummary:
    monthly: bool = False
    anonymous_deleted: int = 0
    users_read: int = 0
    users_written: int = 0
    documents_read: int = 0
    documents_written: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def reset_usage(db: Any, now: dt.datetime, *, batch_size: int = BATCH_SIZE) -> ResetSummary:
    now = now.astimezone(dt.UTC)
    summary = ResetSummary(monthly=now.day == 1)
    summary.anonymous_deleted = _delete_anonymous(db, batch_size)
    summary.users_read, summary.users_written = _reset_users(db, now, batch_size=batch_size)
    summary.documents_read = summary.anonymous_deleted + summary.users_read
    summary.documents_written = summary.anonymous_deleted + summary.users_written
    return summary


def _delete_anonymous(db: Any, batch_size: int) -> int:
    batcher = Batcher(db, batch_size)
    for ref in db.collection(IP_COLLECTION).list_documents(page_size=batch_size):
        batcher.delete(ref)
    batcher.flush()
    return batcher.written


def _reset_users(db: Any, now: dt.datetime, *, batch_size: int) -> tuple[int, int]:
    """On the 1st: users whose month marker is before this month (daily and monthly zeroed).
    Other days: users whose day marker is before today (daily zeroed; monthly too if their
    month marker is stale, which only happens when the run on the 1st was missed)."""
    first = now.day == 1
    marker, before = ("month", month_key(now)) if first else ("day", day_key(now))
    batcher = Batcher(db, batch_size)
    read = 0
    for snapshot in _stale(db, marker, before):
        read += 1
        document = snapshot.to_dict() or {}
        stale_month = ((document.get(ACTIVE_FIELD) or {}).get("month") or month_key(now)) < month_key(now)
        batcher.update(snapshot.reference, zeroing_updates(document, monthly=first or stale_month))
    batcher.flush()
    return read, batcher.written


def _stale(db: Any, marker: str, before: str) -> Any:
    from google.cloud.firestore_v1.base_query import FieldFilter

    where = FieldFilter(f"{ACTIVE_FIELD}.{marker}", "<", before)
    return db.collection(USERS).where(filter=where).select(["usage", ACTIVE_FIELD]).stream()


def zeroing_updates(document: dict, *, monthly: bool) -> dict[str, Any]:
    """The one update for a user: zero the counters that are due, drop the marker."""
    from google.cloud.firestore_v1 import DELETE_FIELD
    from google.cloud.firestore_v1.field_path import FieldPath

    counters = ("daily", "monthly") if monthly else ("daily",)
    updates: dict[str, Any] = {}
    for name, metric in (document.get("usage") or {}).items():
        if not isinstance(metric, dict):
            continue
        for counter in counters:
            if metric.get(counter):
                updates[FieldPath("usage", name, counter).to_api_repr()] = 0
    if monthly:
        updates[ACTIVE_FIELD] = DELETE_FIELD
    else:
        updates[f"{ACTIVE_FIELD}.day"] = DELETE_FIELD
    return updates
