"""PayPal journeys through HTTP and the REAL ``bm_paymentsWebhookOnWrite`` trigger (emulator tier).

The emulated functions talk to the fake PayPal this test session runs on ``BEM_PAYPAL_FAKE_PORT``
(``mgr test`` points ``PAYPAL_API_BASE`` there): they verify each signed delivery with it and fetch
the subscription / capture the order from it. Each step waits for the webhook record's final status.
"""

import os
import secrets
import time

import pytest

from functions.testing.journey_checks import SAME_STATE, assert_state, expected_emails, order_emails, subscription_of, webhook_record
from functions.testing.test_env import PAYPAL_FAKE_PORT
from functions.user import new_user_doc
from functions.user.models import Subscription

pytestmark = pytest.mark.emulator
EXTENDED = os.environ.get("TEST_EXTENDED_MODE", "").lower() == "true"
DAY = 86400


@pytest.fixture
def paypal(paypal_fake, manager):
    if paypal_fake.port != PAYPAL_FAKE_PORT:
        pytest.skip(f"the functions reach the fake PayPal API on port {PAYPAL_FAKE_PORT} (run through `mgr test`)")
    paypal_fake.seed(manager.config)
    return paypal_fake


def new_uid(firestore):
    uid = f"_test-paypal-{secrets.token_hex(4)}"
    firestore.set(f"users/{uid}", new_user_doc(uid, f"{uid}@bem-test.dev").dump())
    return uid


@pytest.fixture
def send(bm, firestore, paypal, wait_for):
    def deliver(event, final=("completed",)):
        body, headers = paypal.signed(event)
        response = bm.post("payments/webhook", data=body, headers=headers, query={"processor": "paypal"})
        assert response.status == 200, response.text
        return wait_for(lambda: (r := webhook_record(firestore, event["id"])) and r["status"] in final and r,
                        timeout=30, message=f"{event['event_type']} not {final}")

    return deliver


def settled_emails(firestore, uid, extra=(), timeout=20.0):
    """The mailbox once the transition handlers ran (they send just after the record completes)."""
    expected = sorted([*expected_emails(firestore, uid), *extra]) if EXTENDED else []
    deadline = time.monotonic() + timeout
    while order_emails(firestore, uid) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return order_emails(firestore, uid), expected


def lifecycle(paypal, uid, order_id, start):
    sub = paypal.add_subscription(uid=uid, order_id=order_id, plan_id="P-premium-monthly", start=start, trial=True)
    paid = paypal.add_subscription(uid=uid, order_id=order_id, plan_id="P-premium-monthly", start=start, subscription_id=sub["id"],
                                   paid_at=start + 60)
    cancelled = {**paid, "status": "CANCELLED"}
    return sub["id"], [
        (paypal.event("BILLING.SUBSCRIPTION.ACTIVATED", sub, created=start), sub),
        (paypal.sale_event("PAYMENT.SALE.DENIED", sub["id"], created=start + 60), paid),
        (paypal.event("BILLING.SUBSCRIPTION.RE-ACTIVATED", paid, created=start + 120), paid),
        (paypal.event("BILLING.SUBSCRIPTION.CANCELLED", cancelled, created=start + 180), cancelled),
    ]


def test_life_in_order_then_the_expire_job(send, firestore, paypal, run_cron):
    uid = new_uid(firestore)
    sub_id, events = lifecycle(paypal, uid, "2222-0000-0001", time.time() - 2 * DAY)
    expected = [("new-subscription", "active", False), ("payment-failed", "suspended", False),
                ("payment-recovered", "active", False), ("cancellation-requested", "active", True)]
    for (event, state), (transition, status, pending) in zip(events, expected, strict=True):
        paypal.subscriptions[sub_id] = state
        assert send(event)["transition"] == transition, event["event_type"]
        assert_state(firestore, uid, status, pending, "premium")
    firestore.set(f"users/{uid}", {"subscription": {"expires": {"timestampUNIX": int(time.time()) - 1}}}, merge=True)
    run_cron("expire-paypal-cancellations")
    assert_state(firestore, uid, "cancelled", False, "premium")
    found, wanted = settled_emails(firestore, uid, extra=["order/cancelled"])
    assert found == wanted


