"""Chargebee checkout (``open_checkout``): a hosted page for items (BEM's ``intent/processors/chargebee.js``).

- subscription: ``hosted_pages/checkout_new_for_items`` with ``subscription_items[0].item_price_id =
  {product.chargebee.itemId}-{frequency}``; no trial for this buyer (``trial_days == 0``) while the
  product has one → ``subscription.trial_end = 0`` (the item price's trial is skipped); a trial
  applies from the item price's own trial configuration;
- one-time: ``hosted_pages/checkout_one_time_for_items`` with ``charges[0].amount`` (cents of
  ``prices.once``) and the product's name as description;
- both: ``redirect_url``, ``cancel_url``, ``pass_thru_content = {"uid", "orderId", "productId"}``
  (hosted pages do not pass ``meta_data`` on; the webhook finds the uid through it, ``webhook.py``),
  ``coupon_ids`` for a discount.
Coupons: ``BEM_{code}_{percent}OFF_ONCE`` (BEM's id; ``_FOREVER`` / ``_{n}M`` for the other durations),
created with ``coupons/create_for_items`` when missing. Idempotency keys: ``bem-coupon-{couponId}``,
``bem-checkout-{orderId}``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from functions.config.models import Discount
from functions.payments.processors.chargebee.api import chargebee_client, is_not_found, key, processor_errors, raw

if TYPE_CHECKING:
    from functions.payments.intent import IntentPlan


def coupon_id_for(discount: Discount) -> str:
    duration = {"once": "ONCE", "forever": "FOREVER"}.get(discount.duration, f"{discount.duration_in_months or 1}M")
    return f"BEM_{discount.code}_{discount.percent:g}OFF_{duration}"


def coupon_params(discount: Discount, coupon_id: str) -> dict[str, Any]:
    params: dict[str, Any] = {
        "id": coupon_id, "name": f"{discount.code} ({discount.percent:g}% off)", "discount_type": "percentage",
        "discount_percentage": discount.percent, "apply_on": "invoice_amount",
    }
    if discount.duration == "repeating":
        params.update(duration_type="limited_period", period=discount.duration_in_months or 1, period_unit="month")
    else:
        params["duration_type"] = "one_time" if discount.duration == "once" else "forever"
    return params


def resolve_coupon(client: Any, discount: Discount) -> str:
    import chargebee

    coupon_id = coupon_id_for(discount)
    try:
        client.Coupon.retrieve(coupon_id)
        return coupon_id
    except chargebee.APIError as error:
        if not is_not_found(error):
            raise
    client.Coupon.create_for_items(coupon_params(discount, coupon_id), key(f"bem-coupon-{coupon_id}"))
    return coupon_id


def hosted_page_params(plan: IntentPlan, coupon_id: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "redirect_url": plan.success_url,
        "cancel_url": plan.cancel_url,
        "pass_thru_content": json.dumps(plan.metadata),
    }
    if plan.is_subscription:
        params["subscription_items"] = [{"item_price_id": f"{plan.product.chargebee.item_id}-{plan.frequency}", "quantity": 1}]
        if plan.trial_days <= 0 and plan.product.trial_days > 0:
            params["subscription"] = {"trial_end": 0}  # BEM: skip the item price's trial
    else:
        params["charges"] = [{"amount": round(plan.amount * 100), "description": plan.product.name or plan.product.id}]
    if coupon_id:
        params["coupon_ids"] = [coupon_id]
    return params


def open_hosted_page(manager: Any, plan: IntentPlan) -> dict:
    """The hosted page as a dict (``id``, ``url``, ...)."""
    client = chargebee_client(manager)
    with processor_errors("checkout"):
        coupon_id = resolve_coupon(client, plan.discount) if plan.discount else None
        params = hosted_page_params(plan, coupon_id)
        headers = key(f"bem-checkout-{plan.order_id}")
        if plan.is_subscription:
            answer = client.HostedPage.checkout_new_for_items(params, headers)
        else:
            answer = client.HostedPage.checkout_one_time_for_items(params, headers)
    return raw(answer.hosted_page)
