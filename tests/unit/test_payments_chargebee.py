"""Chargebee, piece by piece: unify on BEM's real payloads, intake answers, the hosted-page back-fill,
checkout parameters, and what the routes answer when Chargebee is not configured."""

import base64
import json
from pathlib import Path

import pytest

from functions.config.models import Config
from functions.payments.pipeline import process_webhook_event
from functions.payments.processors import ParsedWebhook, get_processor
from functions.payments.processors.chargebee.checkout import coupon_id_for
from functions.payments.processors.chargebee.unify import (
    chargebee_one_time_to_unified,
    chargebee_subscription_to_unified,
    map_chargebee_status,
    meta_data,
)
from functions.testing.unit import WEBHOOK_KEY

DATA = Path(__file__).resolve().parents[1] / "data" / "chargebee"
EVENT = ParsedWebhook(event_id="ev_1", event_type="subscription_changed", category="subscription",
                      resource_type="subscription", resource_id="cb_sub_1", created=1)
CONFIG = Config.model_validate({"payment": {"products": [
    {"id": "basic", "name": "Basic"},
    {"id": "pro", "name": "Pro", "prices": {"monthly": 4.99, "annually": 49.99}, "trial": {"days": 14},
     "chargebee": {"itemId": "somiibo-pro"}},
    {"id": "premium", "name": "Premium", "prices": {"monthly": 19.95},
     "chargebee": {"itemId": "somiibo-premium", "legacyPlanIds": ["somiibo-premium-monthly-1"]}},
    {"id": "credits-100", "name": "100 Credits", "type": "one-time", "prices": {"once": 9.99}},
]}})


def fixture(name):
    return json.loads((DATA / name).read_text())


def unify(name):
    return chargebee_subscription_to_unified(fixture(name), CONFIG, EVENT)


# unify (BEM's fixtures) ---------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "unified"), [
    ("active", "active"), ("in_trial", "active"), ("non_renewing", "active"), ("future", "active"),
    ("paused", "suspended"), ("cancelled", "cancelled"), ("transferred", "cancelled"), (None, "cancelled"),
])
def test_status_map_is_bems(status, unified):
    assert map_chargebee_status(status) == unified


def test_an_active_items_subscription():
    sub = unify("subscription-active.json")
    assert (sub.product.id, sub.status, sub.payment.frequency, sub.payment.price) == ("pro", "active", "monthly", 4.99)
    assert (sub.payment.processor, sub.payment.order_id, sub.payment.resource_id) == ("chargebee", "1234-5678-9012",
                                                                                       "cb_sub_active_001")
    assert sub.expires.timestamp_unix == 1702592000 and sub.payment.start_date.timestamp_unix == 1697321600
    assert sub.trial.claimed is False and sub.cancellation.pending is False


def test_in_trial_is_active_with_the_trial_claimed():
    sub = unify("subscription-in-trial.json")
    assert (sub.status, sub.trial.claimed, sub.trial.expires.timestamp_unix) == ("active", True, 1701209600)
    assert sub.expires.timestamp_unix == 1701209600  # no term yet: access runs to the trial's end


def test_non_renewing_is_a_pending_cancellation_at_the_term_end():
    sub = unify("subscription-non-renewing.json")
    assert (sub.status, sub.cancellation.pending, sub.cancellation.date.timestamp_unix) == ("active", True, 1702592000)


def test_cancelled_and_paused():
    cancelled, paused = unify("subscription-cancelled.json"), unify("subscription-paused.json")
    assert (cancelled.status, cancelled.cancellation.pending, cancelled.cancellation.date.timestamp_unix) == (
        "cancelled", False, 1699500000)
    assert cancelled.payment.frequency == "annually" and cancelled.payment.price == 49.99
    assert paused.status == "suspended"


def test_a_legacy_plan_resolves_by_legacy_plan_ids_and_billing_period():
    sub = unify("subscription-legacy-plan.json")
    assert (sub.product.id, sub.payment.frequency, sub.payment.price) == ("premium", "monthly", 19.95)
    assert sub.payment.order_id == "1678790168794-0784"  # cf_clientorderid (legacy)


