"""Delete ``auth-events`` records older than the window in which Eventarc can redeliver.

The records exist only to make a redelivered on-create/on-delete event a no-op. Eventarc
retries for at most 24 hours, so a week-old record can never match a delivery again; without
pruning the collection would grow by one document per sign-up and deletion forever.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from functions.auth.delivery import EVENTS_COLLECTION
from functions.store.batcher import Batcher

KEEP = dt.timedelta(days=7)
BATCH = 400


def prune_auth_events(db: Any, now: dt.datetime, collection: str = EVENTS_COLLECTION) -> dict[str, int]:
    """Delete records created before ``now - KEEP`` in batches; returns ``{"deleted": n}``.

    ``collection``: any delivery ledger whose records carry ``created.timestampUNIX``
    (``notification-events`` uses it too)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    cutoff = int((now - KEEP).timestamp())
    query = db.collection(collection).where(filter=FieldFilter("created.timestampUNIX", "<", cutoff))
    batcher = Batcher(db, BATCH)
    for snapshot in query.select(["__name__"]).stream():  # names only (an empty projection returns every field)
        batcher.delete(snapshot.reference)
    batcher.flush()
    return {"deleted": batcher.written}
