"""Stripe locally without an account: the fake Stripe API, seeded and delivering signed webhooks.

``LocalStripe`` turns a ``StripeFake`` into what a Stripe test-mode account plus ``stripe listen``
give a developer: the config's products and prices exist, and paying a Checkout Session creates
the subscription / invoice / payment objects and POSTs Stripe-signed events to the local webhook
(``/backend-manager/payments/webhook?processor=stripe``), as Stripe does::

    local = LocalStripe(StripeFake(port=12111).start(), webhook_url, webhook_secret)
    local.seed(config)                       # products + one price per configured frequency
    local.pay("cs_test_…")                   # → the event ids delivered, in Stripe's order

Over HTTP (``mgr stripe pay``, curl): ``POST {fake}/_local/checkout/sessions/{id}/pay``.
Events are signed with stripe-python's own ``WebhookSignature`` over the exact body sent.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from functions.payments.processors.test import make_event, make_invoice, make_subscription, stripe_id
from functions.testing.stripe_fake import StripeFake, stripe_error

INTERVALS = {"monthly": "month", "annually": "year", "weekly": "week", "daily": "day"}
PAY_PATH = r"/_local/checkout/sessions/(?P<id>[^/]+)/pay"
log = logging.getLogger("bem.stripe-local")


class LocalStripe:
    def __init__(self, fake: StripeFake, webhook_url: str, webhook_secret: str) -> None:
        self.fake = fake
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.delivered: list[tuple[str, int]] = []
        """``(event type, HTTP status)`` of every delivery, in order."""
        self.install()

    def install(self) -> None:
        """Add the ``pay`` endpoint to the fake (again after a ``fake.reset()``)."""
        self.fake.on("POST", PAY_PATH, self._pay_over_http)

    # seeding ----------------------------------------------------------------------------------
    def seed(self, config: Any) -> list[str]:
        """A product and an active USD price for each configured Stripe product and frequency."""
        seeded = []
        for product in config.payment.products:
            product_id = product.stripe.product_id
            if not product_id or product.prices is None:
                continue
            self.fake.add({"id": product_id, "object": "product", "active": True, "name": product.name or product.id,
                           "metadata": {"productId": product.id}, "created": int(time.time())})
            for frequency in (*product.prices.frequencies(), *(["once"] if product.prices.once is not None else [])):
                amount = product.prices.for_frequency(frequency)
                recurring = {"interval": INTERVALS[frequency], "interval_count": 1} if frequency in INTERVALS else None
                self.fake.add({"id": f"price_{product.id}_{frequency}", "object": "price", "active": True, "currency": "usd",
                               "product": product_id, "unit_amount": round(amount * 100), "recurring": recurring,
                               "type": "recurring" if recurring else "one_time", "created": int(time.time())})
            seeded.append(product_id)
        return seeded

    # paying -----------------------------------------------------------------------------------
    def pay(self, session_id: str) -> list[str]:
        """Complete the session as a paying customer would; deliver its events; return their ids."""
        events = self._complete(session_id)
        for event in events:
            self.deliver(event)
        return [event["id"] for event in events]

    def _pay_over_http(self, request: Any, match: Any) -> tuple[int, dict]:
        # called under the fake's lock: objects are made here, delivery runs after the answer
        try:
            events = self._complete(match["id"])
        except LookupError as error:
            return stripe_error(404, str(error), code="resource_missing", param="id")
        except ValueError as error:
            return stripe_error(400, str(error))
        threading.Thread(target=lambda: [self.deliver(event) for event in events], daemon=True).start()
        return 200, {"id": match["id"], "events": [{"id": e["id"], "type": e["type"]} for e in events]}

    def _complete(self, session_id: str) -> list[dict]:
        with self.fake.lock:
            session = self.fake.objects.get("checkout/sessions", {}).get(session_id)
            if session is None:
                raise LookupError(f"No such checkout.session: '{session_id}'")
            if session.get("status") == "complete":
                raise ValueError(f"Checkout session {session_id} is already complete")
            price = self._price_of(session)
            if session.get("mode") == "subscription":
                return self._complete_subscription(session, price)
            return self._complete_payment(session, price)

    def _price_of(self, session: dict) -> dict:
        items = session.get("line_items") or []
        price_id = items[0].get("price") if isinstance(items, list) and items else None
        price = self.fake.objects.get("prices", {}).get(price_id or "")
        if price is None:
            raise ValueError(f"Checkout session {session['id']} has no known price")
        return dict(price)

    def _complete_subscription(self, session: dict, price: dict) -> list[dict]:
        data = session.get("subscription_data") or {}
        trial_days = int(data.get("trial_period_days") or 0)
        subscription = make_subscription(
            uid=None, product=price["product"], status="trialing" if trial_days else "active",
            interval=(price.get("recurring") or {}).get("interval", "month"), amount=price["unit_amount"],
            trial_days=trial_days, metadata=dict(data.get("metadata") or {}))
        subscription["customer"] = session.get("customer")
        subscription["items"]["data"][0]["price"] = price
        amount = 0 if trial_days else price["unit_amount"]
        invoice = make_invoice(subscription=subscription["id"], status="paid", amount_due=amount)
        invoice.update(customer=session.get("customer"), billing_reason="subscription_create",
                       parent={"type": "subscription_details", "subscription_details": {
                           "subscription": subscription["id"], "metadata": subscription["metadata"]}})
        subscription["latest_invoice"] = invoice["id"]
        self._finish_session(session, price, subscription=subscription["id"], invoice=invoice["id"], amount_total=amount,
                             payment_status="no_payment_required" if trial_days else "paid")
        self.fake.add(subscription)
        self.fake.add(invoice)
        return [self._event("checkout.session.completed", session), self._event("customer.subscription.created", subscription),
                self._event("invoice.paid", invoice)]

    def _complete_payment(self, session: dict, price: dict) -> list[dict]:
        intent = {"id": stripe_id("pi"), "object": "payment_intent", "amount": price["unit_amount"], "currency": "usd",
                  "status": "succeeded", "customer": session.get("customer"), "created": int(time.time()),
                  "metadata": dict((session.get("payment_intent_data") or {}).get("metadata") or session.get("metadata") or {})}
        self.fake.add(intent)
        self._finish_session(session, price, payment_intent=intent["id"], amount_total=price["unit_amount"], payment_status="paid")
        return [self._event("checkout.session.completed", session), self._event("payment_intent.succeeded", intent)]

    def _finish_session(self, session: dict, price: dict, *, amount_total: int, payment_status: str, **refs: str) -> None:
        line = {"id": stripe_id("li"), "object": "item", "quantity": 1, "amount_total": amount_total, "price": price}
        session.update(status="complete", payment_status=payment_status, amount_total=amount_total, currency="usd",
                       line_items={"object": "list", "data": [line], "has_more": False}, **refs)

    def _event(self, event_type: str, obj: dict) -> dict:
        event = make_event(event_type, json.loads(json.dumps(obj)))
        self.fake.add(event, "events")
        return event

    # delivery ---------------------------------------------------------------------------------
    def deliver(self, event: dict) -> int:
        """POST the event, signed as Stripe signs it; returns the HTTP status (0 if unreachable)."""
        import requests
        import stripe

        body = json.dumps(event)
        signature = stripe.WebhookSignature.generate_signature_header(body, self.webhook_secret)
        try:
            response = requests.post(self.webhook_url, data=body.encode(), timeout=30,
                                     headers={"Content-Type": "application/json", "Stripe-Signature": signature})
            status = response.status_code
        except requests.RequestException as error:
            log.warning("stripe-local: %s not delivered: %s", event["type"], type(error).__name__)
            status = 0
        self.delivered.append((event["type"], status))
        return status
