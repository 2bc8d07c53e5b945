"""Stripe-shaped test data: subscriptions, invoices, Checkout Sessions, charges and event envelopes.

Used by tests, benchmarks and the test payment processor (which delivers such events to the real
webhook endpoint). Related objects travel *expanded*, as Stripe's ``expand[]`` would return them:
``make_invoice(subscription=sub)`` and ``make_charge(subscription=sub)`` embed the subscription dict.
Ids get Stripe's prefixes; products default to the demo config's ``prod_premium_demo`` /
``prod_credits_demo``. ``api_shape="old"`` builds the pre-basil shapes (period on the subscription,
``invoice.subscription``).
"""

from __future__ import annotations

import secrets
import time
from typing import Any, Literal

from functions.payments.frequencies import DAY, interval_seconds
from functions.payments.processors.stripe.api import STRIPE_API_VERSION

ApiShape = Literal["new", "old"]


def stripe_id(prefix: str) -> str:
    return f"{prefix}_test{secrets.token_hex(8)}"


def make_subscription(*, uid: str | None, order_id: str | None = None, product: str = "prod_premium_demo",
                      status: str = "active", interval: str = "month", amount: int = 499, trial_days: int = 0,
                      cancel_at_period_end: bool = False, cancel_at: int | None = None, canceled_at: int | None = None,
                      start: int | None = None, id: str | None = None, api_shape: ApiShape = "new",
                      metadata: dict | None = None) -> dict:
    """A Stripe subscription. ``api_shape="old"`` puts the period on the subscription (pre-basil)."""
    start = int(start or time.time())
    trial_end = start + trial_days * DAY if trial_days else None
    period_start = start
    period_end = trial_end or start + interval_seconds(interval)
    price = {"id": stripe_id("price"), "object": "price", "active": True, "currency": "usd", "product": product,
             "unit_amount": amount, "recurring": {"interval": interval, "interval_count": 1}, "type": "recurring"}
    item: dict[str, Any] = {"id": stripe_id("si"), "object": "subscription_item", "price": price, "quantity": 1}
    subscription: dict[str, Any] = {
        "id": id or stripe_id("sub"), "object": "subscription", "status": status, "customer": stripe_id("cus"),
        "created": start, "start_date": start, "cancel_at_period_end": cancel_at_period_end, "cancel_at": cancel_at,
        "canceled_at": canceled_at, "ended_at": canceled_at if status == "canceled" else None,
        "trial_start": start if trial_days else None, "trial_end": trial_end, "currency": "usd", "livemode": False,
        "items": {"object": "list", "data": [item]},
        "metadata": {**({"uid": uid} if uid else {}), **({"orderId": order_id} if order_id else {}), **(metadata or {})},
    }
    period = {"current_period_start": period_start, "current_period_end": period_end}
    (subscription if api_shape == "old" else item).update(period)
    return subscription


def make_invoice(*, subscription: dict | str | None = None, uid: str | None = None, status: str = "open",
                 amount_due: int = 499, id: str | None = None, api_shape: ApiShape = "new", metadata: dict | None = None) -> dict:
    """A Stripe invoice; ``subscription`` (dict = expanded) linked in the old or new (``parent``) shape."""
    invoice: dict[str, Any] = {
        "id": id or stripe_id("in"), "object": "invoice", "status": status, "amount_due": amount_due,
        "amount_paid": amount_due if status == "paid" else 0, "currency": "usd", "created": int(time.time()),
        "customer": stripe_id("cus"), "billing_reason": "subscription_cycle" if subscription else "manual",
        "metadata": {**({"uid": uid} if uid else {}), **(metadata or {})},
    }
    if subscription is not None and api_shape == "old":
        invoice["subscription"] = subscription
    elif subscription is not None:
        sub_metadata = subscription.get("metadata", {}) if isinstance(subscription, dict) else {}
        invoice["parent"] = {"type": "subscription_details",
                             "subscription_details": {"subscription": subscription, "metadata": sub_metadata}}
    return invoice


def make_checkout_session(*, uid: str | None, order_id: str | None = None, product_id: str = "credits-100",
                          product: str = "prod_credits_demo", mode: str = "payment", payment_status: str = "paid",
                          amount_total: int = 999, id: str | None = None, metadata: dict | None = None) -> dict:
    """A completed Checkout Session with metadata ``{uid, orderId, productId}`` and expanded line items."""
    return {
        "id": id or stripe_id("cs"), "object": "checkout.session", "mode": mode, "status": "complete",
        "payment_status": payment_status, "amount_total": amount_total, "currency": "usd", "created": int(time.time()),
        "client_reference_id": uid, "customer": stripe_id("cus"), "payment_intent": stripe_id("pi"),
        "line_items": {"object": "list", "data": [{"id": stripe_id("li"), "object": "item", "quantity": 1,
                       "price": {"id": stripe_id("price"), "object": "price", "product": product, "unit_amount": amount_total}}]},
        "metadata": {**({"uid": uid} if uid else {}), **({"orderId": order_id} if order_id else {}),
                     "productId": product_id, **(metadata or {})},
    }


def make_charge(*, uid: str | None = None, amount: int = 499, refunded: bool = True, subscription: dict | None = None,
                invoice: dict | str | None = None, id: str | None = None, metadata: dict | None = None) -> dict:
    """A (refunded) charge. ``subscription=`` embeds an expanded invoice → subscription chain (old shape)."""
    if subscription is not None and invoice is None:
        invoice = make_invoice(subscription=subscription, status="paid", amount_due=amount, api_shape="old")
    return {
        "id": id or stripe_id("ch"), "object": "charge", "amount": amount, "amount_refunded": amount if refunded else 0,
        "refunded": refunded, "currency": "usd", "created": int(time.time()), "payment_intent": stripe_id("pi"),
        "invoice": invoice, "metadata": {**({"uid": uid} if uid else {}), **(metadata or {})},
    }


def make_event(type: str, obj: dict, *, created: int | None = None, id: str | None = None) -> dict:
    """A Stripe event envelope around ``obj`` (``data.object``)."""
    return {
        "id": id or stripe_id("evt"), "object": "event", "api_version": STRIPE_API_VERSION,
        "created": int(created if created is not None else time.time()), "livemode": False, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None}, "type": type, "data": {"object": obj},
    }


__all__ = ["ApiShape", "make_charge", "make_checkout_session", "make_event", "make_invoice", "make_subscription", "stripe_id"]
