"""Claim and lease (BEM ``marketing-campaigns.js``): one runner per campaign occurrence.

A due ``pending`` campaign is claimed in a transaction that flips it to ``processing`` with
``processingStartedAt`` (the lease) and ``processingOccurrence`` (the ``sendAt`` being sent). A run
that finds it already claimed skips it, so two overlapping job runs never both send it. A run that
dies mid-flight leaves the campaign ``processing``; once the lease is older than
``LEASE_SECONDS`` (well beyond the function timeout, so a live run is never robbed) it is put
back to ``pending`` and retried by the next run (its occurrence keeps its idempotency key).
"""

from __future__ import annotations

import logging
from typing import Any

from functions.marketing.campaigns.model import COLLECTION
from functions.timestamps import stamp_now

LEASE_SECONDS = 30 * 60
RECLAIM_LIMIT = 50
log = logging.getLogger("bem.marketing.campaigns")


def reclaim_expired(db: Any, now: int) -> list[str]:
    """``processing`` campaigns whose lease expired → ``pending`` (conditional on being unchanged)."""
    from google.api_core import exceptions
    from google.cloud.firestore_v1.base_query import FieldFilter

    reclaimed = []
    query = db.collection(COLLECTION).where(filter=FieldFilter("status", "==", "processing")).limit(RECLAIM_LIMIT)
    for snapshot in query.get():
        started = as_int((snapshot.to_dict() or {}).get("processingStartedAt"))
        if started > now - LEASE_SECONDS:
            continue
        try:
            snapshot.reference.update({"status": "pending", "metadata.updated": stamp_now()},
                                      option=db.write_option(last_update_time=snapshot.update_time))
        except (exceptions.FailedPrecondition, exceptions.NotFound):
            continue  # finished (or deleted) since the query read it
        log.warning("marketing-campaigns: reclaimed the expired lease of %s (started %s)", snapshot.id, started)
        reclaimed.append(snapshot.id)
    return reclaimed


def claim(db: Any, reference: Any, now: int) -> dict | None:
    """Flip a due ``pending`` campaign to ``processing``; its fresh data, or None if another run has it."""
    from google.cloud import firestore

    @firestore.transactional
    def attempt(transaction: Any) -> dict | None:
        snapshot = reference.get(transaction=transaction)
        data = snapshot.to_dict() if snapshot.exists else None
        if not isinstance(data, dict) or data.get("status") != "pending" or as_int(data.get("sendAt"), now + 1) > now:
            return None
        transaction.update(reference, {"status": "processing", "processingStartedAt": now,
                                       "processingOccurrence": as_int(data.get("sendAt")), "metadata.updated": stamp_now()})
        return data

    return attempt(db.transaction())


def as_int(value: Any, default: int = 0) -> int:
    """A stored number as an int (anything else: ``default``): documents of any shape never break the job."""
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default