@pytest.mark.parametrize(("name", "status", "claimed"), [
    ("lifecycle-trial-in-trial.json", "active", True),
    ("lifecycle-trial-to-active.json", "active", True),
    ("lifecycle-trial-to-suspended.json", None, True),
    ("lifecycle-trial-to-cancelled.json", "cancelled", True),
    ("lifecycle-trial-to-active-to-cancelled.json", "cancelled", True),
    ("lifecycle-active.json", "active", False),
])
def test_bems_lifecycle_payloads(name, status, claimed):
    raw = fixture(name)
    sub = unify(name)
    assert sub.status == (status or map_chargebee_status(raw["status"]))
    assert sub.product.id == "premium" and sub.trial.claimed is claimed


def test_an_unknown_item_falls_back_to_the_meta_data_product_then_basic():
    raw = {**fixture("subscription-active.json"), "subscription_items": [{"item_price_id": "other-monthly"}]}
    assert chargebee_subscription_to_unified(raw, CONFIG, EVENT).product.id == "basic"
    raw["meta_data"] = json.dumps({"uid": "u", "orderId": "o", "productId": "premium"})
    assert chargebee_subscription_to_unified(raw, CONFIG, EVENT).product.id == "premium"


def test_one_time_invoices():
    paid = chargebee_one_time_to_unified(fixture("invoice-one-time.json"), CONFIG, EVENT)
    assert (paid.product.id, paid.status, paid.payment.price, paid.payment.currency, paid.payment.order_id) == (
        "credits-100", "completed", 9.99, "usd", "6789-0123-4567")
    assert chargebee_one_time_to_unified(fixture("lifecycle-order-unpaid.json"), CONFIG, EVENT).status == "failed"
    refunded = {**fixture("invoice-one-time.json"), "issued_credit_notes": [{"cn_id": "cn_1", "cn_status": "refunded"}]}
    assert chargebee_one_time_to_unified(refunded, CONFIG, EVENT).status == "refunded"


@pytest.mark.parametrize(("resource", "expected"), [
    ({"meta_data": '{"uid":"u1","orderId":"o1"}'}, {"uid": "u1", "orderId": "o1"}),
    ({"meta_data": {"uid": "u1", "orderId": "o1", "productId": "p"}}, {"uid": "u1", "orderId": "o1", "productId": "p"}),
    ({"meta_data": "not json", "cf_uid": "u2", "cf_clientorderid": "o2"}, {"uid": "u2", "orderId": "o2"}),
    ({"meta_data": "[1, 2]"}, {}),
    ({"meta_data": {"uid": 5}}, {}),
    (None, {}),
])
def test_meta_data_of_any_shape(resource, expected):
    assert meta_data(resource) == expected


def test_a_stored_document_of_any_shape_does_not_break_unify():
    weird = {"id": "x", "status": 7, "subscription_items": "nope", "current_term_end": "soon", "trial_start": True}
    sub = chargebee_subscription_to_unified(weird, CONFIG, EVENT)
    assert (sub.status, sub.product.id, sub.expires.timestamp_unix) == ("cancelled", "basic", 0)


# intake -------------------------------------------------------------------------------------------------
def _post(bm, event, key=WEBHOOK_KEY, headers=None):
    query = {"processor": "chargebee", **({"key": key} if key else {})}
    body = event if isinstance(event, (bytes, str)) else json.dumps(event)
    return bm.post("payments/webhook", data=body, headers={"Content-Type": "application/json", **(headers or {})},
                   query=query)


