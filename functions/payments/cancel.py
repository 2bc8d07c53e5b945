"""``POST payments/cancel {confirmed, reason, feedback}``: cancel at the end of the period.

Rules (BEM), all checked before any processor call or write:
- ``confirmed`` is ``true``;
- the caller has a paid processor subscription that is ``active`` or ``suspended``;
- it started at least 24 h ago (``payment.startDate``);
- no cancellation is pending already.

A processor this deployment cannot serve (not configured) is a 400 naming it.
The processor cancels (``Processor.cancel``): at the end of the period, or immediately while
trialing (nothing was paid). Then ``payments-orders/{orderId}.requests.cancellation`` is recorded.
The user document itself changes only when the processor's webhook arrives, with one exception
(BEM's fallback): a *suspended* subscription the processor no longer knows or has already
cancelled is reset here to ``cancelled`` / basic, so a user whose card failed is not stuck.

``skipGuards: true`` skips the 24 h and already-pending checks (BEM; for tests and internal
tools): honoured for admins and outside production, ignored otherwise.
"""

from __future__ import annotations

import time
from typing import Any

from functions.errors import BadRequest
from functions.payments.actions import (
    DAY,
    PaidSubscription,
    paid_subscription,
    record_request,
    require_configured,
    require_confirmed,
)
from functions.payments.collections import USERS
from functions.payments.processors import SubscriptionGone
from functions.timestamps import stamp_now
from functions.user.models import UserDoc
from functions.user.subscription import resolve_subscription

MINIMUM_AGE_SECONDS = DAY


def check_cancellable(uid: str, doc: UserDoc, settings: Any, environment: str, *, now: float | None = None,
                      skip_guards: bool = False) -> PaidSubscription:
    require_confirmed(settings)
    paid = paid_subscription(uid, doc, action="cancel", environment=environment)
    sub = paid.subscription
    if sub.status not in ("active", "suspended"):
        raise BadRequest(f"Nothing to cancel: your subscription is {sub.status}")
    if skip_guards:
        return paid
    if sub.cancellation.pending:
        raise BadRequest("Your subscription is already set to cancel at the end of the period")
    now = time.time() if now is None else now
    started = sub.payment.start_date.timestamp_unix
    if started and now - started < MINIMUM_AGE_SECONDS:
        hours = max(1, int((MINIMUM_AGE_SECONDS - (now - started)) // 3600) + 1)
        raise BadRequest(f"Your subscription is less than 24 hours old; you can cancel it in about {hours} h")
    return paid


def cancel_subscription(manager: Any, uid: str, doc: UserDoc, settings: Any, *, privileged: bool = False) -> dict:
    skip_guards = bool(getattr(settings, "skip_guards", False)) and (privileged or manager.environment != "production")
    paid = check_cancellable(uid, doc, settings, manager.environment, skip_guards=skip_guards)
    reason = settings.reason or None
    reset = False
    require_configured(paid.handler)
    try:
        immediate = paid.handler.cancel(manager, paid, trialing=resolve_subscription(doc).trialing)
    except SubscriptionGone:
        if paid.subscription.status != "suspended":
            raise BadRequest("Your subscription is already cancelled") from None
        reset_suspended_subscription(manager, paid)
        immediate = reset = True
    record_request(manager.db, paid, "cancellation", {"reason": reason, "feedback": settings.feedback or None,
                                                      "immediate": immediate, "reset": reset, "date": stamp_now()})
    return {"success": True, "orderId": paid.order_id, "immediate": immediate, **({"reset": True} if reset else {})}


def reset_suspended_subscription(manager: Any, paid: PaidSubscription) -> None:
    """BEM's fallback: the processor refused to cancel a suspended subscription → cancelled, basic plan."""
    basic = manager.config.payment.basic
    manager.db.collection(USERS).document(paid.uid).update({
        "subscription.status": "cancelled",
        "subscription.product": {"id": basic.id, "name": basic.name or "Basic"},
        "subscription.cancellation": {"pending": False, "date": stamp_now()},
    })
