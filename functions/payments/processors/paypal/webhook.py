"""PayPal webhooks: signature verification, parsing, and the latest resource from the API.

Intake (``POST payments/webhook?processor=paypal``):
- PayPal signs each delivery (``PAYPAL-TRANSMISSION-ID``/``-TIME``/``-SIG``, ``PAYPAL-CERT-URL``,
  ``PAYPAL-AUTH-ALGO``); we ask PayPal whether it did: ``POST /v1/notifications/verify-webhook-signature``
  with those headers, ``PAYPAL_WEBHOOK_ID`` and the event exactly as received (spliced in as raw
  JSON, so no re-serialisation can change it). ``SUCCESS`` → accepted; anything else, or missing
  headers → 400, nothing written. PayPal unreachable → 503 (PayPal delivers again).
- Not configured (no ``PAYPAL_WEBHOOK_ID`` / credentials): 503 naming what to set in production,
  and for any signed delivery; outside production an unsigned caller may use BEM's ``?key=``.
- Handled (BEM's list): ``BILLING.SUBSCRIPTION.{ACTIVATED,UPDATED,CANCELLED,SUSPENDED,EXPIRED,RE-ACTIVATED}``
  → the subscription ``resource.id``; ``PAYMENT.SALE.{COMPLETED,DENIED,REFUNDED}`` → the subscription
  ``billing_agreement_id`` (ignored without one); ``CHECKOUT.ORDER.APPROVED`` → the order. Others → ignored.
Pipeline: ``fetch_resource`` reads the subscription and its plan (plans cached per process for
``PLAN_CACHE_SECONDS``), or captures the approved order (``PayPal-Request-Id: bem-capture-{orderId}``;
one already captured is read instead). It never falls back to the payload (BEM does).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from functions.config.models import Config
from functions.config.secrets import secret
from functions.errors import BadRequest, ServiceUnavailable
from functions.payments.processors.base import Category, ParsedWebhook, RefundDetails
from functions.payments.processors.paypal.api import PayPalClient, PayPalError, credentials, paypal_client
from functions.payments.processors.paypal.unify import (
    REFUND_EVENT,
    custom_id_of,
    mapping,
    paypal_one_time_to_unified,
    paypal_subscription_to_unified,
    unix,
)
from functions.payments.processors.shared import check_webhook_key, header_value, not_configured
from functions.payments.unified import OneTimeOrder
from functions.user.models import Subscription

SUBSCRIPTION_EVENTS = frozenset({
    "BILLING.SUBSCRIPTION.ACTIVATED", "BILLING.SUBSCRIPTION.UPDATED", "BILLING.SUBSCRIPTION.CANCELLED",
    "BILLING.SUBSCRIPTION.SUSPENDED", "BILLING.SUBSCRIPTION.EXPIRED", "BILLING.SUBSCRIPTION.RE-ACTIVATED",
})
SALE_EVENTS = frozenset({"PAYMENT.SALE.COMPLETED", "PAYMENT.SALE.DENIED", "PAYMENT.SALE.REFUNDED"})
ORDER_EVENTS = frozenset({"CHECKOUT.ORDER.APPROVED"})
SUPPORTED_EVENTS = SUBSCRIPTION_EVENTS | SALE_EVENTS | ORDER_EVENTS
SIGNATURE_HEADERS = {"auth_algo": "PAYPAL-AUTH-ALGO", "cert_url": "PAYPAL-CERT-URL", "transmission_id": "PAYPAL-TRANSMISSION-ID",
                     "transmission_sig": "PAYPAL-TRANSMISSION-SIG", "transmission_time": "PAYPAL-TRANSMISSION-TIME"}
PLAN_CACHE_SECONDS = 600
log = logging.getLogger("bem.payments.paypal")
_plans_lock = threading.Lock()
_plans: dict[str, tuple[dict, float]] = {}  # "{api base}|{plan id}" → (plan, fetched at)


def forget_plans() -> None:
    """Drop cached plans (the test harness calls it when it resets its fake PayPal)."""
    with _plans_lock:
        _plans.clear()


def get_plan(client: PayPalClient, plan_id: str) -> dict:
    key = f"{client.creds.base}|{plan_id}"
    with _plans_lock:
        cached = _plans.get(key)
        if cached and time.time() - cached[1] < PLAN_CACHE_SECONDS:
            return cached[0]
    plan = client.get(f"/v1/billing/plans/{plan_id}")
    with _plans_lock:
        _plans[key] = (plan, time.time())
    return plan


# intake ----------------------------------------------------------------------------------------------
def load_event(raw: bytes) -> dict:
    """The event, checked: ``id`` and ``event_type`` strings, ``resource`` an object; else 400."""
    try:
        event = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise BadRequest("Webhook body is not JSON") from error
    if not isinstance(event, dict) or not _text(event.get("id")) or not _text(event.get("event_type")):
        raise BadRequest("Webhook body is not a PayPal event (needs id and event_type)")
    if not isinstance(event.get("resource"), dict):
        raise BadRequest("PayPal event resource must be an object")
    return event


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def verify_signature(manager: Any, raw: bytes, headers: Mapping[str, str], webhook_id: str) -> None:
    """PayPal's own verdict on the delivery (``verify-webhook-signature``): anything but SUCCESS → 400."""
    fields = {name: header_value(headers, header) for name, header in SIGNATURE_HEADERS.items()}
    if not all(fields.values()) or not all(str(value).isascii() for value in fields.values()):
        raise BadRequest("Invalid PayPal signature (missing PAYPAL-TRANSMISSION-* headers)")
    load_event(raw)  # must be a PayPal event before it is sent anywhere
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest("Webhook body must be UTF-8 JSON") from error
    body = json.dumps({**fields, "webhook_id": webhook_id})[:-1] + ', "webhook_event": ' + text + "}"
    client = paypal_client(manager)
    try:
        answer = client.post("/v1/notifications/verify-webhook-signature", raw_body=body)
    except PayPalError as error:
        if error.outage:
            log.warning("paypal webhook verification unavailable: status=%s", error.status or None)
            raise ServiceUnavailable("PayPal could not verify the webhook now; deliver it again later") from None
        log.warning("paypal webhook verification refused: status=%s issue=%s", error.status, error.name)
        raise BadRequest("Invalid PayPal signature") from None
    if mapping(answer).get("verification_status") != "SUCCESS":
        raise BadRequest("Invalid PayPal signature")


