"""The test processor's webhooks: Stripe-shaped events without Stripe (BEM's journeys run on it).

- Refused in production (403). Verified by ``?key=`` == ``BACKEND_MANAGER_WEBHOOK_KEY``
  (constant-time); parsed exactly like Stripe events (``common.parse_stripe_event``).
- ``fetch_resource`` never calls Stripe: it returns the object in the event, whose related objects
  travel *expanded* (builders: ``functions.testing.payment_builders``). An event that only names its
  subscription (an invoice or charge with a subscription id, as BEM's hand-built test events send them),
  or a subscription event without ``metadata.uid``, gets the subscription rebuilt from the order the
  pipeline keeps for it (``payments-orders`` where ``resourceId`` == id; ``past_due`` on a payment
  failure), as BEM's test processor does.
- Outage simulation (never in production): ``metadata.bem_test_fail_fetch_until = <unix s>`` on
  the event's object makes ``fetch_resource`` raise ``ProcessorUnavailableError`` until that time.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from functions.errors import Forbidden
from functions.payments.collections import ORDERS
from functions.payments.frequencies import frequency as frequency_named
from functions.payments.processors.base import ParsedWebhook
from functions.payments.processors.shared import check_webhook_key
from functions.payments.processors.stripe.events import StripeShaped, load_event, parse_stripe_event
from functions.payments.processors.stripe.unify import TEST_PRODUCT_PREFIX


class ProcessorUnavailableError(RuntimeError):
    """The processor's API could not be reached (simulated outage)."""


class TestWebhooks(StripeShaped):
    """The webhook half of the test processor: ``?key=`` checked, the payload is the resource."""

    __test__ = False  # not a pytest class

    def verify_and_parse(
        self, raw: bytes, headers: Mapping[str, str], query: Mapping[str, Any], manager: Any
    ) -> ParsedWebhook | None:
        if manager.environment == "production":
            raise Forbidden("The test payment processor is not available in production")
        check_webhook_key(query)
        return parse_stripe_event(load_event(raw), self.name)

    def fetch_resource(self, manager: Any, resource_type: str, resource_id: str, raw: dict) -> dict:
        obj = (raw.get("data") or {}).get("object") or {}
        until = (obj.get("metadata") or {}).get("bem_test_fail_fetch_until")
        if until and manager.environment != "production" and time.time() < float(until):
            raise ProcessorUnavailableError("Simulated processor outage (metadata.bem_test_fail_fetch_until)")
        is_subscription = obj.get("object") == "subscription" or str(raw.get("type", "")).startswith("customer.subscription.")
        if resource_type == "subscription" and not is_subscription:  # an invoice or charge event
            embedded = _subscription_ref(obj)
            if isinstance(embedded, dict):
                return embedded
            stored = stored_subscription(manager, resource_id, str(raw.get("type", "")))
            if stored is None:
                raise ValueError(f"test processor: no expanded subscription in the event and no order of {resource_id}")
            return stored
        if resource_type == "subscription" and not (obj.get("metadata") or {}).get("uid"):
            # the event's state with the metadata (uid, orderId) the processor would still have (BEM)
            stored = stored_subscription(manager, resource_id, str(raw.get("type", "")))
            if stored is not None:
                return {**obj, "metadata": {**(obj.get("metadata") or {}), **stored["metadata"]}}
        if resource_type == "charge":
            invoice = obj.get("invoice")
            if isinstance(invoice, dict) and isinstance(_subscription_ref(invoice), dict):
                return _subscription_ref(invoice)
        return obj


def stored_subscription(manager: Any, resource_id: str, event_type: str) -> dict | None:
    """What the processor's API would answer for a subscription the event only names: rebuilt (old Stripe
    shape) from the order the pipeline keeps for it (``payments-orders`` where ``resourceId`` == id),
    ``past_due`` for a payment failure (BEM's test processor). None when no order has it."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    query = manager.db.collection(ORDERS).where(filter=FieldFilter("resourceId", "==", resource_id)).limit(1)
    found = next(iter(query.stream()), None)
    order = (found.to_dict() or {}) if found is not None else {}
    unified = order.get("unified")
    if not isinstance(unified, dict):
        return None
    return subscription_from_unified(manager.config, unified, resource_id, order.get("owner"), event_type)


def subscription_from_unified(config: Any, unified: dict, resource_id: str, owner: Any, event_type: str) -> dict:
    def unix(*path: str) -> int:
        value: Any = unified
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0

    def text(*path: str) -> str | None:
        value: Any = unified
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value if isinstance(value, str) and value else None

    status = {"active": "active", "suspended": "past_due", "cancelled": "canceled"}.get(text("status") or "", "active")
    if event_type in StripeShaped.payment_failed_events:
        status = "past_due"
    product = config.payment.product(text("product", "id"))
    product_id = (product.stripe.product_id if product else None) or f"{TEST_PRODUCT_PREFIX}{text('product', 'id') or 'basic'}"
    pending = (unified.get("cancellation") or {}).get("pending") is True if isinstance(unified.get("cancellation"), dict) else False
    claimed = (unified.get("trial") or {}).get("claimed") is True if isinstance(unified.get("trial"), dict) else False
    start = unix("payment", "startDate", "timestampUNIX")
    return {
        "id": resource_id, "object": "subscription", "status": status,
        "metadata": {"orderId": text("payment", "orderId"), "uid": owner if isinstance(owner, str) else None},
        "plan": {"product": product_id, "interval": frequency_named(text("payment", "frequency")).interval},
        "current_period_end": unix("expires", "timestampUNIX"), "current_period_start": start, "start_date": start,
        "cancel_at_period_end": pending, "cancel_at": unix("cancellation", "date", "timestampUNIX") if pending else None,
        "canceled_at": None, "trial_start": start if claimed else None,
        "trial_end": unix("trial", "expires", "timestampUNIX") if claimed else None,
    }


def _subscription_ref(invoice: dict) -> Any:
    details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
    return invoice.get("subscription") or details.get("subscription")


__all__ = ["ProcessorUnavailableError", "TestWebhooks", "stored_subscription", "subscription_from_unified"]
