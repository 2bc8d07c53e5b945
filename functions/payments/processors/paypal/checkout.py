"""PayPal checkouts (``open_checkout``), BEM's requests:

- subscription: the plan is resolved at run time from ``paypal.productId`` (BEM): the product's
  ACTIVE plans (``GET /v1/billing/plans?product_id=…``), the one whose REGULAR cycle bills at the
  frequency's interval and the config price (plan details read when the list leaves out the cycles;
  cached per process). ``POST /v1/billing/subscriptions`` with ``custom_id`` ``uid:…,orderId:…``,
  ``application_context`` (brand, return/cancel URLs, ``SUBSCRIBE_NOW``, ``NO_SHIPPING``); without a
  trial, ``start_time`` = now + 5 min (BEM: billing starts at once). Answer: the ``approve`` link.
- one-time: ``POST /v2/checkout/orders`` (``intent: CAPTURE``, ``prices.once`` USD, ``custom_id`` with
  the productId, ``payment_source.paypal.experience_context``). Answer: the ``payer-action`` link.
  The pipeline captures it when ``CHECKOUT.ORDER.APPROVED`` arrives.
Both with ``PayPal-Request-Id`` ``bem-subscription-{orderId}`` / ``bem-order-{orderId}``: a repeated
request for the same intent opens one checkout. Discount codes are refused (PayPal has no coupon
on a plan subscription; BEM silently charges full price).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from functions.errors import BadRequest, BemError, ValidationError
from functions.payments.frequencies import frequency as frequency_named
from functions.payments.processors.base import Checkout
from functions.payments.processors.paypal.api import PayPalClient, paypal_client, processor_errors
from functions.payments.processors.paypal.unify import build_custom_id, cycle, cycle_interval, cycle_price_cents, mapping
from functions.payments.processors.paypal.webhook import get_plan

if TYPE_CHECKING:
    from functions.payments.intent import IntentPlan

TRIAL_SKIP_SECONDS = 300  # PayPal needs a start_time in the future


def _link(answer: dict, *rels: str) -> str:
    for link in answer.get("links") or []:
        if mapping(link).get("rel") in rels and mapping(link).get("href"):
            return link["href"]
    raise BemError("PayPal answered no approval link", status=502, code="processor-error")


def resolve_plan_id(client: PayPalClient, paypal_product: str, frequency: str, amount: float) -> str:
    """The ACTIVE plan of ``paypal_product`` billing every ``frequency`` at ``amount`` (BEM's rule)."""
    wanted = frequency_named(frequency)
    listed = client.get("/v1/billing/plans", {"product_id": paypal_product, "page_size": 20, "total_required": "true"})
    for summary in listed.get("plans") or []:
        summary = mapping(summary)
        if summary.get("status") != "ACTIVE" or not summary.get("id"):
            continue
        plan = summary if summary.get("billing_cycles") else get_plan(client, summary["id"])
        regular = cycle(plan, "REGULAR")
        if cycle_interval(regular) == (wanted.interval.upper(), wanted.interval_count) and cycle_price_cents(regular) == round(amount * 100):
            return summary["id"]
    raise BadRequest(f"No active PayPal plan bills {frequency} at {amount:g} for PayPal product '{paypal_product}'")


def open_paypal_checkout(manager: Any, plan: IntentPlan) -> Checkout:
    if plan.discount is not None:
        raise ValidationError("Invalid value for discount: discount codes are not available with PayPal", field="discount")
    client = paypal_client(manager)
    brand = manager.config.brand.name or plan.product.name or plan.product.id
    with processor_errors("checkout"):
        answer = _subscription(client, plan, brand) if plan.is_subscription else _order(client, plan, brand)
    url = _link(answer, "approve", "payer-action")
    return Checkout(id=str(answer.get("id") or ""), url=url, raw=answer)


def _subscription(client: PayPalClient, plan: IntentPlan, brand: str) -> dict:
    plan_id = resolve_plan_id(client, plan.product.paypal.product_id or "", plan.frequency or "monthly", plan.amount)
    body: dict[str, Any] = {
        "plan_id": plan_id,
        "custom_id": build_custom_id(plan.uid, plan.order_id),
        "application_context": {"brand_name": brand, "return_url": plan.success_url, "cancel_url": plan.cancel_url,
                                "user_action": "SUBSCRIBE_NOW", "shipping_preference": "NO_SHIPPING"},
    }
    if not plan.trial_days:
        start = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=TRIAL_SKIP_SECONDS)
        body["start_time"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    return client.post("/v1/billing/subscriptions", body, request_id=f"bem-subscription-{plan.order_id}")


def _order(client: PayPalClient, plan: IntentPlan, brand: str) -> dict:
    body = {
        "intent": "CAPTURE",
        "purchase_units": [{
            "amount": {"currency_code": "USD", "value": f"{plan.amount:.2f}"},
            "description": plan.product.name or plan.product.id,
            "custom_id": build_custom_id(plan.uid, plan.order_id, plan.product.id),
        }],
        "payment_source": {"paypal": {"experience_context": {
            "brand_name": brand, "return_url": plan.success_url, "cancel_url": plan.cancel_url,
            "user_action": "PAY_NOW", "shipping_preference": "NO_SHIPPING",
        }}},
    }
    return client.post("/v2/checkout/orders", body, request_id=f"bem-order-{plan.order_id}")