def test_bems_fixture_events_are_recorded_with_their_uid(bm, chargebee_fake, firestore):
    response = _post(bm, fixture("webhook-subscription-created.json"))
    assert response.status == 200 and response.json["status"] == "pending"
    record = firestore.get("payments-webhooks/ev_cb_sub_created_001")
    assert (record["owner"], record["processor"], record["event"]["resourceId"], record["event"]["created"]) == (
        "test-uid-001", "chargebee", "cb_sub_active_001", 1700000000)
    failed = _post(bm, fixture("webhook-payment-failed.json"))
    assert failed.status == 200
    assert firestore.get("payments-webhooks/ev_cb_payment_failed_001")["event"]["category"] == "subscription"


@pytest.mark.parametrize(("event_type", "content"), [
    ("customer_created", {"customer": {"id": "c"}}),
    ("invoice_generated", {"invoice": {"id": "inv", "subscription_id": "sub"}}),  # a renewal invoice
    ("payment_refunded", {"invoice": {"id": "inv"}}),  # not a subscription: BEM ignores it
])
def test_events_we_do_not_handle_are_ignored(bm, chargebee_fake, firestore, event_type, content):
    response = _post(bm, {"id": "ev_x", "event_type": event_type, "occurred_at": 1, "content": content})
    assert response.status == 200 and response.json == {"received": True, "ignored": True}
    assert firestore.list("payments-webhooks") == {}


@pytest.mark.parametrize("body", [
    b"not json", json.dumps({"event_type": "subscription_created"}), json.dumps({"id": "ev", "event_type": "x", "occurred_at": "late"}),
    json.dumps({"id": "ev", "event_type": "subscription_created", "occurred_at": 1, "content": {}}),
    json.dumps({"id": "ev", "event_type": "subscription_created", "occurred_at": 1, "content": []}),
    json.dumps({"id": "ev", "event_type": "subscription_created", "occurred_at": 1, "content": {"subscription": {"id": 7}}}),
    b"[" * 50_000, b"\xff\xfe{}",
])
def test_malformed_events_are_400_and_nothing_is_written(bm, chargebee_fake, firestore, body):
    assert _post(bm, body).status == 400
    assert firestore.list("payments-webhooks") == {}


def test_a_wrong_or_missing_key_is_401(bm, chargebee_fake, firestore):
    assert _post(bm, fixture("webhook-subscription-created.json"), key="wrong").status == 401
    assert _post(bm, fixture("webhook-subscription-created.json"), key=None).status == 401
    assert firestore.list("payments-webhooks") == {}


def test_basic_auth_is_checked_when_configured(bm, chargebee_fake, firestore, monkeypatch):
    monkeypatch.setenv("CHARGEBEE_WEBHOOK_USERNAME", "hooks")
    monkeypatch.setenv("CHARGEBEE_WEBHOOK_PASSWORD", "s3cret")
    event = fixture("webhook-subscription-created.json")

    def basic(user, password):
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}

    assert _post(bm, event).status == 401
    assert _post(bm, event, headers=basic("hooks", "wrong")).status == 401
    assert _post(bm, event, headers={"Authorization": "Basic %%%"}).status == 401
    assert firestore.list("payments-webhooks") == {}
    assert _post(bm, event, headers=basic("hooks", "s3cret")).status == 200


def test_an_unconfigured_chargebee_answers_503_so_chargebee_retries(bm, manager, firestore, monkeypatch):
    monkeypatch.delenv("CHARGEBEE_API_KEY", raising=False)
    response = _post(bm, fixture("webhook-subscription-created.json"))
    assert response.status == 503 and "CHARGEBEE_API_KEY" in response.error
    assert firestore.list("payments-webhooks") == {}


# the hosted-page back-fill ------------------------------------------------------------------------------
def _paid_without_meta(chargebee_fake, uid, order_id="1234-5678-9012"):
    sub = chargebee_fake.add({"id": "cb_sub_new", "object": "subscription", "status": "active", "customer_id": "cb_cust_new",
                              "current_term_start": 1, "current_term_end": 2_000_000_000,
                              "subscription_items": [{"item_price_id": "premium-demo-monthly"}]})
    chargebee_fake.add({"id": "cb_cust_new", "object": "customer", "first_name": "ada", "last_name": "lovelace"})
    for index, content in enumerate([{"subscription": {"id": "cb_sub_other"}}, {"subscription": {"id": "cb_sub_new"}}]):
        chargebee_fake.add({"id": f"hp_{index}", "object": "hosted_page", "state": "succeeded", "created_at": index,
                            "content": content, "pass_thru_content": json.dumps(
                                {"uid": uid if index else "someone-else", "orderId": order_id, "productId": "premium"})})
    return chargebee_fake.event("subscription_created", subscription=sub)


