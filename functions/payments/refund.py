"""``POST payments/refund {reason, confirmed}``: refund the last payment, then cancel now.

Rules (BEM), checked before any processor call or write: ``reason`` given, ``confirmed`` true,
the caller's paid processor subscription is ``cancelled`` or has a cancellation pending, and its
``payment.startDate`` (else ``payment.updatedBy.date``) is less than 6 months (180 days) old.

Amount (``quote_refund``, shared by every processor): the whole last payment within 7 days of it,
else the unused part of the period (whole unused days / days in the period, times the amount paid).
Whole days keep the amount identical for a repeated request, so a processor's idempotency key (Stripe:
``bem-refund-{subscriptionId}``) makes a double click one refund. The processor's ``refund`` finds the
payment, refunds it and cancels the subscription immediately; then
``payments-orders/{orderId}.requests.refund`` is recorded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from functions.errors import BadRequest, ValidationError
from functions.payments.actions import (
    DAY,
    PaidSubscription,
    paid_subscription,
    record_request,
    require_configured,
    require_confirmed,
)
from functions.timestamps import stamp_now
from functions.user.models import UserDoc

FULL_REFUND_WINDOW_SECONDS = 7 * DAY
REFUND_CUTOFF_SECONDS = 6 * 30 * DAY  # BEM: payments older than 6 months are not refunded


@dataclass(frozen=True)
class RefundQuote:
    amount_cents: int
    currency: str
    full: bool

    def answer(self) -> dict:
        return {"amount": round(self.amount_cents / 100, 2), "currency": self.currency, "full": self.full}


def quote_refund(paid_cents: int, paid_at: int, period_start: int, period_end: int, now: float,
                 currency: str = "usd") -> RefundQuote:
    """Full within 7 days of the payment; else unused whole days of the period, pro rata."""
    if paid_cents <= 0:
        return RefundQuote(0, currency, False)
    if now - paid_at <= FULL_REFUND_WINDOW_SECONDS:
        return RefundQuote(paid_cents, currency, True)
    period_days = max(1, round((period_end - period_start) / DAY))
    unused_days = min(period_days, max(0, int((period_end - now) // DAY)))
    return RefundQuote(paid_cents * unused_days // period_days, currency, False)


def check_refundable(uid: str, doc: UserDoc, settings: Any, environment: str, *, now: float | None = None) -> PaidSubscription:
    if not (settings.reason or "").strip():
        raise ValidationError("Required key reason is missing in settings", field="reason")
    require_confirmed(settings)
    paid = paid_subscription(uid, doc, action="refund", environment=environment)
    sub = paid.subscription
    if not (sub.status == "cancelled" or sub.cancellation.pending):
        raise BadRequest("Cancel your subscription first: refunds are for cancelled or cancelling subscriptions")
    started = sub.payment.start_date.timestamp_unix or sub.payment.updated_by.date.timestamp_unix
    if started and (time.time() if now is None else now) - started > REFUND_CUTOFF_SECONDS:
        raise BadRequest("Payments older than 6 months are not eligible for refunds")
    return paid


def refund_subscription(manager: Any, uid: str, doc: UserDoc, settings: Any) -> dict:
    paid = check_refundable(uid, doc, settings, manager.environment)
    require_configured(paid.handler)
    quote, refund_id = paid.handler.refund(manager, paid, doc)
    record_request(manager.db, paid, "refund", {"reason": settings.reason, "feedback": settings.feedback or None,
                                                "refundId": refund_id, **quote.answer(), "date": stamp_now()})
    return {"success": True, "orderId": paid.order_id, "refund": {"id": refund_id, **quote.answer()}}
