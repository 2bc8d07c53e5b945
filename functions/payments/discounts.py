"""Discount codes: which code a request names, and whether the caller may use it.

Codes (``Payment.discount``, case-insensitive): the project's ``payment.discounts[]``, then BEM's eight
built-in codes (``functions.config.models.BUILTIN_DISCOUNTS``, BEM's ``libraries/payment/discount-codes.js``):

=========== ======= =========================================================================
code        percent who may use it (``eligible``)
=========== ======= =========================================================================
WELCOME15   15      everyone
SAVE10      10      everyone
FLASH20     20      everyone
GIFT15      15      everyone
UPGRADE15   15      ``basic-plan``: no active paid plan right now
COMEBACK20  20      ``trial-claimed``: no active paid plan, and a trial was claimed before
MISSYOU25   25      ``cancelled-after-paying``: the subscription is cancelled and was paid for
TRYAGAIN10  10      ``cancelled``: the subscription is cancelled
=========== ======= =========================================================================

All are ``duration: once`` (the first payment). ``new-customers`` / ``returning-customers`` (config
only) look at the order history (``payments-orders``), read only when such a code is named.
"""

from __future__ import annotations

from collections.abc import Callable

from functions.config.models import Discount
from functions.user.models import UserDoc
from functions.user.subscription import resolve_subscription


def ineligibility(discount: Discount, doc: UserDoc, has_history: Callable[[], bool]) -> str | None:
    """Why this user may not use the code (a sentence), or None when they may."""
    rule = discount.eligible
    if rule == "everyone":
        return None
    resolved = resolve_subscription(doc)
    status = doc.subscription.status
    if rule == "basic-plan":
        return None if not resolved.active else "is for users without a paid plan"
    if rule == "trial-claimed":
        return None if not resolved.active and doc.subscription.trial.claimed else "is for users whose trial has ended"
    if rule == "cancelled":
        return None if status == "cancelled" else "is for users who cancelled their subscription"
    if rule == "cancelled-after-paying":
        return None if status == "cancelled" and resolved.ever_paid else "is for former paying subscribers"
    returning = has_history()
    if rule == "new-customers":
        return "is for new customers only" if returning else None
    # returning-customers: had a subscription before and has none active now
    return None if returning and not resolved.active else "is for returning customers only"


def discount_record(discount: Discount | None) -> dict | None:
    """What the intent (and then its order) stores: BEM's ``{code, percent, duration}``, plus months."""
    if discount is None:
        return None
    return {"code": discount.code, "percent": discount.percent, "duration": discount.duration,
            "durationInMonths": discount.duration_in_months}