def test_the_uid_comes_from_the_hosted_page_and_is_written_back(bm, manager, firestore, chargebee_fake, accounts):
    uid = accounts["basic"].uid
    event = _paid_without_meta(chargebee_fake, uid)
    _post(bm, event)
    assert firestore.get(f"payments-webhooks/{event['id']}")["owner"] is None
    outcome = process_webhook_event(manager, event["id"])
    assert (outcome.status, outcome.transition, outcome.order_id) == ("completed", "new-subscription", "1234-5678-9012")
    user = firestore.get(f"users/{uid}")
    assert user["subscription"]["product"]["id"] == "premium"
    assert user["personal"]["name"] == {"first": "Ada", "last": "Lovelace"}
    [sub_update] = chargebee_fake.requests_to("POST", "/subscriptions/cb_sub_new")
    [customer_update] = chargebee_fake.requests_to("POST", "/customers/cb_cust_new")
    assert json.loads(sub_update.params["meta_data"]) == {"uid": uid, "orderId": "1234-5678-9012", "productId": "premium"}
    assert sub_update.idempotency_key == "bem-meta-cb_sub_new"
    assert customer_update.idempotency_key == "bem-meta-cb_cust_new-cb_sub_new"
    assert chargebee_fake.get("customer", "cb_cust_new")["meta_data"]["uid"] == uid
    # the next event resolves from meta_data: no search
    again = chargebee_fake.state_event("subscription_changed", "cb_sub_new", occurred_at=event["occurred_at"] + 1)
    _post(bm, again)
    assert firestore.get(f"payments-webhooks/{again['id']}")["owner"] == uid
    process_webhook_event(manager, again["id"])
    assert len(chargebee_fake.requests_to("GET", "/hosted_pages")) == 1


def test_a_failed_hosted_page_search_fails_the_event_for_a_retry(bm, manager, firestore, chargebee_fake, accounts):
    event = _paid_without_meta(chargebee_fake, accounts["basic"].uid)
    _post(bm, event)
    chargebee_fake.on("GET", "/hosted_pages", lambda req, match: (500, {"message": "down", "api_error_code": "internal_error"}))
    assert process_webhook_event(manager, event["id"]).status == "failed"
    assert firestore.get(f"users/{accounts['basic'].uid}")["subscription"]["product"]["id"] == "basic"


# intent, cancel, refund, portal ---------------------------------------------------------------------------
def _intent(bm, **body):
    return bm.as_("basic").post("payments/intent", {"productId": "premium", "frequency": "annually",
                                                    "processor": "chargebee", **body})


def test_intent_opens_a_hosted_page_for_the_item_price(bm, chargebee_fake, firestore, accounts):
    response = _intent(bm)
    assert response.status == 200, response.text
    [request] = chargebee_fake.requests_to("POST", "/hosted_pages/checkout_new_for_items")
    params = request.params
    assert params["subscription_items"] == {"item_price_id": ["premium-demo-annually"], "quantity": [1]}
    assert params["subscription"] == {"trial_end": 0}  # no trial asked: the item price's trial is skipped
    order_id = response.json["orderId"]
    assert json.loads(params["pass_thru_content"]) == {"uid": accounts["basic"].uid, "orderId": order_id,
                                                       "productId": "premium"}
    assert request.idempotency_key == f"bem-checkout-{order_id}"
    assert response.json["url"].startswith(chargebee_fake.url)
    intent = firestore.get(f"payments-intents/{order_id}")
    assert (intent["processor"], intent["intentId"], intent["status"]) == ("chargebee", response.json["id"], "pending")


