"""PayPal through its fake REST API (functions/testing/paypal_fake.py): verified webhooks, unify,
intent, cancel, refund, portal, the token cache and the expire-paypal-cancellations job."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from functions.payments.pipeline import process_webhook_event
from functions.payments.processors import ParsedWebhook
from functions.payments.processors.paypal.unify import paypal_subscription_to_unified, unix
from functions.testing.journey_checks import order_emails, subscription_of
from functions.testing.paypal_fake import paypal_error
from functions.testing.unit import WEBHOOK_KEY

DATA = Path(__file__).resolve().parents[1] / "data" / "paypal"
DAY = 86400


@pytest.fixture
def paypal(paypal_fake, manager):
    paypal_fake.seed(manager.config)
    return paypal_fake


@pytest.fixture
def uid(accounts):
    return accounts["basic"].uid


def post(bm, body, headers, **query):
    return bm.post("payments/webhook", data=body, headers=headers, query={"processor": "paypal", **query})


def deliver(bm, manager, fake, event):
    response = post(bm, *fake.signed(event))
    assert response.status == 200, response.text
    return process_webhook_event(manager, event["id"])


def subscribe(bm, manager, fake, uid, *, order_id="1111-2222-3333", **options):
    subscription = fake.add_subscription(uid=uid, order_id=order_id, plan_id="P-premium-monthly", start=time.time() - 2 * DAY, **options)
    outcome = deliver(bm, manager, fake, fake.event("BILLING.SUBSCRIPTION.ACTIVATED", subscription, created=time.time() - 60))
    return subscription, outcome


# intake ---------------------------------------------------------------------------------------------
def test_a_signed_event_is_verified_by_paypal_and_recorded(bm, firestore, paypal, uid):
    event = paypal.event("BILLING.SUBSCRIPTION.ACTIVATED", paypal.add_subscription(uid=uid, order_id="1-1-1", plan_id="P-premium-monthly"))
    response = post(bm, *paypal.signed(event))
    assert response.status == 200 and response.json["status"] == "pending", response.text
    record = firestore.get(f"payments-webhooks/{event['id']}")
    assert (record["processor"], record["owner"], record["event"]["resourceType"]) == ("paypal", uid, "subscription")
    [verify] = paypal.requests_to("POST", "/v1/notifications/verify-webhook-signature")
    assert verify.body["webhook_id"] == paypal.webhook_id and verify.body["webhook_event"] == event
    assert verify.headers["Authorization"].startswith("Bearer ")


@pytest.mark.parametrize("damage", ["unsigned", "tampered", "other-webhook", "half-headers"])
def test_unsigned_or_wrongly_signed_events_are_400_and_write_nothing(bm, firestore, paypal, uid, damage):
    event = paypal.event("BILLING.SUBSCRIPTION.ACTIVATED", paypal.add_subscription(uid=uid, order_id="1-1-1", plan_id="P-premium-monthly"))
    body, headers = paypal.signed(event, webhook_id="WH-SOMEONE-ELSE" if damage == "other-webhook" else None)
    if damage == "unsigned":
        headers = {"Content-Type": "application/json"}
    if damage == "tampered":
        body = body.replace(b'"ACTIVE"', b'"SUSPENDED"')
    if damage == "half-headers":
        del headers["PAYPAL-CERT-URL"]
    response = post(bm, body, headers)
    assert response.status == 400 and "signature" in response.error
    assert firestore.list("payments-webhooks") == {}


def test_unknown_event_types_are_acknowledged_and_ignored(bm, firestore, paypal):
    response = post(bm, *paypal.signed(paypal.event("CUSTOMER.DISPUTE.CREATED", {"id": "PP-D-1"})))
    assert response.status == 200 and response.json["ignored"] is True
    assert firestore.list("payments-webhooks") == {}


def test_a_sale_outside_a_subscription_is_ignored(bm, firestore, paypal):
    response = post(bm, *paypal.signed(paypal.event("PAYMENT.SALE.COMPLETED", {"id": "SALE-1", "state": "completed"})))
    assert response.status == 200 and response.json["ignored"] is True and firestore.list("payments-webhooks") == {}


def test_production_without_paypal_configured_answers_503_and_writes_nothing(bm, firestore, manager, monkeypatch, caplog):
    manager.environment = "production"
    body = json.dumps({"id": "WH-1", "event_type": "BILLING.SUBSCRIPTION.ACTIVATED", "resource": {"id": "I-1"}}).encode()
    response = post(bm, body, {"Content-Type": "application/json"}, key=WEBHOOK_KEY)
    assert response.status == 503 and "PAYPAL_WEBHOOK_ID" in response.error
    monkeypatch.setenv("PAYPAL_WEBHOOK_ID", "WH-X")
    response = post(bm, body, {"Content-Type": "application/json"})
    assert response.status == 503 and "PAYPAL_CLIENT_SECRET" in response.error
    assert firestore.list("payments-webhooks") == {}


def test_unsigned_key_callers_outside_production_without_a_webhook_id(bm, firestore, paypal, monkeypatch):
    monkeypatch.delenv("PAYPAL_WEBHOOK_ID")
    body = json.dumps(paypal.event("BILLING.SUBSCRIPTION.ACTIVATED", {"id": "I-KEY", "custom_id": "uid:u1,orderId:1-2-3"})).encode()
    headers = {"Content-Type": "application/json"}
    assert post(bm, body, headers, key="nope").status == 401
    assert post(bm, body, headers, key=WEBHOOK_KEY).status == 200
    assert paypal.requests_to("POST", "/v1/notifications/verify-webhook-signature") == []


def test_paypal_down_while_verifying_is_503_so_paypal_delivers_again(bm, firestore, paypal):
    event = paypal.event("BILLING.SUBSCRIPTION.ACTIVATED", {"id": "I-1"})
    paypal.fail_next(5, status=503)
    assert post(bm, *paypal.signed(event)).status == 503
    assert firestore.list("payments-webhooks") == {}


# unify ------------------------------------------------------------------------------------------------
EVENT = ParsedWebhook(event_id="WH-1", event_type="BILLING.SUBSCRIPTION.UPDATED", category="subscription",
                      resource_type="subscription", resource_id="I-1", created=1)
PLAN = {"product_id": "PROD-premium-demo", "billing_cycles": [
    {"tenure_type": "REGULAR", "frequency": {"interval_unit": "MONTH", "interval_count": 1},
     "pricing_scheme": {"fixed_price": {"value": "4.99", "currency_code": "USD"}}}]}


def _fixture(name, **changes):
    return {**json.loads((DATA / name).read_text()), "_plan": PLAN, **changes}


@pytest.mark.parametrize(("name", "now", "expected"), [
    ("subscription-active.json", "2026-03-10T00:00:00Z", ("active", False, "2026-04-04T10:00:00.000Z")),
    ("subscription-suspended.json", "2026-03-21T00:00:00Z", ("suspended", False, "2026-04-04T10:12:00.000Z")),
    # cancelled on 03-15, paid on 03-04 for a month: access until 04-04, then cancelled
    ("subscription-cancelled.json", "2026-03-16T00:00:00Z", ("active", True, "2026-04-04T10:12:00.000Z")),
    ("subscription-cancelled.json", "2026-04-05T00:00:00Z", ("cancelled", False, "2026-04-04T10:12:00.000Z")),
])
def test_bems_fixtures_unify_by_its_rules(manager, name, now, expected):
    sub = paypal_subscription_to_unified(_fixture(name), manager.config, EVENT, now=unix(now))
    assert (sub.status, sub.cancellation.pending, sub.expires.timestamp) == expected
    assert (sub.product.id, sub.payment.frequency, sub.payment.price, sub.payment.processor) == ("premium", "monthly", 4.99, "paypal")
    assert (sub.payment.order_id, sub.payment.resource_id) == ("ord-sub-123", "I-MTPRX0B9LV4R")
    if sub.cancellation.pending:
        assert sub.cancellation.date.timestamp == sub.expires.timestamp


def test_a_refunded_or_refund_cancelled_subscription_ends_at_once(manager):
    refunded = EVENT.__class__(**{**EVENT.__dict__, "event_type": "PAYMENT.SALE.REFUNDED"})
    now = unix("2026-03-16T00:00:00Z")
    assert paypal_subscription_to_unified(_fixture("subscription-cancelled.json"), manager.config, refunded, now=now).status == "cancelled"
    noted = _fixture("subscription-cancelled.json", status_change_note="bem-refund: refund requested")
    assert paypal_subscription_to_unified(noted, manager.config, EVENT, now=now).status == "cancelled"


def test_bems_trial_fixtures(manager):
    in_trial = paypal_subscription_to_unified(json.loads((DATA / "trial-in-trial.json").read_text()), manager.config, EVENT,
                                              now=unix("2023-05-01T00:00:00Z"))
    assert (in_trial.status, in_trial.trial.claimed, in_trial.trial.expires.timestamp) == ("active", True, "2023-05-12T02:16:58.000Z")
    assert in_trial.product.id == "basic"  # its plan's product (somiibo-premium-1) is not one of ours
    expired = paypal_subscription_to_unified(json.loads((DATA / "trial-to-expired.json").read_text()), manager.config, EVENT)
    assert expired.status == "cancelled"


# intent -------------------------------------------------------------------------------------------------
def _intent(bm, account="basic", **body):
    return bm.as_(account).post("payments/intent", {"processor": "paypal", "productId": "premium", "frequency": "monthly", **body})


def test_a_subscription_intent_resolves_the_plan_and_opens_a_paypal_subscription(bm, firestore, paypal, uid):
    response = _intent(bm)
    assert response.status == 200, response.text
    order_id = response.json["orderId"]
    [create] = paypal.requests_to("POST", "/v1/billing/subscriptions")
    assert create.body["plan_id"] == "P-premium-monthly" and create.body["custom_id"] == f"uid:{uid},orderId:{order_id}"
    assert create.body["start_time"] and create.request_id == f"bem-subscription-{order_id}"
    assert create.body["application_context"]["user_action"] == "SUBSCRIBE_NOW"
    assert response.json["url"].startswith("https://www.sandbox.paypal.com/webapps/billing/subscriptions")
    intent = firestore.get(f"payments-intents/{order_id}")
    assert (intent["processor"], intent["intentId"], intent["status"]) == ("paypal", response.json["id"], "pending")
    assert paypal.requests_to("GET", "/v1/billing/plans")[0].params["product_id"] == "PROD-premium-demo"


def test_a_trial_intent_lets_the_plans_trial_run(bm, paypal):
    assert _intent(bm, trial=True).status == 200
    [create] = paypal.requests_to("POST", "/v1/billing/subscriptions")
    assert "start_time" not in create.body


def test_a_one_time_intent_opens_an_order(bm, paypal, uid):
    response = bm.as_("basic").post("payments/intent", {"processor": "paypal", "productId": "credits-100"})
    assert response.status == 200, response.text
    [create] = paypal.requests_to("POST", "/v2/checkout/orders")
    unit = create.body["purchase_units"][0]
    assert (create.body["intent"], unit["amount"], unit["custom_id"]) == (
        "CAPTURE", {"currency_code": "USD", "value": "9.99"}, f"uid:{uid},orderId:{response.json['orderId']},productId:credits-100")
    assert create.request_id == f"bem-order-{response.json['orderId']}" and "checkoutnow" in response.json["url"]


def test_paypal_not_configured_is_a_400_naming_it_and_nothing_is_written(bm, firestore):
    response = _intent(bm)
    assert response.status == 400 and "'paypal'" in response.error and "PAYPAL_CLIENT_SECRET" in response.error
    assert firestore.list("payments-intents") == {}


def test_a_discount_code_is_refused_with_paypal(bm, firestore, paypal):
    response = _intent(bm, discount="WELCOME10")
    assert response.status == 400 and response.json["error"]["field"] == "discount"
    assert paypal.requests == [] and firestore.list("payments-intents") == {}


def test_no_plan_at_the_config_price_is_a_400(bm, firestore, paypal):
    paypal.plans["P-premium-monthly"]["billing_cycles"][-1]["pricing_scheme"]["fixed_price"]["value"] = "5.99"
    response = _intent(bm)
    assert response.status == 400 and "No active PayPal plan" in response.error
    assert paypal.requests_to("POST", "/v1/billing/subscriptions") == [] and firestore.list("payments-intents") == {}


def test_the_token_is_cached_and_renewed_when_paypal_revokes_it(bm, paypal):
    assert _intent(bm).status == 200 and _intent(bm).status == 200
    assert len(paypal.requests_to("POST", "/v1/oauth2/token")) == 1
    paypal.expire_tokens()
    assert _intent(bm).status == 200
    assert len(paypal.requests_to("POST", "/v1/oauth2/token")) == 2
    paypal.expire_tokens()  # a mutating call first: refused, then made again with the same request id
    assert bm.as_("basic").post("payments/intent", {"processor": "paypal", "productId": "credits-100"}).status == 200
    assert len(paypal.requests_to("POST", "/v1/oauth2/token")) == 3 and len(paypal.orders) == 1


def test_concurrent_requests_share_one_token(manager, paypal):
    from functions.payments.processors.paypal.api import paypal_client
    from functions.testing.concurrency import all_at_once

    tokens = all_at_once(8, lambda: paypal_client(manager).token())
    assert len(set(tokens)) == 1 and len(paypal.requests_to("POST", "/v1/oauth2/token")) == 1


def test_a_paypal_that_times_out_is_503_and_nothing_is_written(bm, firestore, paypal, monkeypatch):
    monkeypatch.setenv("PAYPAL_TIMEOUT", "0.3")
    paypal.timeout_next(2, seconds=0.8)  # the token call and its one retry
    assert _intent(bm).status == 503
    assert firestore.list("payments-intents") == {} and paypal.requests_to("POST", "/v1/billing/subscriptions") == []


def test_a_paypal_outage_at_intent_is_503_and_nothing_is_written(bm, firestore, paypal):
    paypal.fail_next(10, status=503)
    assert _intent(bm).status == 503
    assert firestore.list("payments-intents") == {}


# pipeline: capture, cancel, refund, portal ---------------------------------------------------------------
def test_an_approved_order_is_captured_once_and_completes_the_purchase(bm, manager, firestore, paypal, uid):
    intent = bm.as_("basic").post("payments/intent", {"processor": "paypal", "productId": "credits-100"}).json
    approved = paypal.approve_order(intent["id"])
    event = paypal.event("CHECKOUT.ORDER.APPROVED", approved)
    outcome = deliver(bm, manager, paypal, event)
    assert outcome.transition == "purchase-completed"
    order = firestore.get(f"payments-orders/{intent['orderId']}")
    assert (order["type"], order["unified"]["status"], order["unified"]["payment"]["price"]) == ("one-time", "completed", 9.99)
    [capture] = paypal.requests_to("POST", f"/v2/checkout/orders/{intent['id']}/capture")
    assert capture.request_id == f"bem-capture-{intent['id']}"
    assert firestore.get(f"users/{uid}")["personal"]["name"]["first"] == "Test"
    # processed again (a retry): the same PayPal-Request-Id, one capture; once PayPal has forgotten the
    # request id it says "already captured" and the order is read instead
    firestore.set(f"payments-webhooks/{event['id']}", {"status": "pending"}, merge=True)
    assert process_webhook_event(manager, event["id"]).status == "completed"
    paypal.on("POST", f"/v2/checkout/orders/{intent['id']}/capture",
              lambda req, match: paypal_error(422, "ORDER_ALREADY_CAPTURED", "Order already captured"))
    firestore.set(f"payments-webhooks/{event['id']}", {"status": "pending"}, merge=True)
    assert process_webhook_event(manager, event["id"]).status == "completed"
    assert len(paypal.requests_to("GET", f"/v2/checkout/orders/{intent['id']}")) == 1
    assert len(paypal.orders[intent["id"]]["purchase_units"][0]["payments"]["captures"]) == 1
    assert firestore.get(f"payments-orders/{intent['orderId']}")["unified"]["status"] == "completed"


def test_cancel_cancels_at_paypal_and_keeps_access_until_the_period_ends(bm, manager, firestore, paypal, uid):
    subscription, _ = subscribe(bm, manager, paypal, uid)
    response = bm.as_("basic").post("payments/cancel", {"confirmed": True, "reason": "too expensive"})
    assert response.status == 200 and response.json["immediate"] is False, response.text
    [cancel] = paypal.requests_to("POST", f"/v1/billing/subscriptions/{subscription['id']}/cancel")
    assert cancel.request_id == f"bem-cancel-{subscription['id']}"
    assert firestore.get("payments-orders/1111-2222-3333")["requests"]["cancellation"]["reason"] == "too expensive"
    outcome = deliver(bm, manager, paypal, paypal.event("BILLING.SUBSCRIPTION.CANCELLED", paypal.subscriptions[subscription["id"]]))
    assert outcome.transition == "cancellation-requested"
    current = subscription_of(firestore, uid)
    assert (current["status"], current["cancellation"]["pending"]) == ("active", True)
    again = bm.as_("basic").post("payments/cancel", {"confirmed": True, "skipGuards": True})
    assert again.status == 400 and "already cancelled" in again.error


def test_refund_is_one_refund_by_the_shared_rule_then_access_ends(bm, manager, firestore, paypal, uid):
    subscription, _ = subscribe(bm, manager, paypal, uid)
    firestore.set(f"users/{uid}", {"subscription": {"cancellation": {"pending": True}}}, merge=True)
    first = bm.as_("basic").post("payments/refund", {"confirmed": True, "reason": "not for me"})
    assert first.status == 200, first.text
    assert first.json["refund"]["amount"] == 4.99 and first.json["refund"]["full"] is True
    second = bm.as_("basic").post("payments/refund", {"confirmed": True, "reason": "not for me"})
    assert second.status == 400 and "already refunded" in second.error  # a double click is one refund
    assert len(paypal.refunds) == 1
    sale = paypal.transactions[subscription["id"]][0]["id"]
    assert {r.request_id for r in paypal.requests_to("POST", f"/v2/payments/captures/{sale}/refund")} == {f"bem-refund-{sale}"}
    outcome = deliver(bm, manager, paypal, paypal.sale_event("PAYMENT.SALE.REFUNDED", subscription["id"]))
    assert outcome.transition == "payment-refunded" and subscription_of(firestore, uid)["status"] == "cancelled"


def test_a_refund_whose_cancel_failed_is_completed_by_a_retry_without_a_second_refund(bm, manager, firestore, paypal, uid):
    subscription, _ = subscribe(bm, manager, paypal, uid)
    firestore.set(f"users/{uid}", {"subscription": {"cancellation": {"pending": True}}}, merge=True)
    paypal.on("POST", f"/v1/billing/subscriptions/{subscription['id']}/cancel", lambda req, match: (503, {"name": "UNAVAILABLE"}))
    assert bm.as_("basic").post("payments/refund", {"confirmed": True, "reason": "x"}).status == 503
    paypal.clear_overrides()
    assert firestore.get("payments-orders/1111-2222-3333").get("requests", {}).get("refund") is None
    retry = bm.as_("basic").post("payments/refund", {"confirmed": True, "reason": "x"})
    assert retry.status == 200, retry.text
    assert len(paypal.refunds) == 1 and paypal.subscriptions[subscription["id"]]["status"] == "CANCELLED"


def test_portal_is_paypals_autopay_page(bm, manager, paypal, uid):
    subscribe(bm, manager, paypal, uid)
    response = bm.as_("basic").post("payments/portal", {})
    assert response.json == {"url": "https://www.sandbox.paypal.com/myaccount/autopay/", "processor": "paypal"}


# expire-paypal-cancellations ------------------------------------------------------------------------------
def test_the_expire_job_ends_paypal_cancellations_whose_period_is_over_once(bm, manager, firestore, paypal, uid, accounts,
                                                                           run_cron, monkeypatch):
    monkeypatch.setenv("TEST_EXTENDED_MODE", "true")
    subscription, _ = subscribe(bm, manager, paypal, uid)
    paypal.update_subscription(subscription["id"], status="CANCELLED")
    deliver(bm, manager, paypal, paypal.event("BILLING.SUBSCRIPTION.CANCELLED", paypal.subscriptions[subscription["id"]]))
    assert subscription_of(firestore, uid)["cancellation"]["pending"] is True
    assert run_cron("expire-paypal-cancellations")["results"][0]["result"] == {"expired": 0, "notYet": 1, "skipped": 0}
    firestore.set(f"users/{uid}", {"subscription": {"expires": {"timestampUNIX": int(time.time()) - 60}}}, merge=True)
    stripe_uid = accounts["premium-cancelling"].uid  # a Stripe cancellation is Stripe's to end
    broken = accounts["premium-active"].uid
    firestore.set(f"users/{broken}", {"subscription": {"payment": {"processor": "paypal"}, "cancellation": {"pending": True},
                                                       "status": 12}}, merge=True)
    assert run_cron("expire-paypal-cancellations")["results"][0]["result"] == {"expired": 1, "notYet": 0, "skipped": 1}
    current = subscription_of(firestore, uid)
    assert (current["status"], current["cancellation"]["pending"]) == ("cancelled", False)
    assert firestore.get("payments-orders/1111-2222-3333")["unified"]["status"] == "cancelled"
    assert subscription_of(firestore, stripe_uid)["status"] == "active"
    assert run_cron("expire-paypal-cancellations")["results"][0]["result"]["expired"] == 0
    assert order_emails(firestore, uid).count("order/cancelled") == 1
