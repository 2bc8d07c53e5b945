"""PayPal journeys in the unit tier: signed events from the fake PayPal, through HTTP intake and the
pipeline (run here: the in-memory store has no trigger), checked as Stripe's journeys are
(functions/testing/journey_checks.py): in order, reversed, duplicated, failed fetch then retry,
unknown user; one-time order, refund, cancel and the expire job."""

from __future__ import annotations

import time

import pytest

from functions.payments.pipeline import process_webhook_event
from functions.testing.journey_checks import SAME_STATE, assert_state, expected_emails, order_emails, subscription_of, webhook_record
from functions.user import new_user_doc

DAY = 86400


@pytest.fixture
def paypal(paypal_fake, manager, monkeypatch):
    monkeypatch.setenv("TEST_EXTENDED_MODE", "true")  # transitions send their order e-mails
    paypal_fake.seed(manager.config)
    return paypal_fake


@pytest.fixture
def uid(accounts):
    return accounts["basic"].uid


def post(bm, paypal, event):
    response = bm.post("payments/webhook", data=(signed := paypal.signed(event))[0], headers=signed[1], query={"processor": "paypal"})
    assert response.status == 200, response.text
    return response.json


@pytest.fixture
def send(bm, manager, firestore, paypal):
    """Deliver a signed event and run the pipeline on it; answers its webhook record."""

    def deliver(event):
        post(bm, paypal, event)
        process_webhook_event(manager, event["id"])
        return webhook_record(firestore, event["id"])

    return deliver


def lifecycle(paypal, uid, order_id, start):
    """(event, PayPal's state when it is fetched) for trial → paid → denied → re-activated → cancelled."""
    sub = paypal.add_subscription(uid=uid, order_id=order_id, plan_id="P-premium-monthly", start=start, trial=True)
    paid = paypal.add_subscription(uid=uid, order_id=order_id, plan_id="P-premium-monthly", start=start, subscription_id=sub["id"],
                                   paid_at=start + 60)
    steps = [("BILLING.SUBSCRIPTION.ACTIVATED", sub), ("PAYMENT.SALE.COMPLETED", paid), ("PAYMENT.SALE.DENIED", paid),
             ("BILLING.SUBSCRIPTION.RE-ACTIVATED", paid), ("BILLING.SUBSCRIPTION.CANCELLED", {**paid, "status": "CANCELLED"})]
    events = []
    for n, (kind, state) in enumerate(steps):
        created = start + 60 * n
        event = paypal.sale_event(kind, sub["id"], created=created) if kind.startswith("PAYMENT.") else paypal.event(kind, state, created=created)
        events.append((event, state))
    return sub["id"], events


def test_a_subscription_life_in_order_then_the_expire_job(bm, manager, firestore, paypal, uid, run_cron, send):
    sub_id, events = lifecycle(paypal, uid, "1111-0000-0001", time.time() - 2 * DAY)
    expected = [("new-subscription", "active", False), (None, "active", False), ("payment-failed", "suspended", False),
                ("payment-recovered", "active", False), ("cancellation-requested", "active", True)]
    for (event, state), (transition, status, pending) in zip(events, expected, strict=True):
        paypal.subscriptions[sub_id] = state
        record = send(event)
        assert (record["status"], record["transition"]) == ("completed", transition), event["event_type"]
        assert_state(firestore, uid, status, pending, "premium")
    firestore.set(f"users/{uid}", {"subscription": {"expires": {"timestampUNIX": int(time.time()) - 1}}}, merge=True)
    assert run_cron("expire-paypal-cancellations")["results"][0]["result"]["expired"] == 1
    assert_state(firestore, uid, "cancelled", False, "premium")
    assert order_emails(firestore, uid) == sorted([*expected_emails(firestore, uid), "order/cancelled"])
    assert len(order_emails(firestore, uid)) == 5


def test_reversed_delivery_ends_in_the_same_subscription(bm, manager, firestore, paypal, uid, accounts, send):
    other = accounts["premium-expired"].uid
    firestore.set(f"users/{other}", new_user_doc(other, f"{other}@bem-test.dev").dump())
    start = time.time() - 2 * DAY
    mine, in_order = lifecycle(paypal, uid, "1111-0000-0002", start)
    theirs, reversed_events = lifecycle(paypal, other, "1111-0000-0003", start)
    for event, state in in_order:
        paypal.subscriptions[mine] = state
        send(event)
    paypal.subscriptions[theirs] = reversed_events[-1][1]  # PayPal already says what it says last
    for event, _ in reversed(reversed_events):
        send(event)
    a, b = subscription_of(firestore, uid), subscription_of(firestore, other)
    assert {k: a[k] for k in SAME_STATE} == {k: b[k] for k in SAME_STATE}
    assert (b["status"], b["cancellation"]["pending"]) == ("active", True)
    for who in (uid, other):  # each recorded transition's e-mail, once
        assert order_emails(firestore, who) == expected_emails(firestore, who)


