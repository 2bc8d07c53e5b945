"""Chargebee journeys (unit tier): the intent opens a hosted page on the fake Chargebee, the buyer pays,
Chargebee's events come to ``payments/webhook?processor=chargebee&key=``, the pipeline fetches the
latest state through the real SDK. Checked: what the user relies on (subscription, order, e-mails once).
"""

import time

import pytest

from functions.payments.pipeline import process_webhook_event
from functions.testing.unit import WEBHOOK_KEY

DAY = 86400


@pytest.fixture
def uid(accounts):
    return accounts["basic"].uid


class Shop:
    def __init__(self, bm, manager, firestore, fake):
        self.bm, self.manager, self.firestore, self.fake = bm, manager, firestore, fake

    def buy(self, product="premium", trial_days=0, account="basic", **body):
        body = {"productId": product, "processor": "chargebee", **body}
        if product != "credits-100":
            body.setdefault("frequency", "monthly")
        answer = self.bm.as_(account).post("payments/intent", body)
        assert answer.status == 200, answer.text
        events = self.fake.complete_hosted_page(answer.json["id"], trial_days=trial_days)
        return answer.json["orderId"], events

    def post(self, event):
        response = self.bm.post("payments/webhook", json=event, query={"processor": "chargebee", "key": WEBHOOK_KEY})
        assert response.status == 200, response.text
        return response.json

    def deliver(self, event):
        self.post(event)
        return process_webhook_event(self.manager, event["id"])

    def subscription(self, uid):
        return self.firestore.get(f"users/{uid}")["subscription"]

    def emails(self):
        return sorted(e["categories"][-1] for e in self.firestore.list("emails-mailbox").values())

    def later(self, subscription_id, event_type, offset, **state):
        """Chargebee changes the subscription, then sends ``event_type`` (``offset`` seconds after purchase)."""
        self.fake.update("subscription", subscription_id, **state)
        return self.fake.state_event(event_type, subscription_id, occurred_at=int(time.time()) + offset)


@pytest.fixture
def shop(bm, manager, firestore, chargebee_fake, monkeypatch):
    monkeypatch.setenv("TEST_EXTENDED_MODE", "true")  # transition handlers run: one e-mail per transition
    return Shop(bm, manager, firestore, chargebee_fake)


def lifecycle(shop, subscription_id):
    """After a trial purchase: activated, a failed renewal, recovered, cancellation scheduled, cancelled.
    Yields each event once Chargebee's state has changed (the pipeline fetches that state)."""
    now = int(time.time())
    term = {"current_term_start": now, "current_term_end": now + 30 * DAY}
    steps = [
        ("subscription_activated", {"status": "active", "trial_end": now, **term}),
        ("payment_failed", {}),
        ("subscription_renewed", {"status": "active"}),
        ("subscription_cancellation_scheduled", {"status": "non_renewing", "cancelled_at": now + 30 * DAY}),
        ("subscription_cancelled", {"status": "cancelled", "cancelled_at": now + 5}),
    ]
    for offset, (event_type, state) in enumerate(steps, start=1):
        yield shop.later(subscription_id, event_type, offset, **state)


def test_a_trial_subscription_lives_in_order(shop, uid):
    order_id, [created] = shop.buy(trial_days=14, trial=True)
    outcome = shop.deliver(created)
    assert outcome.transition == "new-subscription" and outcome.order_id == order_id
    sub = shop.subscription(uid)
    assert (sub["product"]["id"], sub["status"], sub["trial"]["claimed"], sub["payment"]["processor"]) == (
        "premium", "active", True, "chargebee")
    assert shop.firestore.get(f"payments-intents/{order_id}")["status"] == "completed"
    subscription_id = created["content"]["subscription"]["id"]
    # the uid came from the hosted page and was written back, so later events carry it
    assert shop.fake.get("subscription", subscription_id)["meta_data"]["uid"] == uid
    expected = [None, "payment-failed", "payment-recovered", "cancellation-requested", "subscription-cancelled"]
    for event, transition in zip(lifecycle(shop, subscription_id), expected, strict=True):
        assert shop.deliver(event).transition == transition, event["event_type"]
    sub = shop.subscription(uid)
    assert (sub["status"], sub["cancellation"]["pending"], sub["payment"]["orderId"]) == ("cancelled", False, order_id)
    assert len(shop.fake.requests_to("GET", "/hosted_pages")) == 1  # only the first event needed the search
    assert shop.emails() == sorted(["order/confirmation", "order/payment-failed", "order/payment-recovered",
                                    "order/cancellation-requested", "order/cancelled"])


