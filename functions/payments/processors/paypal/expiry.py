"""The daily ``expire-paypal-cancellations`` job (BEM's ``events/cron/daily/expire-paypal-cancellations.js``).

PayPal cancels a subscription at once and sends nothing when the paid period ends, so a cancelled
PayPal subscription stays ``active`` with ``cancellation.pending`` until then (unify). This job ends
them: users whose ``subscription.payment.processor == "paypal"`` and ``cancellation.pending == true``
(two equality filters: no composite index) with ``expires`` at or before now become ``cancelled``,
``cancellation.pending: false``; the order's ``unified`` follows; then the ``subscription-cancelled``
transition is dispatched (its e-mail once: event id ``expire-paypal-cancellation:{resourceId}:{expires}``).

Each user is written only if unchanged since the query read it (a webhook landing in between wins);
a document of any other shape is skipped and counted, never an error. A second run finds nothing left.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from functions.payments.collections import ORDERS, USERS
from functions.payments.transitions import detect_subscription_transition, dispatch_transition
from functions.timestamps import stamp_now
from functions.user.models import Subscription

PROCESSOR = "paypal"
JOB_EVENT = "expire-paypal-cancellations"
log = logging.getLogger("bem.payments.paypal")


def expire_paypal_cancellations(manager: Any, db: Any, now: dt.datetime) -> dict:
    from google.cloud.firestore_v1.base_query import FieldFilter

    now_unix = int(now.timestamp())
    query = (db.collection(USERS)
             .where(filter=FieldFilter("subscription.payment.processor", "==", PROCESSOR))
             .where(filter=FieldFilter("subscription.cancellation.pending", "==", True)))
    counts = {"expired": 0, "notYet": 0, "skipped": 0}
    for snapshot in query.stream():
        counts[_expire_one(manager, db, snapshot, now_unix)] += 1
    log.info("expire-paypal-cancellations: %s", counts)
    return counts


def _expire_one(manager: Any, db: Any, snapshot: Any, now_unix: int) -> str:
    from google.api_core.exceptions import FailedPrecondition, NotFound

    user_doc = snapshot.to_dict() or {}
    try:
        before = Subscription.model_validate(user_doc.get("subscription"))
    except ValueError:
        log.warning("expire-paypal-cancellations: users/%s has an unreadable subscription; skipped", snapshot.id)
        return "skipped"
    expires = before.expires.timestamp_unix
    if not expires or expires > now_unix:
        return "notYet"
    after = before.model_copy(update={"status": "cancelled", "cancellation": before.cancellation.model_copy(update={"pending": False})})
    try:
        snapshot.reference.update({"subscription.status": "cancelled", "subscription.cancellation.pending": False},
                                  option=db.write_option(last_update_time=snapshot.update_time))
    except (FailedPrecondition, NotFound):
        return "skipped"  # changed since the query (a webhook): the next run looks again
    order_id = before.payment.order_id
    if order_id:
        try:
            db.collection(ORDERS).document(order_id).update({"unified.status": "cancelled", "unified.cancellation.pending": False,
                                                             "metadata.updated": stamp_now()})
        except NotFound:
            pass
    transition = detect_subscription_transition(before, after, JOB_EVENT, refund_events=frozenset())
    if transition:
        dispatch_transition(manager, "subscription", transition, before=before.dump(), after=after.dump(), uid=snapshot.id,
                            user_doc={**user_doc, "subscription": after.dump()}, event_type=JOB_EVENT,
                            event_id=f"expire-paypal-cancellation:{before.payment.resource_id}:{expires}", order_id=order_id)
    return "expired"
