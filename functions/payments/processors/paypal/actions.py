"""PayPal's account actions: cancel, refund, portal link.

- cancel: the subscription is read; gone (404) or already CANCELLED/EXPIRED → ``SubscriptionGone``;
  else ``POST /v1/billing/subscriptions/{id}/cancel`` (``bem-cancel-{id}``). PayPal cancels at once;
  the user keeps access until the paid period ends (unify: cancelled with period remaining → active +
  ``cancellation.pending``) and the daily ``expire-paypal-cancellations`` job ends it then.
- refund: the latest transaction of the last year (``…/transactions``), the amount by the
  shared ``quote_refund`` (the period runs from that payment to ``next_billing_time``, else one
  billing interval), ``POST /v2/payments/captures/{id}/refund`` (``bem-refund-{transactionId}``), then
  the subscription is cancelled with the note ``bem-refund`` (``bem-refund-cancel-{id}``), which
  unify reads as "access ends now". Refunded and cancelled already → 400; refunded but still running
  (the cancel failed last time) → the refund call is repeated with its request id (PayPal answers the
  first refund) and the cancel is made.
- portal: PayPal has no billing portal; subscribers manage it at PayPal (BEM's link; sandbox's in sandbox).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any

from functions.errors import BadRequest
from functions.payments.processors.base import SubscriptionGone
from functions.payments.processors.paypal.api import PayPalClient, PayPalError, paypal_client, paypal_mode, processor_errors
from functions.payments.processors.paypal.unify import REFUND_NOTE, add_interval, cycle, cycle_interval, mapping, unix
from functions.payments.processors.paypal.webhook import get_plan
from functions.payments.refund import RefundQuote, quote_refund

if TYPE_CHECKING:
    from functions.payments.actions import PaidSubscription

GONE = ("CANCELLED", "EXPIRED")
REFUNDED = ("REFUNDED", "PARTIALLY_REFUNDED")
PORTAL_URL = {"live": "https://www.paypal.com/myaccount/autopay/", "sandbox": "https://www.sandbox.paypal.com/myaccount/autopay/"}
REFUND_WINDOW_DAYS = 365


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _subscription(client: PayPalClient, subscription_id: str) -> dict:
    try:
        return client.get(f"/v1/billing/subscriptions/{subscription_id}")
    except PayPalError as error:
        if error.status == 404:
            raise SubscriptionGone(subscription_id) from None
        raise


# cancel ------------------------------------------------------------------------------------------
def cancel(manager: Any, paid: PaidSubscription, *, trialing: bool) -> bool:
    """Cancel now at PayPal; answers whether access ends now (in a trial nothing was paid)."""
    client = paypal_client(manager)
    with processor_errors("cancel"):
        subscription = _subscription(client, paid.resource_id)
        if subscription.get("status") in GONE:
            raise SubscriptionGone(paid.resource_id)
        client.post(f"/v1/billing/subscriptions/{paid.resource_id}/cancel", {"reason": "Customer requested cancellation"},
                    request_id=f"bem-cancel-{paid.resource_id}")
    return trialing


# refund ------------------------------------------------------------------------------------------
def latest_payment(client: PayPalClient, subscription_id: str, now: float) -> dict:
    answer = client.get(f"/v1/billing/subscriptions/{subscription_id}/transactions",
                        {"start_time": _iso(now - REFUND_WINDOW_DAYS * 86400), "end_time": _iso(now)})
    payments = [mapping(t) for t in answer.get("transactions") or [] if mapping(t).get("id") and unix(mapping(t).get("time"))]
    if not payments:
        raise BadRequest("Nothing to refund: no completed payment for this subscription")
    latest = max(payments, key=lambda t: unix(t["time"]) or 0)
    if latest.get("status") not in ("COMPLETED", *REFUNDED):
        raise BadRequest("Nothing to refund: the last payment did not complete")
    return latest


def paypal_quote(client: PayPalClient, subscription: dict, payment: dict, now: float) -> RefundQuote:
    gross = mapping(mapping(payment.get("amount_with_breakdown")).get("gross_amount"))
    try:
        paid_cents = round(float(gross.get("value") or 0) * 100)
    except (TypeError, ValueError):
        paid_cents = 0
    if paid_cents <= 0:
        raise BadRequest("Nothing to refund: the last payment was nothing (trial)")
    paid_at = unix(payment["time"]) or int(now)
    end = unix(mapping(subscription.get("billing_info")).get("next_billing_time"))
    if not end and subscription.get("plan_id"):
        interval = cycle_interval(cycle(get_plan(client, subscription["plan_id"]), "REGULAR"))
        end = add_interval(paid_at, *interval) if interval else None
    quote = quote_refund(paid_cents, paid_at, paid_at, end or paid_at, now, str(gross.get("currency_code") or "USD").lower())
    if quote.amount_cents <= 0:
        raise BadRequest("Nothing to refund: the paid period is used up")
    return quote


def refund(manager: Any, paid: PaidSubscription) -> tuple[RefundQuote, str]:
    """The last payment, refunded by the shared rule, then the subscription cancelled (access ends now)."""
    client = paypal_client(manager)
    now = time.time()
    with processor_errors("refund"):
        subscription = _subscription(client, paid.resource_id)
        payment = latest_payment(client, paid.resource_id, now)
        if payment.get("status") in REFUNDED and subscription.get("status") in GONE:
            raise BadRequest("This payment was already refunded")
        # refunded but still running: a retry after the cancel failed; the same request id replays the refund
        quote = paypal_quote(client, subscription, payment, now)
        body = {"amount": {"value": f"{quote.amount_cents / 100:.2f}", "currency_code": quote.currency.upper()},
                "note_to_payer": "Subscription refund", "custom_id": f"orderId:{paid.order_id}"}
        try:
            made = client.post(f"/v2/payments/captures/{payment['id']}/refund", body, request_id=f"bem-refund-{payment['id']}")
        except PayPalError as error:
            if error.status == 422 and "REFUNDED" in error.name:
                raise BadRequest("This payment was already refunded") from None
            raise
        if subscription.get("status") not in GONE:
            client.post(f"/v1/billing/subscriptions/{paid.resource_id}/cancel", {"reason": f"{REFUND_NOTE}: refund requested"},
                        request_id=f"bem-refund-cancel-{paid.resource_id}")
    return quote, str(made.get("id") or "")


# portal ------------------------------------------------------------------------------------------
def portal(manager: Any) -> dict:
    return {"url": PORTAL_URL[paypal_mode(manager)], "processor": "paypal"}
