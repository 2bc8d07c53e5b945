"""The local Stripe (fake API + seeding + signed webhook delivery) behind `mgr emulator --stripe`."""

from __future__ import annotations

import json
import threading

import pytest
import requests
import stripe

from functions.testing.stripe_local import LocalStripe

SECRET = "whsec_local_unit"


@pytest.fixture
def receiver():
    """A webhook endpoint that records what arrives (body, Stripe-Signature)."""
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    received: list[tuple[bytes, str]] = []

    def app(environ, start_response):
        request = Request(environ)
        received.append((request.get_data(), request.headers.get("Stripe-Signature", "")))
        return Response("{}", mimetype="application/json")(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/backend-manager/payments/webhook?processor=stripe", received
    server.shutdown()


@pytest.fixture
def local(stripe_fake, manager, receiver):
    local = LocalStripe(stripe_fake, receiver[0], SECRET)
    local.seed(manager.config)
    return local


def events_of(received):
    events = []
    for body, signature in received:
        stripe.WebhookSignature.verify_header(body.decode(), signature, SECRET, tolerance=300)
        events.append(json.loads(body))
    return events


def test_seeding_gives_every_configured_frequency_a_price_the_intent_reuses(local, stripe_fake, bm):
    prices = {(p["product"], p["unit_amount"], (p["recurring"] or {}).get("interval")) for p in stripe_fake.all("prices")}
    assert ("prod_premium_demo", 499, "month") in prices
    assert ("prod_premium_demo", 4999, "year") in prices
    assert ("prod_credits_demo", 999, None) in prices
    assert bm.as_("basic").post("payments/intent", {"processor": "stripe", "productId": "premium", "frequency": "monthly"}).status == 200
    assert stripe_fake.requests_to("POST", "/v1/prices") == []


def test_paying_a_subscription_checkout_delivers_signed_events_in_stripes_order(local, stripe_fake, bm, accounts, receiver):
    intent = bm.as_("basic").post("payments/intent", {"processor": "stripe", "productId": "premium", "frequency": "monthly", "trial": False})
    assert intent.status == 200, intent.text

    local.pay(intent.json["id"])

    events = events_of(receiver[1])
    assert [e["type"] for e in events] == ["checkout.session.completed", "customer.subscription.created", "invoice.paid"]
    subscription = events[1]["data"]["object"]
    assert subscription["metadata"] == {"uid": accounts["basic"].uid, "orderId": intent.json["orderId"], "productId": "premium"}
    assert subscription["items"]["data"][0]["price"]["product"] == "prod_premium_demo"
    stored = stripe.StripeClient("sk_test_fake", base_addresses={"api": stripe_fake.url}).v1.subscriptions.retrieve(subscription["id"])
    assert stored.status == subscription["status"]
    assert stripe_fake.get("checkout/sessions", intent.json["id"])["subscription"] == subscription["id"]


def test_paying_a_one_time_checkout_completes_the_session_with_its_line_items(local, stripe_fake, bm, receiver):
    intent = bm.as_("basic").post("payments/intent", {"processor": "stripe", "productId": "credits-100"})
    assert intent.status == 200, intent.text
    local.pay(intent.json["id"])
    completed = events_of(receiver[1])[0]["data"]["object"]
    assert (completed["mode"], completed["status"], completed["payment_status"]) == ("payment", "complete", "paid")
    assert completed["line_items"]["data"][0]["price"]["product"] == "prod_credits_demo"
    assert completed["metadata"]["orderId"] == intent.json["orderId"]


def test_pay_over_http_refuses_unknown_and_already_paid_sessions(local, stripe_fake, bm):
    unknown = requests.post(f"{stripe_fake.url}/_local/checkout/sessions/cs_nope/pay", timeout=10)
    assert unknown.status_code == 404 and "cs_nope" in unknown.json()["error"]["message"]
    intent = bm.as_("basic").post("payments/intent", {"processor": "stripe", "productId": "credits-100"})
    first = requests.post(f"{stripe_fake.url}/_local/checkout/sessions/{intent.json['id']}/pay", timeout=10)
    assert first.status_code == 200 and first.json()["events"][0]["type"] == "checkout.session.completed"
    again = requests.post(f"{stripe_fake.url}/_local/checkout/sessions/{intent.json['id']}/pay", timeout=10)
    assert again.status_code == 400 and "already complete" in again.json()["error"]["message"]
