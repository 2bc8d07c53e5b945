"""Webhooks (and dispute alerts) left ``processing`` by an instance that died mid-run go back to ``pending``.

The pipeline commits the subscription, the order and the webhook's ``completed`` mark in one
transaction, so a record still ``processing`` long after the trigger's time limit (60 s)
changed nothing. Setting it back to ``pending`` fires ``bm_paymentsWebhookOnWrite`` again.
After ``MAX_ATTEMPTS`` claims the record is marked ``failed`` instead, so an event that kills
its instance every time does not loop forever (``mgr payments retry`` still works on it).
Each move is conditional on the record being the version read: a record that the pipeline
finished meanwhile is left alone. Dispute alerts (``payments-disputes``) follow the same rule:
every step of their resolution is safe to repeat (idempotency keys, see functions/payments/disputes/).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from functions.payments.collections import DISPUTES, WEBHOOKS
from functions.timestamps import stamp_now

STUCK_AFTER = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
log = logging.getLogger("bem.payments.recovery")


def recover_stuck_webhooks(db: Any, now: dt.datetime) -> dict[str, list[str]]:
    """Requeue (or give up on) webhooks ``processing`` since before ``now - STUCK_AFTER``."""
    return recover_stuck(db, WEBHOOKS, now)


def recover_stuck_disputes(db: Any, now: dt.datetime) -> dict[str, list[str]]:
    """The same for dispute alerts (``bm_paymentsDisputeOnWrite`` claims)."""
    return recover_stuck(db, DISPUTES, now)


def recover_stuck(db: Any, collection: str, now: dt.datetime) -> dict[str, list[str]]:
    from google.api_core.exceptions import FailedPrecondition, NotFound
    from google.cloud.firestore_v1.base_query import FieldFilter

    cutoff = (now - STUCK_AFTER).timestamp()
    summary: dict[str, list[str]] = {"requeued": [], "failed": []}
    query = db.collection(collection).where(filter=FieldFilter("status", "==", "processing"))
    for snapshot in query.stream():
        record = snapshot.to_dict() or {}
        claimed = ((record.get("metadata") or {}).get("processing") or {}).get("timestampUNIX") or 0
        if claimed > cutoff:
            continue  # still within its run
        gave_up = int(record.get("attempts") or 0) >= MAX_ATTEMPTS
        update = (
            {"status": "failed", "error": f"Gave up after {record.get('attempts')} attempts that never finished",
             "metadata.failed": stamp_now()}
            if gave_up
            else {"status": "pending", "metadata.requeued": stamp_now()}
        )
        try:
            snapshot.reference.update(update, option=db.write_option(last_update_time=snapshot.update_time))
        except (FailedPrecondition, NotFound):
            continue  # finished or changed since the query: not stuck
        log.warning("%s/%s was stuck in processing: %s", collection, snapshot.id, update["status"])
        summary["failed" if gave_up else "requeued"].append(snapshot.id)
    return summary
