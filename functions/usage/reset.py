"""The daily usage reset (``cron/daily/reset_usage.py``), as a function the bench and tests call.

1. Delete every document of ``usage`` (anonymous callers' counters), in batches.
2. Users the port's meter wrote: zero ``usage.*.daily`` of the users whose ``usageActive.day``
   is before today; on the 1st, ``usage.*.daily`` and ``usage.*.monthly`` of the users whose
   ``usageActive.month`` is before this month (one inequality query on the marker every usage
   write sets); the marker goes with the counters, so a second run finds nobody.
3. Users whose counters BEM wrote (no marker): BEM's own selection, users where
   ``usage.{metric}.daily > 0`` (and ``monthly > 0`` on the 1st) for ``requests`` and every
   product limit metric. Users already handled in step 2, and users whose marker says their
   counters are today's, are skipped.

Each user with something to reset is written exactly once (batched ≤ 500). Only single-field
inequality filters are used: Firestore's automatic single-field indexes serve them, no
composite index is needed (``functions/indexes.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from functions.store.batcher import BATCH_SIZE, Batcher
from functions.usage.counters import ACTIVE_FIELD, day_key, month_key
from functions.usage.meter import IP_COLLECTION

USERS = "users"
DEFAULT_METRICS = ("requests",)


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


def reset_metrics(config: Any) -> tuple[str, ...]:
    """BEM's metric set: ``requests`` and every limit of every product."""
    names = dict.fromkeys(DEFAULT_METRICS)
    for product in config.payment.products:
        names.update(dict.fromkeys(product.limits))
    return tuple(names)


def reset_usage(db: Any, now: dt.datetime, *, metrics: Iterable[str] = DEFAULT_METRICS, batch_size: int = BATCH_SIZE) -> ResetSummary:
    now = now.astimezone(dt.UTC)
    summary = ResetSummary(monthly=now.day == 1)
    summary.anonymous_deleted = _delete_anonymous(db, batch_size)
    summary.users_read, summary.users_written = _reset_users(db, now, tuple(metrics), batch_size=batch_size)
    summary.documents_read = summary.anonymous_deleted + summary.users_read
    summary.documents_written = summary.anonymous_deleted + summary.users_written
    return summary


def _delete_anonymous(db: Any, batch_size: int) -> int:
    batcher = Batcher(db, batch_size)
    for ref in db.collection(IP_COLLECTION).list_documents(page_size=batch_size):
        batcher.delete(ref)
    batcher.flush()
    return batcher.written


def _reset_users(db: Any, now: dt.datetime, metrics: tuple[str, ...], *, batch_size: int) -> tuple[int, int]:
    """On the 1st: users whose month marker is before this month (daily and monthly zeroed).
    Other days: users whose day marker is before today (daily zeroed; monthly too if their
    month marker is stale, which only happens when the run on the 1st was missed).
    Then users with BEM-written counters (no marker), found by BEM's counter queries."""
    first = now.day == 1
    marker, before = ("month", month_key(now)) if first else ("day", day_key(now))
    batcher = Batcher(db, batch_size)
    seen: set[str] = set()
    read = 0
    for snapshot in _stale(db, marker, before):
        read += 1
        seen.add(snapshot.id)
        document = snapshot.to_dict() or {}
        stale_month = (_marker(document).get("month") or month_key(now)) < month_key(now)
        batcher.update(snapshot.reference, zeroing_updates(document, monthly=first or stale_month))
    batcher.flush()  # committed before the counter queries run, so they no longer match these users
    counters = ("daily", "monthly") if first else ("daily",)
    for metric in metrics:
        for counter in counters:
            for snapshot in _counting(db, metric, counter):
                read += 1
                if snapshot.id in seen:
                    continue
                seen.add(snapshot.id)
                document = snapshot.to_dict() or {}
                due = _unmarked_due(document, now)
                if due is not None:
                    batcher.update(snapshot.reference, zeroing_updates(document, monthly=due))
    batcher.flush()
    return read, batcher.written


def _marker(document: dict) -> dict:
    value = document.get(ACTIVE_FIELD)
    return value if isinstance(value, dict) else {}


def _unmarked_due(document: dict, now: dt.datetime) -> bool | None:
    """For a user found by a counter query: ``None`` when its counters are today's (a marker of
    today), else whether monthly counters are due too (the 1st, or a month marker from before)."""
    marker = _marker(document)
    if (marker.get("day") or "") >= day_key(now):
        return None
    month = marker.get("month")
    month_stale = bool(month) and month < month_key(now)
    return month_stale or (now.day == 1 and not month)


def _stale(db: Any, marker: str, before: str) -> Any:
    from google.cloud.firestore_v1.base_query import FieldFilter

    where = FieldFilter(f"{ACTIVE_FIELD}.{marker}", "<", before)
    return db.collection(USERS).where(filter=where).select(["usage", ACTIVE_FIELD]).stream()


def _counting(db: Any, metric: str, counter: str) -> Any:
    """BEM's selection: users whose ``usage.{metric}.{counter}`` is above zero."""
    from google.cloud.firestore_v1.base_query import FieldFilter
    from google.cloud.firestore_v1.field_path import FieldPath

    path = FieldPath("usage", metric, counter).to_api_repr()
    return db.collection(USERS).where(filter=FieldFilter(path, ">", 0)).select(["usage", ACTIVE_FIELD]).stream()


def zeroing_updates(document: dict, *, monthly: bool) -> dict[str, Any]:
    """The one update for a user: zero the counters that are due, drop the marker."""
    from google.cloud.firestore_v1 import DELETE_FIELD
    from google.cloud.firestore_v1.field_path import FieldPath

    counters = ("daily", "monthly") if monthly else ("daily",)
    updates: dict[str, Any] = {}
    usage = document.get("usage")
    for name, metric in (usage if isinstance(usage, dict) else {}).items():
        if not isinstance(metric, dict):
            continue
        for counter in counters:
            value = metric.get(counter)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value:
                updates[FieldPath("usage", name, counter).to_api_repr()] = 0
    if monthly:
        updates[ACTIVE_FIELD] = DELETE_FIELD
    else:
        updates[f"{ACTIVE_FIELD}.day"] = DELETE_FIELD
    return updates