def test_a_trial_intent_leaves_the_trial_to_the_item_price(bm, chargebee_fake):
    assert _intent(bm, trial=True).status == 200
    [request] = chargebee_fake.requests_to("POST", "/hosted_pages/checkout_new_for_items")
    assert "subscription" not in request.params


def test_a_discount_makes_bems_coupon_once(bm, chargebee_fake, manager):
    discount = manager.config.payment.discount("WELCOME10")
    assert coupon_id_for(discount) == "BEM_WELCOME10_10OFF_ONCE"
    assert _intent(bm, discount="WELCOME10").status == 200
    assert _intent(bm, discount="WELCOME10").status == 200
    [created] = chargebee_fake.requests_to("POST", "/coupons/create_for_items")
    assert (created.params["id"], float(created.params["discount_percentage"]), created.params["duration_type"]) == (
        "BEM_WELCOME10_10OFF_ONCE", 10, "one_time")
    assert created.idempotency_key == "bem-coupon-BEM_WELCOME10_10OFF_ONCE"
    pages = chargebee_fake.requests_to("POST", "/hosted_pages/checkout_new_for_items")
    assert [p.params["coupon_ids"] for p in pages] == [["BEM_WELCOME10_10OFF_ONCE"]] * 2


def test_a_chargebee_outage_at_intent_is_503_and_records_nothing(bm, chargebee_fake, firestore):
    chargebee_fake.fail_next(1, status=503)
    response = _intent(bm)
    assert response.status == 503
    assert firestore.list("payments-intents") == {}


def test_a_product_without_a_chargebee_item_is_refused(bm, chargebee_fake, manager):
    products = [p.model_copy(update={"chargebee": p.chargebee.model_copy(update={"item_id": None})}) for p in
                manager.config.payment.products]
    manager.config = manager.config.model_copy(update={"payment": manager.config.payment.model_copy(update={"products": products})})
    response = _intent(bm)
    assert response.status == 400 and response.json["error"]["field"] == "processor"
    assert chargebee_fake.requests == []


def _chargebee_subscriber(firestore, uid, status="active"):
    firestore.set(f"users/{uid}", {"subscription": {
        "product": {"id": "premium", "name": "Premium"}, "status": status,
        "cancellation": {"pending": status == "active-pending"},
        "payment": {"processor": "chargebee", "orderId": "1234-5678-9012", "resourceId": "cb_sub_active_001"}}}, merge=True)


@pytest.mark.parametrize(("route", "body"), [
    ("payments/intent", {"productId": "premium", "frequency": "monthly", "processor": "chargebee"}),
    ("payments/cancel", {"confirmed": True, "skipGuards": True}),
    ("payments/refund", {"confirmed": True, "reason": "r"}),
    ("payments/portal", {}),
])
def test_an_unconfigured_chargebee_is_a_400_naming_it(bm, firestore, accounts, monkeypatch, route, body):
    monkeypatch.delenv("CHARGEBEE_API_KEY", raising=False)
    if route != "payments/intent":
        _chargebee_subscriber(firestore, accounts["basic"].uid, "cancelled" if route == "payments/refund" else "active")
    response = bm.as_("basic").post(route, body)
    assert response.status == 400, response.text
    assert "chargebee" in response.error and "CHARGEBEE_API_KEY" in response.error


def test_the_portal_opens_a_session_for_the_subscriptions_customer(bm, chargebee_fake, firestore, accounts):
    chargebee_fake.add(fixture("subscription-active.json"))
    chargebee_fake.add({"id": "cb_cust_001", "object": "customer"})
    _chargebee_subscriber(firestore, accounts["basic"].uid)
    response = bm.as_("basic").post("payments/portal", {"returnUrl": "https://example.com/account"})
    assert response.status == 200, response.text
    assert response.json["processor"] == "chargebee" and response.json["url"].startswith(chargebee_fake.url)
    [request] = chargebee_fake.requests_to("POST", "/portal_sessions")
    assert request.params == {"customer": {"id": "cb_cust_001"}, "redirect_url": "https://example.com/account"}


