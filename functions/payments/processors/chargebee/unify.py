"""Chargebee objects → the unified shapes (BEM's ``libraries/payment/processors/chargebee.js``).

- status: ``active``/``in_trial``/``non_renewing``/``future`` → active, ``paused`` → suspended,
  anything else (``cancelled``, ``transferred``) → cancelled;
- cancellation: ``non_renewing`` → pending at ``current_term_end``; ``cancelled_at`` → its date;
- trial: claimed when ``trial_start`` and ``trial_end`` are set; expires at ``trial_end``;
- product: items model ``subscription_items[0].item_price_id`` starts with ``{chargebee.itemId}-``;
  legacy plans model ``plan_id`` in ``chargebee.legacyPlanIds``; else our ``productId`` from
  ``meta_data``; else basic;
- expires: ``current_term_end`` (in trial without a term: ``trial_end``; BEM leaves it unset);
- frequency: the ``item_price_id`` suffix (``…-monthly``), else ``billing_period_unit``;
- price: the config product's price for that frequency (BEM), else the item's unit price;
- uid/orderId/productId: ``meta_data`` (a JSON string or object), else the legacy custom fields
  ``cf_uid`` / ``cf_clientorderid``.
One-time purchases are invoices without ``subscription_id``: ``paid`` → completed,
``payment_due``/``not_paid`` → failed, ``voided`` → failed, a refunded credit note → refunded.
"""

from __future__ import annotations

import json
from typing import Any

from functions.config.models import Config, Product
from functions.payments.frequencies import FREQUENCIES, frequency_of_interval
from functions.payments.processors.base import ParsedWebhook
from functions.payments.products import product_by_id
from functions.payments.unified import OneTimeOrder, OneTimePayment, OneTimeStatus
from functions.timestamps import Stamp
from functions.user.models import Cancellation, EventRef, PaymentInfo, ProductRef, Subscription, TrialInfo, UpdatedBy

ACTIVE_STATUSES = frozenset({"active", "in_trial", "non_renewing", "future"})
PROCESSOR = "chargebee"


def map_chargebee_status(status: str | None) -> str:
    if status in ACTIVE_STATUSES:
        return "active"
    return "suspended" if status == "paused" else "cancelled"


def meta_data(resource: Any) -> dict:
    """``{uid, orderId, productId}`` from ``meta_data`` (JSON text or object), else the legacy ``cf_*`` fields."""
    if not isinstance(resource, dict):
        return {}
    value = resource.get("meta_data")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            value = None
    if isinstance(value, dict) and (value.get("uid") or value.get("orderId")):
        return {key: value[key] for key in ("uid", "orderId", "productId") if _text(value.get(key))}
    legacy = {"uid": resource.get("cf_uid"), "orderId": resource.get("cf_clientorderid")}
    return {key: found for key, found in legacy.items() if _text(found)}


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _stamp(seconds: Any) -> Stamp:
    return Stamp.at(_int(seconds)) if _int(seconds) else Stamp()


def first_item_price_id(subscription: dict) -> str | None:
    items = subscription.get("subscription_items")
    item = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
    value = item.get("item_price_id")
    return value if _text(value) else None


def frequency_of(subscription: dict) -> str | None:
    item_price_id = first_item_price_id(subscription)
    if item_price_id:
        suffix = item_price_id.rsplit("-", 1)[-1]
        if suffix in FREQUENCIES:
            return suffix
    unit = subscription.get("billing_period_unit")
    return frequency_of_interval(unit if isinstance(unit, str) else None)


def chargebee_product(subscription: dict, config: Config) -> Product:
    item_price_id = first_item_price_id(subscription)
    plan_id = subscription.get("plan_id")
    products = config.payment.products
    if item_price_id:
        for product in products:
            item_id = product.chargebee.item_id
            if item_id and item_price_id.startswith(f"{item_id}-"):
                return product
    if _text(plan_id):
        for product in products:
            if plan_id in product.chargebee.legacy_plan_ids:
                return product
    return product_by_id(config, meta_data(subscription).get("productId"))


def _unit_amount(subscription: dict) -> float:
    items = subscription.get("subscription_items")
    item = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
    cents = item.get("unit_price", subscription.get("plan_unit_price"))
    return round(_int(cents) / 100, 2)


def _updated_by(event: ParsedWebhook) -> UpdatedBy:
    return UpdatedBy(event=EventRef(name=event.event_type, id=event.event_id), date=Stamp.now())


def _cancellation(subscription: dict, status: str) -> Cancellation:
    if subscription.get("status") == "non_renewing":
        return Cancellation(pending=True, date=_stamp(subscription.get("current_term_end")))
    if _int(subscription.get("cancelled_at")):
        return Cancellation(pending=False, date=_stamp(subscription["cancelled_at"]))
    return Cancellation()


def chargebee_subscription_to_unified(subscription: dict, config: Config, event: ParsedWebhook) -> Subscription:
    status = map_chargebee_status(subscription.get("status"))
    product = chargebee_product(subscription, config)
    frequency = frequency_of(subscription)
    price = product.prices.for_frequency(frequency) if (product.prices and frequency) else None
    trial_start, trial_end = _int(subscription.get("trial_start")), _int(subscription.get("trial_end"))
    return Subscription(
        product=ProductRef(id=product.id, name=product.name or product.id),
        status=status,
        expires=_stamp(subscription.get("current_term_end") or subscription.get("trial_end") or subscription.get("cancelled_at")),
        trial=TrialInfo(claimed=bool(trial_start and trial_end), expires=_stamp(trial_end)),
        cancellation=_cancellation(subscription, status),
        payment=PaymentInfo(
            processor=PROCESSOR,
            order_id=meta_data(subscription).get("orderId"),
            resource_id=subscription.get("id"),
            frequency=frequency,
            price=price if price is not None else _unit_amount(subscription),
            start_date=_stamp(subscription.get("started_at") or subscription.get("created_at")),
            updated_by=_updated_by(event),
        ),
    )


def _one_time_status(invoice: dict) -> OneTimeStatus:
    if invoice.get("status") == "paid":
        refunded = [note for note in invoice.get("issued_credit_notes") or [] if isinstance(note, dict)]
        if any(note.get("cn_status") == "refunded" for note in refunded):
            return "refunded"
        return "completed"
    if invoice.get("status") in ("payment_due", "not_paid", "voided"):
        return "failed"
    return "pending"


def chargebee_one_time_to_unified(invoice: dict, config: Config, event: ParsedWebhook) -> OneTimeOrder:
    product = product_by_id(config, meta_data(invoice).get("productId"))
    cents = invoice.get("total", invoice.get("amount_paid"))
    price = product.prices.once if product.prices and product.prices.once is not None else round(_int(cents) / 100, 2)
    currency = invoice.get("currency_code")
    return OneTimeOrder(
        product=ProductRef(id=product.id, name=product.name or product.id),
        status=_one_time_status(invoice),
        payment=OneTimePayment(
            processor=PROCESSOR,
            order_id=meta_data(invoice).get("orderId"),
            resource_id=invoice.get("id"),
            price=price,
            currency=currency.lower() if _text(currency) else None,
            date=_stamp(invoice.get("paid_at") or invoice.get("date")),
            updated_by=_updated_by(event),
        ),
    )