def test_events_delivered_in_reverse_never_go_backwards(shop, uid):
    order_id, [created] = shop.buy()
    events = [created, *lifecycle(shop, created["content"]["subscription"]["id"])]  # Chargebee's state: cancelled
    outcomes = [shop.deliver(event) for event in reversed(events)]
    assert [o.stale for o in outcomes] == [False, True, True, True, True, True]
    sub = shop.subscription(uid)
    assert (sub["status"], sub["product"]["id"]) == ("cancelled", "premium")
    order = shop.firestore.get(f"payments-orders/{order_id}")
    assert order["metadata"]["updatedEventId"] == events[-1]["id"] and order["unified"]["status"] == "cancelled"


def test_duplicated_deliveries_make_one_transition_and_one_email(shop, uid):
    _order_id, [created] = shop.buy()
    assert shop.deliver(created).transition == "new-subscription"
    assert shop.post(created)["duplicate"] is True  # Chargebee delivers again
    assert process_webhook_event(shop.manager, created["id"]) is None  # the trigger fires again
    assert shop.emails() == ["order/confirmation"]
    records = shop.firestore.list("payments-webhooks")
    assert [r["transition"] for r in records.values()] == ["new-subscription"]


def test_a_failed_fetch_fails_the_event_and_the_redelivery_completes_it(shop, uid):
    _order_id, [created] = shop.buy()
    shop.fake.fail_next(1, status=503)
    assert shop.deliver(created).status == "failed"
    record = shop.firestore.get(f"payments-webhooks/{created['id']}")
    assert record["status"] == "failed" and shop.subscription(uid)["product"]["id"] == "basic"
    assert shop.post(created)["retried"] is True  # Chargebee retries a delivery we did not finish
    outcome = process_webhook_event(shop.manager, created["id"])
    assert (outcome.status, outcome.transition) == ("completed", "new-subscription")
    assert shop.emails() == ["order/confirmation"]


def test_a_fetch_timeout_fails_the_event_too(shop, uid, monkeypatch):
    _order_id, [created] = shop.buy()
    monkeypatch.setenv("CHARGEBEE_API_TIMEOUT", "0.2")
    shop.fake.timeout_next(1, seconds=0.5)
    assert shop.deliver(created).status == "failed"
    assert "could not be reached" in shop.firestore.get(f"payments-webhooks/{created['id']}")["error"]


def test_an_unknown_user_is_parked_and_nothing_is_written(shop, firestore, uid):
    order_id, [created] = shop.buy()
    firestore.delete(f"users/{uid}")
    assert shop.deliver(created).status == "parked-user-not-found"
    record = firestore.get(f"payments-webhooks/{created['id']}")
    assert record["owner"] == uid and f"users/{uid}" in record["error"]
    assert not firestore.exists(f"payments-orders/{order_id}")
    stranger = shop.fake.add({"id": "cb_sub_stranger", "object": "subscription", "status": "active",
                              "customer_id": "cb_cust_stranger", "subscription_items": [{"item_price_id": "pro-demo-monthly"}]})
    orphan = shop.fake.event("subscription_created", subscription=stranger)
    assert shop.deliver(orphan).status == "parked-user-not-found"
    assert "No uid" in firestore.get(f"payments-webhooks/{orphan['id']}")["error"]


def test_a_one_time_charge_completes_its_order(shop, uid):
    order_id, [generated] = shop.buy("credits-100")
    assert generated["event_type"] == "invoice_generated"
    outcome = shop.deliver(generated)
    assert (outcome.transition, outcome.category, outcome.order_id) == ("purchase-completed", "one-time", order_id)
    order = shop.firestore.get(f"payments-orders/{order_id}")
    assert (order["type"], order["productId"], order["unified"]["status"], order["unified"]["payment"]["price"]) == (
        "one-time", "credits-100", "completed", 9.99)
    [charge] = shop.fake.requests_to("POST", "/hosted_pages/checkout_one_time_for_items")
    assert charge.params["charges"]["amount"] == [999]
    assert shop.subscription(uid)["product"]["id"] == "basic"
    assert shop.emails() == ["order/confirmation"]


def test_a_failed_one_time_payment_is_purchase_failed(shop, uid):
    _order_id, [generated] = shop.buy("credits-100")
    invoice_id = generated["content"]["invoice"]["id"]
    shop.fake.update("invoice", invoice_id, status="not_paid", amount_paid=0)
    failed = shop.fake.event("payment_failed", invoice=shop.fake.get("invoice", invoice_id))
    assert shop.deliver(failed).transition == "purchase-failed"


