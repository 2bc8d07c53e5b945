"""Stripe's account actions: cancel, refund, billing portal.

- cancel: the subscription is retrieved; ``trialing`` → ``DELETE`` (now), else
  ``cancel_at_period_end=true`` (key ``bem-cancel-{subscriptionId}``); gone or already ``canceled``
  → ``SubscriptionGone``.
- refund: the latest invoice's payment (``payment_intent``/``charge`` before basil,
  ``invoice_payments`` since), the amount by ``functions.payments.refund.quote_refund``, key
  ``bem-refund-{subscriptionId}``; then the subscription is cancelled now.
- dispute actions (``functions/payments/disputes/``): ``cancel_now`` ends a subscription at once
  (already ended → ``SubscriptionGone``), ``refund_charge`` refunds one charge with the caller's
  idempotency key (already refunded → ``AlreadyRefunded``).
- portal: a session with BEM's portal configuration (``subscription_cancel`` and
  ``subscription_update`` disabled, ``payment_method_update`` + ``invoice_history`` enabled),
  created once per Stripe account (key ``bem-portal-configuration-v1``), id cached per process and
  made again when Stripe says it no longer exists.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from functions.config.secrets import secret
from functions.errors import BadRequest
from functions.payments.processors.base import AlreadyRefunded, SubscriptionGone
from functions.payments.processors.stripe.api import processor_errors, stripe_client, to_dict
from functions.payments.processors.stripe.checkout import find_customer_id
from functions.payments.processors.stripe.unify import period_end, period_start, ref_id
from functions.payments.refund import RefundQuote, quote_refund

if TYPE_CHECKING:
    from functions.payments.actions import PaidSubscription
    from functions.user.models import UserDoc


# cancel ------------------------------------------------------------------------------------------
def cancel(manager: Any, paid: PaidSubscription) -> bool:
    """Cancel at period end, or now while trialing. Answers whether it was immediate."""
    import stripe

    client = stripe_client(manager)
    with processor_errors("cancel"):
        try:
            subscription = client.v1.subscriptions.retrieve(paid.resource_id)
        except stripe.InvalidRequestError as error:
            if getattr(error, "http_status", None) == 404:
                raise SubscriptionGone(paid.resource_id) from None
            raise
        if subscription.status in ("canceled", "incomplete_expired"):
            raise SubscriptionGone(paid.resource_id)
        if subscription.status == "trialing":
            client.v1.subscriptions.cancel(paid.resource_id)
            return True
        # same parameters every time, so the idempotency key can never conflict (the reason stays in Firestore)
        client.v1.subscriptions.update(paid.resource_id, {"cancel_at_period_end": True},
                                       options={"idempotency_key": f"bem-cancel-{paid.resource_id}"})
    return False


# refund ------------------------------------------------------------------------------------------
def _payment_reference(client: Any, invoice: dict) -> dict[str, str]:
    """``{"payment_intent": id}`` or ``{"charge": id}`` for the invoice's payment (both API shapes)."""
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


def refund(manager: Any, paid: PaidSubscription) -> tuple[RefundQuote, str]:
    """The last invoice's payment, refunded by the shared rule (key ``bem-refund-{sub}``), then cancel now."""
    import stripe

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


# dispute actions ---------------------------------------------------------------------------------
def cancel_now(manager: Any, subscription_id: str) -> None:
    """End the subscription now (its payment was disputed); ``SubscriptionGone`` when it already ended."""
    import stripe

    client = stripe_client(manager)
    with processor_errors("cancel"):
        try:
            subscription = client.v1.subscriptions.retrieve(subscription_id)
        except stripe.InvalidRequestError as error:
            if getattr(error, "http_status", None) == 404:
                raise SubscriptionGone(subscription_id) from None
            raise
        if subscription.status in ("canceled", "incomplete_expired"):
            raise SubscriptionGone(subscription_id)
        client.v1.subscriptions.cancel(subscription_id)


def refund_charge(manager: Any, charge_id: str, amount_cents: int, *, idempotency_key: str,
                  metadata: dict[str, str]) -> dict:
    """Refund ``amount_cents`` of the charge; the same key (and parameters) replays the first refund."""
    import stripe

    client = stripe_client(manager)
    with processor_errors("refund"):
        try:
            refund = to_dict(client.v1.refunds.create({"charge": charge_id, "amount": amount_cents, "metadata": metadata},
                                                      options={"idempotency_key": idempotency_key}))
        except stripe.InvalidRequestError as error:
            if getattr(error, "code", None) == "charge_already_refunded":
                raise AlreadyRefunded(charge_id) from None
            raise
    return {"id": refund["id"], "amount": refund.get("amount", amount_cents), "currency": refund.get("currency")}


# portal ------------------------------------------------------------------------------------------
PORTAL_FEATURES = {
    "subscription_cancel": {"enabled": False},
    "subscription_update": {"enabled": False},
    "payment_method_update": {"enabled": True},
    "invoice_history": {"enabled": True},
}
CONFIGURATION_KEY = "bem-portal-configuration-v1"
_lock = threading.Lock()
_configurations: dict[str, str] = {}  # Stripe account (API base + key fingerprint) → configuration id


def _account_key() -> str:
    fingerprint = hashlib.sha256((secret("STRIPE_SECRET_KEY") or "").encode()).hexdigest()[:16]
    return f"{os.environ.get('STRIPE_API_BASE', '')}|{fingerprint}"


def forget_portal_configurations() -> None:
    """Drop the cached ids (the test harness calls it when it resets its fake Stripe account)."""
    with _lock:
        _configurations.clear()


def portal_configuration_id(client: Any, *, refresh: bool = False) -> str:
    """The id of our portal configuration (cancel/update disabled), created once per account."""
    account = _account_key()
    with _lock:
        if not refresh and account in _configurations:
            return _configurations[account]
        options: dict[str, Any] = {} if refresh else {"idempotency_key": CONFIGURATION_KEY}
        created = client.v1.billing_portal.configurations.create(
            {"business_profile": {"headline": "Manage your subscription"}, "features": PORTAL_FEATURES,
             "metadata": {"bem": CONFIGURATION_KEY}},
            options=options,
        )
        _configurations[account] = created.id
        return created.id


def _create_session(client: Any, params: dict) -> Any:
    import stripe

    try:
        return client.v1.billing_portal.sessions.create({**params, "configuration": portal_configuration_id(client)})
    except stripe.InvalidRequestError as error:
        if getattr(error, "param", None) != "configuration":
            raise
    # the cached configuration no longer exists (deleted in the Dashboard): make a new one, once
    return client.v1.billing_portal.sessions.create({**params, "configuration": portal_configuration_id(client, refresh=True)})


def portal(manager: Any, uid: str, doc: UserDoc, return_url: str) -> dict:
    """A Billing Portal session for the customer of the user's Stripe subscription, else found by uid."""
    payment = doc.subscription.payment
    client = stripe_client(manager)
    with processor_errors("portal"):
        customer_id = None
        if payment.processor == "stripe" and payment.resource_id:
            subscription = to_dict(client.v1.subscriptions.retrieve(payment.resource_id))
            customer_id = ref_id(subscription.get("customer"))
        customer_id = customer_id or find_customer_id(client, uid)
        if not customer_id:
            raise BadRequest("No billing account yet: buy a plan first")
        session = _create_session(client, {"customer": customer_id, "return_url": return_url})
    return {"url": session.url, "processor": "stripe"}
