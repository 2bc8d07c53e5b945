"""The test processor's webhooks: Stripe-shaped events without Stripe (BEM's journeys run on it).

- Refused in production (403). Verified by ``?key=`` == ``BACKEND_MANAGER_WEBHOOK_KEY``
  (constant-time); parsed exactly like Stripe events (``common.parse_stripe_event``).
- ``fetch_resource`` never calls Stripe: it returns the object in the event, whose related objects
  travel *expanded* (builders: ``functions.testing.payment_builders``).
- Outage simulation (never in production): ``metadata.bem_test_fail_fetch_until = <unix s>`` on
  the event's object makes ``fetch_resource`` raise ``ProcessorUnavailableError`` until that time.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from functions.errors import Forbidden
from functions.payments.processors.base import ParsedWebhook
from functions.payments.processors.shared import check_webhook_key
from functions.payments.processors.stripe.events import StripeShaped, load_event, parse_stripe_event
from functions.payments.processors.stripe.unify import subscription_id_of_invoice


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
        if resource_type == "subscription" and not is_subscription:  # an invoice event: its expanded subscription
            return _expanded_subscription(obj)
        if resource_type == "charge":
            invoice = obj.get("invoice")
            if isinstance(invoice, dict) and isinstance(_subscription_ref(invoice), dict):
                return _subscription_ref(invoice)
        return obj


def _subscription_ref(invoice: dict) -> Any:
    details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
    return invoice.get("subscription") or details.get("subscription")


def _expanded_subscription(invoice: dict) -> dict:
    subscription = _subscription_ref(invoice)
    if not isinstance(subscription, dict):
        raise ValueError(f"test processor: invoice must embed the expanded subscription ({subscription_id_of_invoice(invoice)})")
    return subscription


__all__ = ["ProcessorUnavailableError", "TestWebhooks"]