def _cancel(shop, account="basic"):
    return shop.bm.as_(account).post("payments/cancel", {"confirmed": True, "reason": "too expensive", "skipGuards": True})


def test_cancel_in_trial_is_immediate(shop, uid):
    _order_id, [created] = shop.buy(trial_days=14, trial=True)
    shop.deliver(created)
    response = _cancel(shop)
    assert response.status == 200 and response.json["immediate"] is True
    [request] = shop.fake.requests_to("POST", "/subscriptions/.*/cancel_for_items")
    assert request.params["cancel_option"] == "immediately" and request.idempotency_key.startswith("bem-cancel-")
    subscription_id = created["content"]["subscription"]["id"]
    cancelled = shop.fake.state_event("subscription_cancelled", subscription_id, occurred_at=int(time.time()) + 1)
    assert shop.deliver(cancelled).transition == "subscription-cancelled"
    assert shop.subscription(uid)["status"] == "cancelled"


def test_cancel_after_the_trial_ends_the_term_and_then_refund(shop, uid):
    order_id, [created] = shop.buy()
    shop.deliver(created)
    response = _cancel(shop)
    assert response.status == 200 and response.json["immediate"] is False
    [request] = shop.fake.requests_to("POST", "/subscriptions/.*/cancel_for_items")
    assert request.params["cancel_option"] == "end_of_term"
    subscription_id = created["content"]["subscription"]["id"]
    scheduled = shop.fake.state_event("subscription_cancellation_scheduled", subscription_id, occurred_at=int(time.time()) + 1)
    assert shop.deliver(scheduled).transition == "cancellation-requested"
    sub = shop.subscription(uid)
    assert sub["cancellation"]["pending"] is True
    assert sub["cancellation"]["date"]["timestampUNIX"] == shop.fake.get("subscription", subscription_id)["current_term_end"]
    assert shop.firestore.get(f"payments-orders/{order_id}")["requests"]["cancellation"]["reason"] == "too expensive"

    refund = shop.bm.as_("basic").post("payments/refund", {"confirmed": True, "reason": "not for me"})
    assert refund.status == 200, refund.text
    assert refund.json["refund"]["amount"] == 4.99 and refund.json["refund"]["full"] is True
    [refunded] = shop.fake.requests_to("POST", "/invoices/.*/refund")
    assert refunded.params["refund_amount"] == 499 and refunded.idempotency_key == f"bem-refund-{subscription_id}"
    assert shop.fake.get("subscription", subscription_id)["status"] == "cancelled"
    again = shop.bm.as_("basic").post("payments/refund", {"confirmed": True, "reason": "not for me"})
    # a repeated request (before Chargebee's events arrive) sends the same key: Chargebee replays the first refund
    assert again.status == 200 and again.json["refund"]["id"] == refund.json["refund"]["id"]
    assert len(shop.fake.requests_to("POST", "/invoices/.*/refund")) == 2 and len(shop.fake.all("credit_notes")) == 1
    assert shop.firestore.get(f"payments-orders/{order_id}")["requests"]["refund"]["amount"] == 4.99


def test_a_refund_event_is_payment_refunded(shop, uid):
    _order_id, [created] = shop.buy()
    shop.deliver(created)
    subscription_id = created["content"]["subscription"]["id"]
    shop.fake.update("subscription", subscription_id, status="cancelled", cancelled_at=int(time.time()))
    refunded = shop.fake.state_event("payment_refunded", subscription_id, occurred_at=int(time.time()) + 1)
    assert shop.deliver(refunded).transition == "payment-refunded"


def test_a_plan_change_and_a_reactivation(shop, uid):
    _order_id, [created] = shop.buy()
    shop.deliver(created)
    subscription_id = created["content"]["subscription"]["id"]
    changed = shop.later(subscription_id, "subscription_changed", 1, subscription_items=[
        {"item_price_id": "pro-demo-monthly", "item_type": "plan", "quantity": 1, "unit_price": 999}])
    assert shop.deliver(changed).transition == "plan-changed"
    assert (shop.subscription(uid)["product"]["id"], shop.subscription(uid)["payment"]["price"]) == ("pro", 9.99)
    shop.deliver(shop.later(subscription_id, "subscription_cancelled", 2, status="cancelled", cancelled_at=int(time.time())))
    reactivated = shop.later(subscription_id, "subscription_reactivated", 3, status="active", cancelled_at=None)
    assert shop.deliver(reactivated).transition == "new-subscription"
    assert shop.subscription(uid)["status"] == "active"