def test_reversed_delivery_ends_in_the_same_subscription(send, firestore, paypal):
    mine, theirs = new_uid(firestore), new_uid(firestore)
    start = time.time() - 2 * DAY
    my_sub, in_order = lifecycle(paypal, mine, "2222-0000-0002", start)
    their_sub, backwards = lifecycle(paypal, theirs, "2222-0000-0003", start)
    for event, state in in_order:
        paypal.subscriptions[my_sub] = state
        send(event)
    paypal.subscriptions[their_sub] = backwards[-1][1]
    for event, _ in reversed(backwards):
        send(event)
    a, b = subscription_of(firestore, mine), subscription_of(firestore, theirs)
    assert {k: a[k] for k in SAME_STATE} == {k: b[k] for k in SAME_STATE}
    for who in (mine, theirs):
        found, wanted = settled_emails(firestore, who)
        assert found == wanted


def test_a_duplicated_delivery_makes_one_transition(bm, send, firestore, paypal):
    uid = new_uid(firestore)
    event = paypal.event("BILLING.SUBSCRIPTION.ACTIVATED", paypal.add_subscription(uid=uid, order_id="2222-0000-0004",
                                                                                   plan_id="P-premium-monthly"))
    assert send(event)["transition"] == "new-subscription"
    body, headers = paypal.signed(event)
    again = bm.post("payments/webhook", data=body, headers=headers, query={"processor": "paypal"})
    assert again.status == 200 and again.json["duplicate"] is True
    time.sleep(2)  # give a (wrong) second trigger run time to show up
    assert (webhook_record(firestore, event["id"])["attempts"], settled_emails(firestore, uid)[0]) == (
        1, ["order/confirmation"] if EXTENDED else [])


def test_a_failed_fetch_then_the_redelivery_completes(send, firestore, paypal):
    uid = new_uid(firestore)
    sub = paypal.add_subscription(uid=uid, order_id="2222-0000-0005", plan_id="P-premium-monthly")
    paypal.on("GET", f"/v1/billing/subscriptions/{sub['id']}", lambda req, match: (503, {"name": "SERVICE_UNAVAILABLE"}))
    event = paypal.event("BILLING.SUBSCRIPTION.ACTIVATED", sub)
    assert send(event, final=("failed", "completed"))["status"] == "failed"
    paypal.clear_overrides()
    assert send(event)["transition"] == "new-subscription"  # PayPal delivers again: the failed record is retried
    assert_state(firestore, uid, "active", False, "premium")


def test_an_unknown_user_is_parked(send, firestore, paypal):
    event = paypal.event("BILLING.SUBSCRIPTION.ACTIVATED", paypal.add_subscription(uid="_test-paypal-nobody", order_id="2222-0000-0006",
                                                                                   plan_id="P-premium-monthly"))
    assert send(event, final=("parked-user-not-found",))["owner"] == "_test-paypal-nobody"
    assert firestore.get("users/_test-paypal-nobody") is None


def test_a_one_time_order_is_captured_on_approval(bm, send, firestore, paypal, accounts):
    uid = accounts["basic"].uid
    firestore.set(f"users/{uid}", {"subscription": Subscription().dump()}, merge=True)
    intent = bm.as_("basic").post("payments/intent", {"processor": "paypal", "productId": "credits-100"})
    assert intent.status == 200, intent.text
    record = send(paypal.event("CHECKOUT.ORDER.APPROVED", paypal.approve_order(intent.json["id"])))
    assert record["transition"] == "purchase-completed"
    order = firestore.get(f"payments-orders/{intent.json['orderId']}")
    assert (order["type"], order["unified"]["status"], order["processor"]) == ("one-time", "completed", "paypal")
    captures = paypal.requests_to("POST", f"/v2/checkout/orders/{intent.json['id']}/capture")
    # captured once (a call refused for a token the fake no longer knows is made again with a fresh one)
    assert [r.status for r in captures if r.status != 401] == [201]
    assert {r.request_id for r in captures} == {f"bem-capture-{intent.json['id']}"}