def test_the_sdk_retries_an_outage_with_the_same_idempotency_key(bm, chargebee_fake, firestore, accounts, monkeypatch):
    monkeypatch.setenv("CHARGEBEE_MAX_NETWORK_RETRIES", "1")
    chargebee_fake.add(fixture("subscription-active.json"))
    chargebee_fake.add({"id": "cb_cust_001", "object": "customer"})
    _chargebee_subscriber(firestore, accounts["basic"].uid)
    answers = [(502, {"message": "bad gateway", "api_error_code": "internal_error"}),
               (200, {"subscription": {**fixture("subscription-active.json"), "status": "non_renewing"},
                      "customer": {"id": "cb_cust_001"}})]
    chargebee_fake.on("POST", "/subscriptions/cb_sub_active_001/cancel_for_items", lambda req, match: answers.pop(0))
    response = bm.as_("basic").post("payments/cancel", {"confirmed": True, "skipGuards": True})
    assert response.status == 200 and response.json["immediate"] is False, response.text
    cancels = chargebee_fake.requests_to("POST", "/subscriptions/cb_sub_active_001/cancel_for_items")
    assert [r.status for r in cancels] == [502, 200]
    assert {r.idempotency_key for r in cancels} == {"bem-cancel-cb_sub_active_001-end_of_term"}
    assert cancels[1].headers.get("X-Cb-Retry-Attempt") == "1"


def test_cancelling_a_subscription_chargebee_no_longer_has(bm, chargebee_fake, firestore, accounts):
    _chargebee_subscriber(firestore, accounts["basic"].uid)
    response = bm.as_("basic").post("payments/cancel", {"confirmed": True, "skipGuards": True})
    assert response.status == 400 and "already cancelled" in response.error
    assert chargebee_fake.requests_to("POST", ".*") == []


def test_the_processor_object_has_the_seam_attributes():
    processor = get_processor("chargebee")
    assert processor.refund_events == frozenset({"payment_refunded"})
    assert processor.payment_failed_events == frozenset({"payment_failed"})


# `mgr emulator --chargebee`: paying a hosted page delivers Chargebee's events to the webhook ---------------
def test_the_local_pay_endpoint_delivers_the_events_with_the_webhook_key(bm, chargebee_fake, wait_for, monkeypatch):
    from functions.emulator.local_chargebee import start_local_chargebee
    from functions.testing.chargebee_fake import ChargebeeFake

    receiver = ChargebeeFake(port=0).start()  # its test endpoints record what arrives
    received = []
    receiver.on("POST", "/hook", lambda req, match: received.append(req) or (200, {"received": True}))
    local = start_local_chargebee(None, "local-key", port=0, webhook_url=f"{receiver.url}/hook?processor=chargebee")
    monkeypatch.setenv("CHARGEBEE_API_BASE", local.url)  # the functions talk to the local fake
    try:
        import requests

        intent = bm.as_("basic").post("payments/intent", {"productId": "premium", "frequency": "monthly",
                                                          "processor": "chargebee"})
        assert intent.status == 200, intent.text
        page_id = intent.json["id"]
        paid = requests.post(f"{local.url}/_local/hosted_pages/{page_id}/pay", timeout=5)
        assert paid.status_code == 200 and len(paid.json()["events"]) == 1
        wait_for(lambda: received, timeout=5, message="no event delivered")
        assert received[0].params["key"] == "local-key" and received[0].params["processor"] == "chargebee"
        assert local.get("hosted_page", page_id)["state"] == "succeeded"
        assert requests.post(f"{local.url}/_local/hosted_pages/{page_id}/pay", timeout=5).status_code == 400
        assert requests.post(f"{local.url}/_local/hosted_pages/hp_nope/pay", timeout=5).status_code == 404
    finally:
        local.stop()
        receiver.stop()
