"""The test processor as BEM's clients and journeys drive it: BEM's ids (``_test-cs-`` → ``_test-evt-``),
hand-built events without ``created`` or ``metadata.uid``, an invoice or charge that only names its
subscription (rebuilt from the stored order), ``_test_<id>`` products, and the event classification."""

from __future__ import annotations

import time

import pytest

from functions.payments.pipeline import process_webhook_event
from functions.testing.unit import WEBHOOK_KEY

MONTH = 30 * 86400


@pytest.fixture
def uid(accounts):
    return accounts["basic"].uid


def _subscribe(bm, firestore, uid, **body):
    response = bm.as_("basic").post("payments/intent", {"processor": "test", "productId": "premium",
                                                         "frequency": "monthly", **body})
    assert response.status == 200, response.text
    return response.json, firestore.get(f"users/{uid}")["subscription"]


def _hand_built(bm, manager, event_id, event_type, obj):
    """A BEM journey's event: no ``created``, no ``object``/``api_version`` envelope."""
    response = bm.post("payments/webhook", json={"id": event_id, "type": event_type, "data": {"object": obj}},
                       query={"processor": "test", "key": WEBHOOK_KEY})
    assert response.status == 200, response.text
    process_webhook_event(manager, event_id)


def _bem_subscription(sub_id, uid, order_id, **changes):
    now = int(time.time())
    obj = {"id": sub_id, "object": "subscription", "status": "active", "metadata": {"uid": uid, "orderId": order_id},
           "cancel_at_period_end": False, "canceled_at": None, "current_period_end": now + MONTH,
           "current_period_start": now, "start_date": now - MONTH, "trial_start": None, "trial_end": None,
           "plan": {"product": "prod_premium_demo", "interval": "month"}}
    return {**obj, **changes}


def test_an_intent_uses_bems_ids_so_its_event_is_found_from_the_session(bm, firestore, uid):
    answer, sub = _subscribe(bm, firestore, uid)
    assert answer["id"].startswith("_test-cs-")
    event_id = answer["id"].replace("_test-cs-", "_test-evt-")  # what BEM's journeys do
    webhook = firestore.get(f"payments-webhooks/{event_id}")
    assert (webhook["status"], webhook["transition"], webhook["orderId"]) == ("completed", "new-subscription", answer["orderId"])
    assert sub["payment"]["resourceId"] == answer["id"].replace("_test-cs-", "_test-sub-")
    one_time = bm.as_("basic").post("payments/intent", {"processor": "test", "productId": "credits-100"}).json
    record = firestore.get(f"payments-webhooks/{one_time['id'].replace('_test-cs-', '_test-evt-')}")
    assert (record["transition"], record["event"]["category"]) == ("purchase-completed", "one-time")


def test_two_intents_in_one_millisecond_never_share_an_event(manager):
    from functions.payments.processors.test.actions import test_checkout_session

    class Plan:
        is_subscription, success_url, metadata = True, "https://x", {}

    assert len({test_checkout_session(Plan())["id"] for _ in range(200)}) == 200


def test_a_hand_built_event_without_created_is_not_judged_stale(bm, manager, firestore, uid):
    answer, sub = _subscribe(bm, firestore, uid)
    arrival = int(time.time())
    later = arrival + MONTH
    _hand_built(bm, manager, "_test-evt-cancel-pending", "customer.subscription.updated", _bem_subscription(
        sub["payment"]["resourceId"], uid, answer["orderId"], cancel_at_period_end=True, cancel_at=later,
        current_period_end=later))
    webhook = firestore.get("payments-webhooks/_test-evt-cancel-pending")
    assert (webhook["status"], webhook["transition"], webhook.get("stale")) == ("completed", "cancellation-requested", None)
    assert webhook["event"]["created"] >= arrival  # ordered by its arrival, after the intent's event
    after = firestore.get(f"users/{uid}")["subscription"]
    assert (after["status"], after["cancellation"]["pending"]) == ("active", True)