def parse_paypal_event(event: dict) -> ParsedWebhook | None:
    """``None`` for events we do not handle (answered 200 and ignored)."""
    event_type, resource = event["event_type"], event["resource"]
    if event_type not in SUPPORTED_EVENTS:
        return None
    common = {"event_id": event["id"], "event_type": event_type, "created": unix(event.get("create_time")) or 0,
              "uid": custom_id_of(resource).get("uid"), "raw": event}
    if event_type in SUBSCRIPTION_EVENTS:
        resource_type, resource_id, category = "subscription", resource.get("id"), "subscription"
    elif event_type in SALE_EVENTS:
        resource_type, resource_id, category = "subscription", resource.get("billing_agreement_id"), "subscription"
        if not resource_id:
            return None  # a sale outside a subscription (BEM ignores it)
    else:
        resource_type, resource_id, category = "order", resource.get("id"), "one-time"
    if not _text(resource_id):
        raise BadRequest(f"PayPal event {event_type} does not name its resource")
    return ParsedWebhook(category=category, resource_type=resource_type, resource_id=resource_id, **common)


class PayPalWebhooks:
    """The webhook half of the PayPal processor."""

    name = "paypal"
    refund_events = frozenset({REFUND_EVENT})
    payment_failed_events = frozenset({"PAYMENT.SALE.DENIED"})

    def verify_and_parse(
        self, raw: bytes, headers: Mapping[str, str], query: Mapping[str, Any], manager: Any
    ) -> ParsedWebhook | None:
        webhook_id = secret("PAYPAL_WEBHOOK_ID")
        signed = header_value(headers, "PAYPAL-TRANSMISSION-SIG") is not None
        if webhook_id:
            credentials(manager)  # 503 naming what is missing: verifying needs PayPal's API
            verify_signature(manager, raw, headers, webhook_id)
        elif manager.environment == "production" or signed:
            log.error("Refusing PayPal webhook: PAYPAL_WEBHOOK_ID is not set")
            raise not_configured("PayPal webhooks", "PAYPAL_WEBHOOK_ID")
        else:
            check_webhook_key(query, "Unsigned PayPal webhooks")  # BEM's ?key= outside production
        return parse_paypal_event(load_event(raw))

    def fetch_resource(self, manager: Any, resource_type: str, resource_id: str, raw: dict) -> dict:
        client = paypal_client(manager)
        if resource_type == "subscription":
            subscription = client.get(f"/v1/billing/subscriptions/{resource_id}")
            if subscription.get("plan_id"):
                subscription["_plan"] = get_plan(client, subscription["plan_id"])
            return subscription
        if resource_type == "order":
            return capture_order(client, resource_id)
        raise ValueError(f"PayPal resource type '{resource_type}' is not supported")

    def refund_details(self, raw: dict) -> RefundDetails | None:
        """``PAYMENT.SALE.REFUNDED``: ``resource.amount.{total,currency}`` (or ``total_refunded_amount``)."""
        resource = raw.get("resource") if isinstance(raw, dict) and isinstance(raw.get("resource"), dict) else {}
        amount = resource.get("amount") if isinstance(resource.get("amount"), dict) else {}
        refunded = resource.get("total_refunded_amount") if isinstance(resource.get("total_refunded_amount"), dict) else {}
        total = amount.get("total") or refunded.get("value")
        if not isinstance(total, str | int | float) or isinstance(total, bool) or not str(total).strip():
            return None
        currency = amount.get("currency") or refunded.get("currency_code") or "USD"
        reason = resource.get("reason_code")
        return RefundDetails(str(total), str(currency).upper(), reason if isinstance(reason, str) else None)

    def category_of(self, resource: dict, event: ParsedWebhook) -> Category:
        return "one-time" if isinstance(resource.get("purchase_units"), list) else "subscription"

    def uid_of(self, resource: dict) -> str | None:
        return custom_id_of(resource).get("uid")

    def order_id_of(self, resource: dict) -> str | None:
        return custom_id_of(resource).get("orderId")

    def customer_name(self, resource: dict) -> str | None:
        """The subscriber's or payer's ``name`` (``given_name`` + ``surname``)."""
        for who in (mapping(resource.get("subscriber")), mapping(resource.get("payer"))):
            name = mapping(who.get("name"))
            full = " ".join(str(part).strip() for part in (name.get("given_name"), name.get("surname")) if _text(part))
            if full:
                return full
        return None

    def to_unified_subscription(self, resource: dict, config: Config, event: ParsedWebhook) -> Subscription:
        return paypal_subscription_to_unified(resource, config, event)

    def to_unified_one_time(self, resource: dict, config: Config, event: ParsedWebhook) -> OneTimeOrder:
        return paypal_one_time_to_unified(resource, config, event)


def capture_order(client: PayPalClient, order_id: str) -> dict:
    """Capture an approved order (funds move once: ``bem-capture-{orderId}``); a captured one is read."""
    try:
        return client.post(f"/v2/checkout/orders/{order_id}/capture", {}, request_id=f"bem-capture-{order_id}")
    except PayPalError as error:
        if error.status != 422 or error.name != "ORDER_ALREADY_CAPTURED":
            raise
    return client.get(f"/v2/checkout/orders/{order_id}")


__all__ = ["PayPalWebhooks", "SUPPORTED_EVENTS", "capture_order", "forget_plans", "get_plan", "parse_paypal_event"]
