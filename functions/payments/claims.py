"""Claim a ``pending`` record once (``pending → processing``), for the Firestore triggers of payments
(``payments-webhooks`` in ``pipeline.py``, ``payments-disputes`` in ``disputes/resolution.py``).

- ``claim_delivered(db, ref, snapshot)``: from a trigger, a write conditional on the delivered
  snapshot's ``update_time`` (no read): any write since, another claim included, makes it a no-op;
- ``claim(db, ref)``: elsewhere (CLI, tests), in a transaction.
Both answer the record as it was, or None when it was not ``pending``. Each claim counts in
``attempts``; a record left ``processing`` by an instance that died is requeued by ``recovery.py``.
"""

from __future__ import annotations

from typing import Any

from functions.timestamps import stamp_now


def claimed_update() -> dict:
    from google.cloud import firestore

    return {"status": "processing", "attempts": firestore.Increment(1), "metadata.processing": stamp_now()}


def claim_delivered(db: Any, ref: Any, snapshot: Any) -> dict | None:
    from google.api_core.exceptions import FailedPrecondition, NotFound

    record = snapshot.to_dict() if snapshot.exists else None
    if not record or record.get("status") != "pending":
        return None
    try:
        ref.update(claimed_update(), option=db.write_option(last_update_time=snapshot.update_time))
    except (FailedPrecondition, NotFound):
        return None
    return record


def claim(db: Any, ref: Any) -> dict | None:
    from google.cloud import firestore

    @firestore.transactional
    def run(transaction: Any) -> dict | None:
        snapshot = ref.get(transaction=transaction)
        record = snapshot.to_dict() if snapshot.exists else None
        if not record or record.get("status") != "pending":
            return None
        transaction.update(ref, claimed_update())
        return record

    return run(db.transaction())


def claim_once(db: Any, ref: Any, snapshot: Any = None) -> dict | None:
    """The trigger's snapshot when it carries an ``update_time``, else a transaction."""
    usable = snapshot is not None and getattr(snapshot, "update_time", None) is not None
    return claim_delivered(db, ref, snapshot) if usable else claim(db, ref)