def test_duplicated_deliveries_make_one_transition_and_one_email(bm, manager, firestore, paypal, uid):
    event = paypal.event("BILLING.SUBSCRIPTION.ACTIVATED", paypal.add_subscription(uid=uid, order_id="1111-0000-0004",
                                                                                   plan_id="P-premium-monthly"))
    body, headers = paypal.signed(event)
    first = bm.post("payments/webhook", data=body, headers=headers, query={"processor": "paypal"})
    again = bm.post("payments/webhook", data=body, headers=headers, query={"processor": "paypal"})
    assert first.json["status"] == "pending" and again.json["duplicate"] is True
    assert process_webhook_event(manager, event["id"]).transition == "new-subscription"
    assert process_webhook_event(manager, event["id"]) is None  # the trigger delivered twice
    assert (webhook_record(firestore, event["id"])["attempts"], order_emails(firestore, uid)) == (1, ["order/confirmation"])


def test_a_failed_fetch_fails_the_event_and_its_redelivery_completes_it(bm, manager, firestore, paypal, uid):
    event = paypal.event("BILLING.SUBSCRIPTION.ACTIVATED", paypal.add_subscription(uid=uid, order_id="1111-0000-0005",
                                                                                   plan_id="P-premium-monthly"))
    post(bm, paypal, event)
    paypal.fail_next(2, status=503)  # the fetch and its one retry
    assert process_webhook_event(manager, event["id"]).status == "failed"
    assert webhook_record(firestore, event["id"])["status"] == "failed" and subscription_of(firestore, uid)["product"]["id"] == "basic"
    assert post(bm, paypal, event)["retried"] is True  # PayPal delivers again (we answered 200, it may anyway)
    assert process_webhook_event(manager, event["id"]).transition == "new-subscription"
    assert_state(firestore, uid, "active", False, "premium")


def test_an_unknown_user_is_parked_and_nothing_else_changes(bm, manager, firestore, paypal):
    event = paypal.event("BILLING.SUBSCRIPTION.ACTIVATED", paypal.add_subscription(uid="nobody-here", order_id="1111-0000-0006",
                                                                                   plan_id="P-premium-monthly"))
    post(bm, paypal, event)
    assert process_webhook_event(manager, event["id"]).status == "parked-user-not-found"
    assert webhook_record(firestore, event["id"])["owner"] == "nobody-here"
    assert firestore.get("users/nobody-here") is None and firestore.get("payments-orders/1111-0000-0006") is None


def test_a_one_time_order_is_captured_on_approval_and_completes_once(bm, manager, firestore, paypal, uid, send):
    intent = bm.as_("basic").post("payments/intent", {"processor": "paypal", "productId": "credits-100"}).json
    event = paypal.event("CHECKOUT.ORDER.APPROVED", paypal.approve_order(intent["id"]))
    assert send(event)["transition"] == "purchase-completed"
    post(bm, paypal, event)  # a duplicate approval
    assert len(paypal.requests_to("POST", f"/v2/checkout/orders/{intent['id']}/capture")) == 1
    assert firestore.get(f"payments-intents/{intent['orderId']}")["status"] == "completed"
    assert order_emails(firestore, uid) == ["order/confirmation"] and subscription_of(firestore, uid)["product"]["id"] == "basic"


def test_cancel_then_refund_ends_access_at_once(bm, manager, firestore, paypal, uid, send):
    sub = paypal.add_subscription(uid=uid, order_id="1111-0000-0007", plan_id="P-premium-monthly", start=time.time() - 2 * DAY)
    send(paypal.event("BILLING.SUBSCRIPTION.ACTIVATED", sub, created=time.time() - 100))
    assert bm.as_("basic").post("payments/cancel", {"confirmed": True, "reason": "price"}).status == 200
    assert send(paypal.event("BILLING.SUBSCRIPTION.CANCELLED", paypal.subscriptions[sub["id"]],
                                                  created=time.time() - 50))["transition"] == "cancellation-requested"
    refund = bm.as_("basic").post("payments/refund", {"confirmed": True, "reason": "price"})
    assert refund.status == 200 and refund.json["refund"]["full"] is True, refund.text
    record = send(paypal.sale_event("PAYMENT.SALE.REFUNDED", sub["id"]))
    assert record["transition"] == "payment-refunded"
    assert_state(firestore, uid, "cancelled", False, "premium")
    assert order_emails(firestore, uid) == ["order/cancellation-requested", "order/confirmation", "order/refunded"]
