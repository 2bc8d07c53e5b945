"""Stripe checkout (``open_checkout``): one customer per uid, prices and coupons resolved at runtime.

Every create carries a deterministic idempotency key, so a retried or doubled request
cannot make a second customer, price, coupon or session:

- customer  ``bem-customer-{uid}``         (after ``customers.search`` by ``metadata['uid']``)
- price     ``bem-price-{product}-{interval}-{count}-{cents}``
- coupon    ``bem-coupon-{id}``            (id derived from code/percent/duration)
- session   ``bem-checkout-{orderId}``

Stripe's search index lags writes by up to a minute, so a second intent right after the
first may not find the customer: the idempotency key then returns the same customer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.config.models import Discount
from functions.payments.frequencies import FREQUENCIES
from functions.payments.processors.stripe.api import processor_errors, stripe_client, to_cents, to_dict

if TYPE_CHECKING:
    import stripe

    from functions.payments.intent import IntentPlan

CURRENCY = "usd"


def _search_literal(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def find_customer_id(client: stripe.StripeClient, uid: str) -> str | None:
    found = client.v1.customers.search({"query": f"metadata['uid']:'{_search_literal(uid)}'", "limit": 1})
    return found.data[0].id if found.data else None


def find_or_create_customer(client: stripe.StripeClient, uid: str, email: str | None) -> str:
    existing = find_customer_id(client, uid)
    if existing:
        return existing
    params: dict[str, Any] = {"metadata": {"uid": uid}}
    if email:
        params["email"] = email
    customer = client.v1.customers.create(params, options={"idempotency_key": f"bem-customer-{uid}"})
    return customer.id


def _price_matches(price: dict, cents: int, recurring: tuple[str, int] | None) -> bool:
    if price.get("unit_amount") != cents or (price.get("currency") or "").lower() != CURRENCY:
        return False
    found = price.get("recurring")
    if recurring is None:
        return not found
    return bool(found) and found.get("interval") == recurring[0] and int(found.get("interval_count") or 1) == recurring[1]


def resolve_price(client: stripe.StripeClient, stripe_product_id: str, amount: float, frequency: str | None) -> str:
    """The active price of the product with this amount and interval; created when missing."""
    cents = to_cents(amount)
    billed = FREQUENCIES[frequency] if frequency else None
    recurring = (billed.interval, billed.interval_count) if billed else None
    listing = client.v1.prices.list({"product": stripe_product_id, "active": True, "limit": 100})
    for price in listing.auto_paging_iter():
        if _price_matches(to_dict(price), cents, recurring):
            return price.id
    params: dict[str, Any] = {"product": stripe_product_id, "unit_amount": cents, "currency": CURRENCY}
    if recurring:
        params["recurring"] = {"interval": recurring[0], "interval_count": recurring[1]}
    interval = f"{recurring[0]}-{recurring[1]}" if recurring else "once"
    created = client.v1.prices.create(params, options={"idempotency_key": f"bem-price-{stripe_product_id}-{interval}-{cents}"})
    return created.id


def coupon_id_for(discount: Discount) -> str:
    months = f"-{discount.duration_in_months}m" if discount.duration == "repeating" else ""
    return f"bem-{discount.code}-{discount.percent:g}pct-{discount.duration}{months}".lower()


def resolve_coupon(client: stripe.StripeClient, discount: Discount) -> str:
    """``stripe_coupon_id`` from config, else a coupon with a derived id (created once)."""
    import stripe

    if discount.stripe_coupon_id:
        return discount.stripe_coupon_id
    coupon_id = coupon_id_for(discount)
    try:
        return client.v1.coupons.retrieve(coupon_id).id
    except stripe.InvalidRequestError as error:
        if getattr(error, "http_status", None) != 404:
            raise
    params: dict[str, Any] = {"id": coupon_id, "percent_off": discount.percent, "duration": discount.duration,
                              "name": discount.code, "metadata": {"code": discount.code}}
    if discount.duration == "repeating":
        params["duration_in_months"] = discount.duration_in_months or 1
    return client.v1.coupons.create(params, options={"idempotency_key": f"bem-coupon-{coupon_id}"}).id


def session_params(plan: IntentPlan, customer_id: str, price_id: str, coupon_id: str | None) -> dict[str, Any]:
    metadata = plan.metadata
    params: dict[str, Any] = {
        "mode": "subscription" if plan.is_subscription else "payment",
        "customer": customer_id,
        "client_reference_id": plan.uid,
        "line_items": [{"price": price_id, "quantity": 1}],
        "success_url": plan.success_url,
        "cancel_url": plan.cancel_url,
        "metadata": metadata,
    }
    if plan.is_subscription:
        params["subscription_data"] = {"metadata": metadata}
        if plan.trial_days > 0:
            params["subscription_data"]["trial_period_days"] = plan.trial_days
    else:
        params["payment_intent_data"] = {"metadata": metadata}
    if coupon_id:
        params["discounts"] = [{"coupon": coupon_id}]
    return params


def create_checkout_session(manager: Any, plan: IntentPlan) -> dict:
    """Customer, price, coupon, then the Checkout Session; returns the session as a dict."""
    client = stripe_client(manager)
    stripe_product_id = plan.product.stripe.product_id
    assert stripe_product_id, "plan_intent checks the product is sold through stripe"
    with processor_errors("checkout"):
        customer_id = find_or_create_customer(client, plan.uid, plan.email)
        price_id = resolve_price(client, stripe_product_id, plan.amount, plan.frequency)
        coupon_id = resolve_coupon(client, plan.discount) if plan.discount else None
        session = client.v1.checkout.sessions.create(
            session_params(plan, customer_id, price_id, coupon_id),
            options={"idempotency_key": f"bem-checkout-{plan.order_id}"},
        )
    return to_dict(session)