def test_a_payment_failure_naming_only_its_subscription_suspends_it(bm, manager, firestore, uid):
    answer, sub = _subscribe(bm, firestore, uid)
    sub_id = sub["payment"]["resourceId"]
    _hand_built(bm, manager, "_test-evt-failure", "invoice.payment_failed", {
        "id": "in_test_failure", "object": "invoice", "billing_reason": "subscription_cycle", "status": "open",
        "parent": {"type": "subscription_details", "subscription_details": {
            "subscription": sub_id, "metadata": {"uid": uid, "orderId": answer["orderId"]}}}})
    webhook = firestore.get("payments-webhooks/_test-evt-failure")
    assert webhook["event"]["category"] == "subscription" and webhook["event"]["resourceType"] == "subscription"
    assert (webhook["event"]["resourceId"], webhook["transition"]) == (sub_id, "payment-failed")
    after = firestore.get(f"users/{uid}")["subscription"]
    assert (after["status"], after["product"]["id"]) == ("suspended", "premium")


def test_a_subscription_event_without_uid_is_resolved_from_its_order(bm, manager, firestore, uid):
    answer, sub = _subscribe(bm, firestore, uid)
    _hand_built(bm, manager, "_test-evt-no-uid", "customer.subscription.updated", _bem_subscription(
        sub["payment"]["resourceId"], None, None, metadata={}, cancel_at_period_end=True))
    webhook = firestore.get("payments-webhooks/_test-evt-no-uid")
    assert (webhook["status"], webhook["owner"], webhook["orderId"]) == ("completed", uid, answer["orderId"])
    assert webhook["transition"] == "cancellation-requested"


def test_an_event_naming_an_unknown_subscription_fails_and_names_it(bm, manager, firestore, uid):
    _hand_built(bm, manager, "_test-evt-orphan", "invoice.payment_failed", {
        "id": "in_orphan", "object": "invoice", "billing_reason": "subscription_cycle",
        "parent": {"subscription_details": {"subscription": "_test-sub-nowhere", "metadata": {"uid": uid}}}})
    webhook = firestore.get("payments-webhooks/_test-evt-orphan")
    assert webhook["status"] == "failed" and "_test-sub-nowhere" in webhook["error"]


def test_a_refunded_charge_naming_its_subscription_is_payment_refunded(bm, manager, firestore, uid):
    answer, sub = _subscribe(bm, firestore, uid)
    _hand_built(bm, manager, "_test-evt-refund", "charge.refunded", {
        "id": "ch_test_refund", "object": "charge", "amount": 2800, "amount_refunded": 2800, "currency": "usd",
        "subscription": sub["payment"]["resourceId"], "metadata": {"uid": uid, "orderId": answer["orderId"]}})
    webhook = firestore.get("payments-webhooks/_test-evt-refund")
    assert (webhook["event"]["category"], webhook["transition"], webhook["orderId"]) == (
        "subscription", "payment-refunded", answer["orderId"])
    order = firestore.get(f"payments-orders/{answer['orderId']}")
    assert order["metadata"]["updatedBy"]["event"] == {"name": "charge.refunded", "id": "_test-evt-refund"}


def test_a_test_sentinel_product_is_the_config_product(bm, manager, firestore, uid):
    answer, sub = _subscribe(bm, firestore, uid)
    _hand_built(bm, manager, "_test-evt-plan", "customer.subscription.updated", _bem_subscription(
        sub["payment"]["resourceId"], uid, answer["orderId"], plan={"product": "_test_pro", "interval": "month"}))
    webhook = firestore.get("payments-webhooks/_test-evt-plan")
    assert webhook["transition"] == "plan-changed"
    assert firestore.get(f"users/{uid}")["subscription"]["product"]["id"] == "pro"


def test_stripe_never_reads_the_test_sentinel(manager):
    from functions.payments.processors.stripe.unify import subscription_product

    assert subscription_product({"plan": {"product": "_test_pro"}}, manager.config).id == "basic"
    assert subscription_product({"plan": {"product": "_test_pro"}}, manager.config, "test").id == "pro"
