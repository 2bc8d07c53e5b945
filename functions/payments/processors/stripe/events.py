"""Stripe-shaped events, shared by the Stripe and test processors (the test processor sends them too).

- ``load_event(raw)``: the envelope, checked (400 for anything malformed).
- ``parse_stripe_event(event, processor)``: which events we handle and what they point at.
- ``StripeShaped``: ``uid_of``/``order_id_of``/``customer_name``/``to_unified_*`` for Stripe-shaped resources.
"""

from __future__ import annotations

import json
import time
from typing import Any

from functions.config.models import Config
from functions.errors import BadRequest
from functions.payments.processors.base import Category, ParsedWebhook, RefundDetails, cents_text
from functions.payments.processors.stripe.unify import (
    ref_id,
    stripe_one_time_to_unified,
    stripe_subscription_to_unified,
    subscription_id_of_invoice,
)
from functions.payments.unified import OneTimeOrder
from functions.user.models import Subscription

SUBSCRIPTION_EVENTS = frozenset({
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
})
SUPPORTED_EVENTS = SUBSCRIPTION_EVENTS | {"invoice.payment_failed", "checkout.session.completed", "charge.refunded"}


def load_event(raw: bytes) -> dict:
    """The event envelope, checked: ``id`` and ``type`` strings, ``created`` a unix time, ``data.object``
    an object. Anything else is a 400 before anything is written (a signature proves who sent it,
    not that it has the shape we read)."""
    try:
        event = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise BadRequest("Webhook body is not JSON") from error
    if not isinstance(event, dict) or not _text(event.get("id")) or not _text(event.get("type")):
        raise BadRequest("Webhook body is not an event (needs id and type)")
    created = event.get("created", 0)
    if isinstance(created, bool) or not isinstance(created, int) or created < 0:
        raise BadRequest("Webhook event created must be a unix time (integer seconds)")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise BadRequest("Webhook event data.object must be an object")
    return event


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _metadata_uid(obj: dict) -> str | None:
    details = _mapping(_mapping(obj.get("parent")).get("subscription_details"))
    for uid in (_mapping(obj.get("metadata")).get("uid"), _mapping(details.get("metadata")).get("uid"),
                obj.get("client_reference_id")):
        if _text(uid):
            return uid
    return None


def parse_stripe_event(event: dict, processor: str) -> ParsedWebhook | None:
    """``None`` for events we do not handle (answered 200 and ignored); 400 for a malformed object."""
    event_type = event.get("type", "")
    if event_type not in SUPPORTED_EVENTS:
        return None
    obj = event["data"]["object"]
    if not _text(obj.get("id")):
        raise BadRequest("Webhook event data.object needs an id")
    try:
        parsed = _parse_object(event, event_type, obj, processor)
    except (AttributeError, TypeError) as error:  # a nested field of the wrong shape (a list for a map, ...)
        raise BadRequest(f"Webhook event {event_type} has a malformed data.object") from error
    if parsed is not None and not _text(parsed.resource_id):
        raise BadRequest(f"Webhook event {event_type} does not name its resource")
    return parsed


def _parse_object(event: dict, event_type: str, obj: dict, processor: str) -> ParsedWebhook | None:
    # an event without ``created`` (BEM's hand-built test events) is ordered by when it arrived
    common = {"event_id": event["id"], "event_type": event_type, "created": int(event.get("created") or time.time()),
              "uid": _metadata_uid(obj), "raw": event}
    if event_type in SUBSCRIPTION_EVENTS:
        return ParsedWebhook(category="subscription", resource_type="subscription", resource_id=obj["id"], **common)
    if event_type == "invoice.payment_failed":
        subscription_id = subscription_id_of_invoice(obj)
        if subscription_id:
            return ParsedWebhook(category="subscription", resource_type="subscription", resource_id=subscription_id, **common)
        return ParsedWebhook(category="one-time", resource_type="invoice", resource_id=obj["id"], **common)
    if event_type == "checkout.session.completed":
        if obj.get("mode") != "payment":
            return None  # subscription checkouts arrive as customer.subscription.* events
        return ParsedWebhook(category="one-time", resource_type="checkout.session", resource_id=obj["id"], **common)
    # charge.refunded: a charge naming its subscription (BEM's parse: ``subscription`` or
    # ``metadata.subscriptionId``) refunds it; else the pipeline decides from the fetched resource
    subscription_id = ref_id(obj.get("subscription")) or _mapping(obj.get("metadata")).get("subscriptionId")
    if _text(subscription_id):
        return ParsedWebhook(category="subscription", resource_type="subscription", resource_id=subscription_id, **common)
    category = "subscription" if ref_id(obj.get("invoice")) else "one-time"
    return ParsedWebhook(category=category, resource_type="charge", resource_id=obj["id"], **common)


class StripeShaped:
    name = "stripe"
    refund_events = frozenset({"charge.refunded"})
    payment_failed_events = frozenset({"invoice.payment_failed"})

    def refund_details(self, raw: dict) -> RefundDetails | None:
        """``charge.refunded``: the charge's ``amount_refunded`` and the latest refund's reason."""
        charge = _mapping(_mapping(_mapping(raw).get("data")).get("object"))
        amount = cents_text(charge.get("amount_refunded"))
        if amount is None:
            return None
        refunds = _mapping(charge.get("refunds")).get("data")
        latest = refunds[0] if isinstance(refunds, list) and refunds and isinstance(refunds[0], dict) else {}
        currency = charge.get("currency") if isinstance(charge.get("currency"), str) else "usd"
        return RefundDetails(amount, currency.upper(), latest.get("reason") if isinstance(latest.get("reason"), str) else None)

    def category_of(self, resource: dict, event: ParsedWebhook) -> Category:
        return "subscription" if resource.get("object") == "subscription" else "one-time"

    def uid_of(self, resource: dict) -> str | None:
        return _metadata_uid(resource)

    def order_id_of(self, resource: dict) -> str | None:
        return (resource.get("metadata") or {}).get("orderId") or None

    def customer_name(self, resource: dict) -> str | None:
        """Checkout Session ``customer_details.name``, invoice ``customer_name``, charge
        ``billing_details.name``, or the expanded ``customer.name`` of any of them."""
        candidates = (_mapping(resource.get("customer_details")).get("name"), resource.get("customer_name"),
                      _mapping(resource.get("billing_details")).get("name"), _mapping(resource.get("customer")).get("name"))
        return next((name.strip() for name in candidates if _text(name)), None)

    def to_unified_subscription(self, resource: dict, config: Config, event: ParsedWebhook) -> Subscription:
        return stripe_subscription_to_unified(resource, config, event, processor=self.name)

    def to_unified_one_time(self, resource: dict, config: Config, event: ParsedWebhook) -> OneTimeOrder:
        return stripe_one_time_to_unified(resource, config, event, processor=self.name)
