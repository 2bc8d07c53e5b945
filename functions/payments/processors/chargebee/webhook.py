"""Chargebee webhooks: authentication, parsing (BEM's 13 events), the latest resource, the uid back-fill.

Intake (``verify_and_parse``), in order:
1. Chargebee not configured (``CHARGEBEE_API_KEY``, site) → 503 naming it: the sender retries later
   (an event recorded now could not be fetched anyway);
2. ``?key=`` must be ``BACKEND_MANAGER_WEBHOOK_KEY`` (BEM) → 401 otherwise (503 when that key is unset);
3. when ``CHARGEBEE_WEBHOOK_USERNAME`` and ``CHARGEBEE_WEBHOOK_PASSWORD`` are set (Chargebee's own
   webhook Basic authentication, Settings → Webhooks), the ``Authorization: Basic`` header must match → 401;
4. the body must be an event (``id``, ``event_type``, ``occurred_at``, ``content`` object) → 400.
Events (BEM): ten ``subscription_*`` events → the subscription; ``payment_failed`` → the subscription,
or the invoice when none (one-time); ``payment_refunded`` → the subscription (none: ignored);
``invoice_generated`` without ``subscription_id`` → the invoice (one-time; recurring ones are ignored).
Any other type → ``None`` (200, ignored). The uid comes from the subscription's, else the customer's
``meta_data``.

Pipeline (``fetch_resource``): the subscription (and its customer) or the invoice from the API,
never the payload. When the subscription carries no uid, the last 25 hosted pages are searched for
the one that made it; its ``pass_thru_content`` (``{uid, orderId, productId}``, set by our intent)
gives the uid and is written back as ``meta_data`` on the subscription and the customer (keys
``bem-meta-{id}``), so later events resolve directly (BEM's back-fill). One-time invoices are
matched the same way (nothing written: invoices have no ``meta_data``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any

from functions.config.secrets import secret
from functions.errors import BadRequest, Unauthorized
from functions.payments.processors.base import Category, ParsedWebhook
from functions.payments.processors.chargebee.api import (
    chargebee_client,
    key,
    missing_setting,
    processor_errors,
    raw,
)
from functions.payments.processors.chargebee.unify import meta_data
from functions.payments.processors.shared import check_webhook_key, header_value, not_configured

SUBSCRIPTION_EVENTS = frozenset({
    "subscription_created",
    "subscription_activated",
    "subscription_changed",
    "subscription_cancelled",
    "subscription_reactivated",
    "subscription_renewed",
    "subscription_cancellation_scheduled",
    "subscription_scheduled_cancellation_removed",
    "subscription_paused",
    "subscription_resumed",
})
SUPPORTED_EVENTS = SUBSCRIPTION_EVENTS | {"payment_failed", "payment_refunded", "invoice_generated"}
HOSTED_PAGES_SEARCHED = 25
log = logging.getLogger("bem.payments.chargebee")


def check_basic_auth(headers: Mapping[str, str]) -> None:
    """Chargebee's webhook Basic authentication, when both credentials are configured."""
    username, password = secret("CHARGEBEE_WEBHOOK_USERNAME"), secret("CHARGEBEE_WEBHOOK_PASSWORD")
    if not (username and password):
        return
    given = header_value(headers, "Authorization") or ""
    scheme, _, encoded = given.partition(" ")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode() if scheme.lower() == "basic" else ""
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    expected = f"{username}:{password}".encode()
    if not decoded or not hmac.compare_digest(decoded.encode(), expected):
        raise Unauthorized("Invalid or missing Chargebee webhook credentials")


def load_event(raw_body: bytes) -> dict:
    try:
        event = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise BadRequest("Webhook body is not JSON") from error
    if not isinstance(event, dict) or not _text(event.get("id")) or not _text(event.get("event_type")):
        raise BadRequest("Webhook body is not a Chargebee event (needs id and event_type)")
    occurred = event.get("occurred_at", 0)
    if isinstance(occurred, bool) or not isinstance(occurred, int) or occurred < 0:
        raise BadRequest("Webhook event occurred_at must be a unix time (integer seconds)")
    if not isinstance(event.get("content", {}), dict):
        raise BadRequest("Webhook event content must be an object")
    return event


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _object(content: dict, name: str) -> dict | None:
    value = content.get(name)
    return value if isinstance(value, dict) else None


def _uid(*resources: dict | None) -> str | None:
    return next((meta_data(r)["uid"] for r in resources if r and meta_data(r).get("uid")), None)


