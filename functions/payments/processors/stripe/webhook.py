"""Stripe webhooks: signature check, parsing, and the latest resource from the API.

Intake: the ``Stripe-Signature`` header is verified over the raw body with stripe-python's
``WebhookSignature.verify_header`` and ``STRIPE_WEBHOOK_SECRET`` (tolerance 300 s). Without that
secret a signed delivery, and any delivery in production, is a 503 naming ``STRIPE_WEBHOOK_SECRET``
(Stripe retries until it is set); outside production, unsigned legacy callers may use ``?key=``.
Pipeline: ``fetch_resource`` re-reads the object from the Stripe API (never trusts the payload).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from functions.config.secrets import secret
from functions.errors import BadRequest
from functions.payments.processors.base import ParsedWebhook
from functions.payments.processors.shared import check_webhook_key, header_value, not_configured
from functions.payments.processors.stripe.api import stripe_client, to_dict
from functions.payments.processors.stripe.events import StripeShaped, load_event, parse_stripe_event
from functions.payments.processors.stripe.unify import ref_id, subscription_id_of_invoice

SIGNATURE_TOLERANCE_SECONDS = 300
log = logging.getLogger("bem.payments.stripe")


class StripeWebhooks(StripeShaped):
    """The webhook half of the Stripe processor (``verify_and_parse``, ``fetch_resource``)."""

    def verify_and_parse(
        self, raw: bytes, headers: Mapping[str, str], query: Mapping[str, Any], manager: Any
    ) -> ParsedWebhook | None:
        webhook_secret = secret("STRIPE_WEBHOOK_SECRET")
        signature = header_value(headers, "Stripe-Signature")
        if webhook_secret:
            verify_signature(raw, signature, webhook_secret)
        elif manager.environment == "production" or signature is not None:
            log.error("Refusing Stripe webhook: STRIPE_WEBHOOK_SECRET is not set")
            raise not_configured("Stripe webhooks", "STRIPE_WEBHOOK_SECRET")
        else:
            check_webhook_key(query, "Unsigned Stripe webhooks")  # legacy callers outside production
        return parse_stripe_event(load_event(raw), self.name)

    def fetch_resource(self, manager: Any, resource_type: str, resource_id: str, raw: dict) -> dict:
        client = stripe_client(manager)
        v1 = client.v1
        if resource_type == "subscription":
            return to_dict(v1.subscriptions.retrieve(resource_id))
        if resource_type == "invoice":
            return to_dict(v1.invoices.retrieve(resource_id))
        if resource_type == "checkout.session":
            return to_dict(v1.checkout.sessions.retrieve(resource_id, params={"expand": ["line_items"]}))
        if resource_type == "charge":
            return self._refunded_resource(client, to_dict(v1.charges.retrieve(resource_id)))
        raise ValueError(f"Stripe resource type '{resource_type}' is not supported")

    def _refunded_resource(self, client: Any, charge: dict) -> dict:
        """The subscription a refunded charge paid for, else the charge (a one-time order)."""
        invoice_id = invoice_id_of_charge(client, charge)
        if invoice_id:
            subscription_id = subscription_id_of_invoice(to_dict(client.v1.invoices.retrieve(invoice_id)))
            if subscription_id:
                return to_dict(client.v1.subscriptions.retrieve(subscription_id))
        return charge


def invoice_id_of_charge(client: Any, charge: dict) -> str | None:
    """The invoice a charge paid: ``charge.invoice`` before basil, its payment intent's invoice payment since."""
    invoice_id = ref_id(charge.get("invoice"))
    payment_intent = ref_id(charge.get("payment_intent"))
    if not invoice_id and payment_intent:  # since basil: charges no longer name their invoice
        found = client.v1.invoice_payments.list(
            params={"payment": {"type": "payment_intent", "payment_intent": payment_intent}, "limit": 1})
        data = to_dict(found).get("data") or []
        invoice_id = ref_id(data[0].get("invoice")) if data else None
    return invoice_id


def verify_signature(raw: bytes, signature_header: str | None, webhook_secret: str) -> None:
    """stripe-python's own check; any failure → 400 (no detail about which part failed)."""
    import stripe

    if not signature_header or not signature_header.isascii():
        raise BadRequest("Invalid Stripe signature")
    try:
        stripe.WebhookSignature.verify_header(raw, signature_header, webhook_secret, tolerance=SIGNATURE_TOLERANCE_SECONDS)
    except (stripe.SignatureVerificationError, ValueError) as error:  # ValueError covers Unicode errors
        raise BadRequest("Invalid Stripe signature") from error
