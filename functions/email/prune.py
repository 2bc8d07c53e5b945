"""Delete old e-mail records (job ``prune-emails``, daily): ``email.retentionDays`` (default 30).

- ``emails/{id}`` (audit + ledger) created before the cutoff. A cause re-fired after that long
  (webhook redeliveries stop after days) would send again; keep the retention above it.
- ``emails-queue`` items that are finished (``claimed`` = handed to the provider, ``dropped``)
  and last touched before the cutoff. ``pending`` items are never pruned.
- ``emails-mailbox`` (local mailbox) messages created before the cutoff.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from functions.email import ledger, queue
from functions.email.providers.mailbox import COLLECTION as MAILBOX
from functions.store.batcher import Batcher

FINISHED = ("claimed", "dropped")
BATCH = 400


def prune_emails(db: Any, now: dt.datetime, retention_days: int) -> dict[str, int]:
    from google.cloud.firestore_v1.base_query import FieldFilter

    cutoff = int((now - dt.timedelta(days=retention_days)).timestamp())
    counts: dict[str, int] = {}
    queries = {
        ledger.COLLECTION: [db.collection(ledger.COLLECTION).where(filter=FieldFilter("created.timestampUNIX", "<", cutoff))],
        queue.COLLECTION: [db.collection(queue.COLLECTION).where(filter=FieldFilter("status", "==", status))
                           .where(filter=FieldFilter("updated", "<", cutoff)) for status in FINISHED],
        MAILBOX: [db.collection(MAILBOX).where(filter=FieldFilter("created.timestampUNIX", "<", cutoff))],
    }
    for name, collection_queries in queries.items():
        batcher = Batcher(db, BATCH)
        for query in collection_queries:
            for snapshot in query.select(["__name__"]).stream():  # names only
                batcher.delete(snapshot.reference)
        batcher.flush()
        counts[name] = batcher.written
    return {"deleted": counts}