def parse_chargebee_event(event: dict) -> ParsedWebhook | None:
    """``None`` for events we do not handle (200, ignored); 400 when a handled event lacks its resource."""
    event_type = event["event_type"]
    if event_type not in SUPPORTED_EVENTS:
        return None
    content = event.get("content") or {}
    subscription, customer, invoice = (_object(content, name) for name in ("subscription", "customer", "invoice"))
    if event_type in SUBSCRIPTION_EVENTS or (event_type in ("payment_failed", "payment_refunded") and subscription):
        category, resource_type, resource = "subscription", "subscription", subscription
    elif event_type == "payment_failed" or (event_type == "invoice_generated" and invoice and not invoice.get("subscription_id")):
        category, resource_type, resource = "one-time", "invoice", invoice
    else:
        return None  # a refund without a subscription, a recurring invoice: BEM ignores them
    if not resource or not _text(resource.get("id")):
        raise BadRequest(f"Webhook event {event_type} does not name its {resource_type}")
    return ParsedWebhook(
        event_id=event["id"], event_type=event_type, category=category, resource_type=resource_type,
        resource_id=resource["id"], created=int(event.get("occurred_at") or 0),
        uid=_uid(subscription if category == "subscription" else None, customer), raw=event,
    )


class ChargebeeWebhooks:
    """The webhook half of the Chargebee processor."""

    name = "chargebee"

    def verify_and_parse(
        self, raw_body: bytes, headers: Mapping[str, str], query: Mapping[str, Any], manager: Any
    ) -> ParsedWebhook | None:
        missing = missing_setting(manager)
        if missing:
            log.error("Refusing Chargebee webhook: %s is not set", missing.split(" ")[0])
            raise not_configured("Chargebee webhooks", missing)
        check_webhook_key(query, "Chargebee webhooks with ?key=")
        check_basic_auth(headers)
        return parse_chargebee_event(load_event(raw_body))

    def fetch_resource(self, manager: Any, resource_type: str, resource_id: str, raw_event: dict) -> dict:
        client = chargebee_client(manager)
        with processor_errors("fetch"):
            if resource_type == "subscription":
                answer = client.Subscription.retrieve(resource_id)
                subscription, customer = raw(answer.subscription), raw(getattr(answer, "customer", None))
                if not meta_data(subscription).get("uid"):
                    found = hosted_page_meta(client, "subscription", resource_id)
                    if found:
                        backfill_meta(client, subscription, found)
                        subscription = {**subscription, "meta_data": json.dumps(found)}
                    elif meta_data(customer).get("uid"):
                        subscription = {**subscription, "meta_data": json.dumps({"uid": meta_data(customer)["uid"]})}
                return {**subscription, "customer": customer} if customer else subscription
            if resource_type == "invoice":
                invoice = raw(client.Invoice.retrieve(resource_id).invoice)
                if not meta_data(invoice).get("uid"):
                    found = hosted_page_meta(client, "invoice", resource_id)
                    if found:
                        invoice = {**invoice, "meta_data": json.dumps(found)}
                return invoice
        raise ValueError(f"Chargebee resource type '{resource_type}' is not supported")


def hosted_page_meta(client: Any, kind: str, resource_id: str) -> dict | None:
    """``{uid, orderId[, productId]}`` from the ``pass_thru_content`` of the recent hosted page that made it."""
    answer = client.HostedPage.list({"limit": HOSTED_PAGES_SEARCHED})
    for entry in getattr(answer, "list", None) or []:
        page = raw(getattr(entry, "hosted_page", None))
        content = page.get("content") if isinstance(page.get("content"), dict) else {}
        made = content.get(kind) if isinstance(content.get(kind), dict) else {}
        if made.get("id") != resource_id:
            continue
        found = meta_data({"meta_data": page.get("pass_thru_content")})
        if found.get("uid"):
            return found
    return None


def backfill_meta(client: Any, subscription: dict, found: dict) -> None:
    """Write ``meta_data`` on the subscription and its customer so later events carry the uid (BEM)."""
    value = json.dumps(found)
    client.Subscription.update(subscription["id"], {"meta_data": value}, key(f"bem-meta-{subscription['id']}"))
    customer_id = subscription.get("customer_id")
    if _text(customer_id):
        client.Customer.update(customer_id, {"meta_data": value}, key(f"bem-meta-{customer_id}-{subscription['id']}"))


def category_of(resource_type: str) -> Category:
    return "subscription" if resource_type == "subscription" else "one-time"
