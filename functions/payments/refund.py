"""``POST payments/refund {reason, confirmed}``: refund the last payment, then cancel now.

Rules (BEM), checked before any processor call or write: ``reason`` given, ``confirmed`` true,
the caller's paid processor subscription is ``cancelled`` or has a cancellation pending, and its
``payment.startDate`` (else ``payment.updatedBy.date``) is less than 6 months (180 days) old.

Amount (``quote_refund``): the whole last payment within 7 days of it, else the unused part of
the period (whole unused days / days in the period, times the amount paid). Whole days keep the amount
identical for a repeated request, so the idempotency key ``bem-refund-{subscriptionId}`` makes a
double click one refund (Stripe replays the first answer for 24 h; later Stripe itself answers
``charge_already_refunded`` → 400). The subscription is then cancelled immediately, and
``payments-orders/{orderId}.requests.refund`` recorded.

Stripe shapes read: the latest invoice's ``payment_intent``/``charge`` (before basil) or its
``invoice_payments`` (since basil); the period on the subscription or on its first item.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from functions.errors import BadRequest, ValidationError
from functions.payments.actions import DAY, PaidSubscription, paid_subscription, record_request, require_confirmed
from functions.payments.frequencies import frequency
from functions.timestamps import stamp_now
from functions.user.models import UserDoc
from functions.user.subscription import resolve_subscription

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
    if paid.is_test:
        quote, refund_id = refund_test_subscription(manager, paid, doc)
    else:
        quote, refund_id = refund_with_stripe(manager, paid)
    record_request(manager.db, paid, "refund", {"reason": settings.reason, "feedback": settings.feedback or None,
                                                "refundId": refund_id, **quote.answer(), "date": stamp_now()})
    return {"success": True, "orderId": paid.order_id, "refund": {"id": refund_id, **quote.answer()}}


# test processor ----------------------------------------------------------------------------
def test_quote(doc: UserDoc, now: float) -> RefundQuote:
    """The quote from the stored subscription (the test processor has no invoices)."""
    sub = doc.subscription
    if not resolve_subscription(doc, now=now).ever_paid and sub.trial.claimed:
        return RefundQuote(0, "usd", False)
    end = sub.expires.timestamp_unix or int(now)
    start = end - frequency(sub.payment.frequency).seconds
    paid_at = max(start, sub.trial.expires.timestamp_unix, sub.payment.start_date.timestamp_unix)
    return quote_refund(round(sub.payment.price * 100), paid_at, start, end, now)


def refund_test_subscription(manager: Any, paid: PaidSubscription, doc: UserDoc) -> tuple[RefundQuote, str]:
    from functions.payments import simulate

    quote = test_quote(doc, time.time())
    if quote.amount_cents <= 0:
        raise BadRequest("Nothing to refund for this period")
    refund_id = simulate.deliver_refund(manager, paid, quote.amount_cents)
    return quote, refund_id


# Stripe ------------------------------------------------------------------------------------
def _payment_reference(client: Any, invoice: dict) -> dict[str, str]:
    """``{"payment_intent": id}`` or ``{"charge": id}`` for the invoice's payment (both API shapes)."""
    from functions.payments.stripe_api import to_dict
    from functions.payments.unified import ref_id

    for key in ("payment_intent", "charge"):
        if ref_id(invoice.get(key)):
            return {key: ref_id(invoice[key])}  # type: ignore[dict-item]
    payments = to_dict(client.v1.invoice_payments.list({"invoice": invoice["id"], "limit": 10})).get("data") or []
    for payment in sorted(payments, key=lambda p: p.get("status") != "paid"):
        details = payment.get("payment") or {}
        for key in ("payment_intent", "charge"):
            if ref_id(details.get(key)):
                return {key: ref_id(details[key])}  # type: ignore[dict-item]
    raise BadRequest("The last payment of this subscription cannot be refunded here; contact support")


def stripe_quote(client: Any, subscription: dict, now: float) -> tuple[RefundQuote, dict[str, str]]:
    from functions.payments.stripe_api import to_dict
    from functions.payments.unified import period_end, period_start, ref_id

    invoice_id = ref_id(subscription.get("latest_invoice"))
    if not invoice_id:
        raise BadRequest("Nothing to refund: no payment was made for this subscription")
    invoice = to_dict(client.v1.invoices.retrieve(invoice_id))
    paid_cents = int(invoice.get("amount_paid") or 0)
    if paid_cents <= 0:
        raise BadRequest("Nothing to refund: the last invoice was not paid (trial or free period)")
    paid_at = int((invoice.get("status_transitions") or {}).get("paid_at") or invoice.get("created") or now)
    lines = (invoice.get("lines") or {}).get("data") or []
    line_period = (lines[0].get("period") or {}) if lines else {}
    start = period_start(subscription) or line_period.get("start") or paid_at
    end = period_end(subscription) or line_period.get("end") or paid_at
    quote = quote_refund(paid_cents, paid_at, int(start), int(end), now, invoice.get("currency") or "usd")
    if quote.amount_cents <= 0:
        raise BadRequest("Nothing to refund: the paid period is used up")
    return quote, _payment_reference(client, invoice)


def refund_with_stripe(manager: Any, paid: PaidSubscription) -> tuple[RefundQuote, str]:
    import stripe

    from functions.payments.checkout_stripe import processor_errors
    from functions.payments.stripe_api import stripe_client, to_dict

    client = stripe_client(manager)
    with processor_errors("refund"):
        subscription = to_dict(client.v1.subscriptions.retrieve(paid.resource_id))
        quote, payment = stripe_quote(client, subscription, time.time())
        params = {**payment, "amount": quote.amount_cents, "reason": "requested_by_customer",
                  "metadata": {"uid": paid.uid, "orderId": paid.order_id, "subscriptionId": paid.resource_id,
                               "full": str(quote.full).lower()}}
        try:
            refund = client.v1.refunds.create(params, options={"idempotency_key": f"bem-refund-{paid.resource_id}"})
        except stripe.InvalidRequestError as error:
            if getattr(error, "code", None) == "charge_already_refunded":
                raise BadRequest("This payment was already refunded") from None
            raise
        if subscription.get("status") != "canceled":
            client.v1.subscriptions.cancel(paid.resource_id)
    return quote, refund.id
