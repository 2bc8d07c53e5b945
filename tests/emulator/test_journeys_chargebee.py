"""Chargebee journeys through HTTP and the REAL ``bm_paymentsWebhookOnWrite`` trigger (emulator tier).

The emulated functions reach the fake Chargebee this pytest process serves (``CHARGEBEE_API_BASE``
from ``functions/testing/test_env.py``, port ``BEM_CHARGEBEE_FAKE_PORT``); events are posted to
``payments/webhook?processor=chargebee&key=`` and each step waits for the record's final status.
"""

import secrets
import time

import pytest

from functions.testing.unit import WEBHOOK_KEY
from functions.user import new_user_doc

pytestmark = pytest.mark.emulator
DAY = 86400


@pytest.fixture
def buyer(firestore, accounts):
    uid = accounts["basic"].uid
    firestore.set(f"users/{uid}", new_user_doc(uid, accounts["basic"].email).dump())
    for order_id, order in firestore.list("payments-orders").items():  # earlier orders would forfeit the trial
        if order.get("owner") == uid:
            firestore.delete(f"payments-orders/{order_id}")
    return uid


@pytest.fixture
def send(bm, firestore, wait_for):
    def deliver(event, final=("completed",)):
        response = bm.post("payments/webhook", json=event, query={"processor": "chargebee", "key": WEBHOOK_KEY})
        assert response.status == 200, response.text
        return wait_for(lambda: _final(firestore, event["id"], final), timeout=30,
                        message=f"{event['event_type']} never reached {final}")

    return deliver


def _final(firestore, event_id, statuses):
    record = firestore.get(f"payments-webhooks/{event_id}")
    return record if record and record["status"] in statuses else None


def _buy(bm, chargebee_fake, product="premium", trial_days=0, **body):
    body = {"productId": product, "processor": "chargebee", **body}
    if product != "credits-100":
        body["frequency"] = "monthly"
    intent = bm.as_("basic").post("payments/intent", body)
    assert intent.status == 200, intent.text
    return intent.json["orderId"], chargebee_fake.complete_hosted_page(intent.json["id"], trial_days=trial_days)


def test_a_trial_subscription_through_the_real_trigger_then_cancelled_in_trial(bm, firestore, chargebee_fake, buyer, send):
    order_id, [created] = _buy(bm, chargebee_fake, trial_days=14, trial=True)
    assert send(created)["transition"] == "new-subscription"
    sub = firestore.get(f"users/{buyer}")["subscription"]
    assert (sub["product"]["id"], sub["status"], sub["trial"]["claimed"], sub["payment"]["orderId"]) == (
        "premium", "active", True, order_id)
    subscription_id = created["content"]["subscription"]["id"]
    assert chargebee_fake.get("subscription", subscription_id)["meta_data"]["uid"] == buyer  # back-filled
    cancel = bm.as_("basic").post("payments/cancel", {"confirmed": True, "reason": "journey", "skipGuards": True})
    assert cancel.status == 200 and cancel.json["immediate"] is True, cancel.text
    cancelled = chargebee_fake.state_event("subscription_cancelled", subscription_id, occurred_at=int(time.time()) + 1)
    assert send(cancelled)["transition"] == "subscription-cancelled"
    assert firestore.get(f"users/{buyer}")["subscription"]["status"] == "cancelled"


def test_reversed_and_duplicated_events_end_in_the_newest_state_once(bm, firestore, chargebee_fake, buyer, send):
    order_id, [created] = _buy(bm, chargebee_fake)
    subscription_id = created["content"]["subscription"]["id"]
    chargebee_fake.update("subscription", subscription_id, status="non_renewing")
    scheduled = chargebee_fake.state_event("subscription_cancellation_scheduled", subscription_id,
                                           occurred_at=int(time.time()) + 5)
    assert send(scheduled)["transition"] == "new-subscription"  # the first event processed makes the subscription
    stale = send(created)  # the older event arrives late
    assert stale.get("stale") is True and stale["transition"] is None
    again = bm.post("payments/webhook", json=created, query={"processor": "chargebee", "key": WEBHOOK_KEY})
    assert again.json.get("duplicate") is True
    sub = firestore.get(f"users/{buyer}")["subscription"]
    assert (sub["status"], sub["cancellation"]["pending"]) == ("active", True)
    assert firestore.get(f"payments-orders/{order_id}")["metadata"]["updatedEventId"] == scheduled["id"]


def test_a_failed_fetch_then_the_redelivery_completes(bm, firestore, chargebee_fake, buyer, send):
    _, [created] = _buy(bm, chargebee_fake)
    chargebee_fake.fail_next(1, status=503)
    assert send(created, final=("failed",))["status"] == "failed"
    assert firestore.get(f"users/{buyer}")["subscription"]["product"]["id"] == "basic"
    assert send(created)["transition"] == "new-subscription"


def test_an_unknown_user_is_parked(bm, firestore, chargebee_fake, send):
    ghost = f"_test-ghost-{secrets.token_hex(4)}"
    chargebee_fake.add({"id": f"cb_sub_{ghost}", "object": "subscription", "status": "active", "customer_id": "cb_cust_x",
                        "meta_data": {"uid": ghost, "orderId": "7777-7777-7777"},
                        "subscription_items": [{"item_price_id": "premium-demo-monthly"}]})
    event = chargebee_fake.state_event("subscription_created", f"cb_sub_{ghost}")
    record = send(event, final=("parked-user-not-found",))
    assert record["owner"] == ghost and not firestore.exists(f"users/{ghost}")


def test_a_one_time_charge_and_a_refund_after_cancelling(bm, firestore, chargebee_fake, buyer, send):
    credits_order, [generated] = _buy(bm, chargebee_fake, "credits-100")
    assert send(generated)["transition"] == "purchase-completed"
    assert firestore.get(f"payments-orders/{credits_order}")["unified"]["status"] == "completed"

    order_id, [created] = _buy(bm, chargebee_fake)
    send(created)
    cancel = bm.as_("basic").post("payments/cancel", {"confirmed": True, "reason": "journey", "skipGuards": True})
    assert cancel.status == 200 and cancel.json["immediate"] is False, cancel.text
    subscription_id = created["content"]["subscription"]["id"]
    scheduled = chargebee_fake.state_event("subscription_cancellation_scheduled", subscription_id,
                                           occurred_at=int(time.time()) + 1)
    assert send(scheduled)["transition"] == "cancellation-requested"
    refund = bm.as_("basic").post("payments/refund", {"confirmed": True, "reason": "journey"})
    assert refund.status == 200 and refund.json["refund"]["amount"] == 4.99, refund.text
    assert chargebee_fake.get("subscription", subscription_id)["status"] == "cancelled"
    cancelled = chargebee_fake.state_event("subscription_cancelled", subscription_id, occurred_at=int(time.time()) + 2)
    assert send(cancelled)["transition"] == "subscription-cancelled"
    assert firestore.get(f"payments-orders/{order_id}")["requests"]["refund"]["amount"] == 4.99
