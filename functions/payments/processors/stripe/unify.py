"""Stripe-shaped objects → the unified shapes, reading both API generations.

- ``map_stripe_status``: active/trialing → active; past_due/unpaid → suspended; else cancelled.
- Period fields: ``current_period_end`` on the subscription (before ``2025-03-31.basil``) or on
  ``items.data[0]`` (since basil). Invoices: ``invoice.subscription`` (old) or
  ``invoice.parent.subscription_details.subscription`` (new); $0 trial invoices have no
  ``payment_intent``. Expanded objects (dicts) and ids (str) are both accepted.
Used by the Stripe and the test processor (which sends Stripe-shaped objects; its product id for a
product without ``stripe.productId`` is BEM's ``_test_<id>``).
"""

from __future__ import annotations

from typing import Any

from functions.config.models import Config, Product
from functions.payments.frequencies import frequency_of_interval
from functions.payments.processors.base import ParsedWebhook
from functions.payments.products import product_by_id, resolve_product
from functions.payments.unified import OneTimeOrder, OneTimePayment, OneTimeStatus
from functions.timestamps import Stamp
from functions.user.models import Cancellation, EventRef, PaymentInfo, ProductRef, Subscription, TrialInfo, UpdatedBy

# the test processor's product id for a product without ``stripe.productId`` (BEM: ``_test_<id>``)
TEST_PRODUCT_PREFIX = "_test_"
STATUS_MAP = {"active": "active", "trialing": "active", "past_due": "suspended", "unpaid": "suspended"}


def map_stripe_status(status: str | None) -> str:
    """Stripe subscription status → ``active`` | ``suspended`` | ``cancelled``."""
    return STATUS_MAP.get(status or "", "cancelled")


def ref_id(value: Any) -> str | None:
    """The id of a Stripe reference that may be expanded (dict) or not (str)."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


def first_item(subscription: dict) -> dict:
    data = (subscription.get("items") or {}).get("data") or []
    return data[0] if data else {}


def period_end(subscription: dict) -> int | None:
    return subscription.get("current_period_end") or first_item(subscription).get("current_period_end")


def period_start(subscription: dict) -> int | None:
    return subscription.get("current_period_start") or first_item(subscription).get("current_period_start")


def stripe_product_id(subscription: dict) -> str | None:
    item = first_item(subscription)
    price = item.get("price") or item.get("plan") or subscription.get("plan") or {}
    return ref_id(price.get("product"))


def frequency_of(subscription: dict) -> str | None:
    item = first_item(subscription)
    price = item.get("price") or {}
    plan = item.get("plan") or subscription.get("plan") or {}
    interval = (price.get("recurring") or {}).get("interval") or plan.get("interval")
    return frequency_of_interval(interval)


def unit_amount(subscription: dict) -> float:
    item = first_item(subscription)
    price = item.get("price") or item.get("plan") or {}
    cents = price.get("unit_amount", price.get("amount"))
    return round((cents or 0) / 100, 2)


def subscription_id_of_invoice(invoice: dict) -> str | None:
    """Old shape ``invoice.subscription``; new shape ``invoice.parent.subscription_details.subscription``."""
    old = ref_id(invoice.get("subscription"))
    if old:
        return old
    details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
    return ref_id(details.get("subscription"))


def _stamp(seconds: Any) -> Stamp:
    return Stamp.at(int(seconds)) if seconds else Stamp()


def _updated_by(event: ParsedWebhook) -> UpdatedBy:
    return UpdatedBy(event=EventRef(name=event.event_type, id=event.event_id), date=Stamp.now())


def subscription_product(subscription: dict, config: Config, processor: str = "stripe") -> Product:
    processor_product = stripe_product_id(subscription)
    if processor == "test" and processor_product and processor_product.startswith(TEST_PRODUCT_PREFIX):
        return product_by_id(config, processor_product.removeprefix(TEST_PRODUCT_PREFIX))
    product = resolve_product(config, processor_product, "stripe")
    if product.is_free:  # fall back to the product our intent recorded
        product = product_by_id(config, (subscription.get("metadata") or {}).get("productId"))
    return product


def stripe_subscription_to_unified(subscription: dict, config: Config, event: ParsedWebhook, processor: str) -> Subscription:
    status = map_stripe_status(subscription.get("status"))
    product = subscription_product(subscription, config, processor)
    end = period_end(subscription)
    cancelled = status == "cancelled"
    pending = not cancelled and bool(subscription.get("cancel_at_period_end") or subscription.get("cancel_at"))
    if cancelled:
        cancel_date = subscription.get("ended_at") or subscription.get("canceled_at")
    else:
        cancel_date = (subscription.get("cancel_at") or end) if pending else None
    frequency = frequency_of(subscription)
    price = product.prices.for_frequency(frequency) if (product.prices and frequency) else None
    trial_claimed = bool(subscription.get("trial_start")) or subscription.get("status") == "trialing"
    return Subscription(
        product=ProductRef(id=product.id, name=product.name or product.id),
        status=status,
        expires=_stamp(end or subscription.get("ended_at")),
        trial=TrialInfo(claimed=trial_claimed, expires=_stamp(subscription.get("trial_end"))),
        cancellation=Cancellation(pending=pending, date=_stamp(cancel_date)),
        payment=PaymentInfo(
            processor=processor,
            order_id=(subscription.get("metadata") or {}).get("orderId"),
            resource_id=subscription.get("id"),
            frequency=frequency,
            price=price if price is not None else unit_amount(subscription),
            start_date=_stamp(subscription.get("start_date") or subscription.get("created")),
            updated_by=_updated_by(event),
        ),
    )


def _one_time_product(resource: dict, config: Config) -> Product:
    product = product_by_id(config, (resource.get("metadata") or {}).get("productId"))
    if not product.is_free:
        return product
    lines = (resource.get("line_items") or resource.get("lines") or {}).get("data") or []
    price = (lines[0].get("price") or (lines[0].get("pricing") or {}).get("price_details") or {}) if lines else {}
    return resolve_product(config, ref_id(price.get("product")), "stripe")


def _one_time_status(resource: dict, event: ParsedWebhook) -> OneTimeStatus:
    kind = resource.get("object")
    if kind == "charge":
        return "refunded" if resource.get("refunded") or resource.get("amount_refunded") else "completed"
    if kind == "invoice":
        return "completed" if resource.get("status") == "paid" else "failed"
    if resource.get("status") == "expired":
        return "failed"
    return "completed" if resource.get("payment_status") in ("paid", "no_payment_required") else "pending"


def stripe_one_time_to_unified(resource: dict, config: Config, event: ParsedWebhook, processor: str) -> OneTimeOrder:
    product = _one_time_product(resource, config)
    cents = resource.get("amount_total", resource.get("amount_due", resource.get("amount")))
    price = product.prices.once if product.prices and product.prices.once is not None else round((cents or 0) / 100, 2)
    return OneTimeOrder(
        product=ProductRef(id=product.id, name=product.name or product.id),
        status=_one_time_status(resource, event),
        payment=OneTimePayment(
            processor=processor,
            order_id=(resource.get("metadata") or {}).get("orderId"),
            resource_id=resource.get("id"),
            price=price,
            currency=resource.get("currency"),
            date=_stamp(resource.get("created")),
            updated_by=_updated_by(event),
        ),
    )
