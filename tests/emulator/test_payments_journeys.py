"""Payment journeys through HTTP and the REAL ``bm_paymentsWebhookOnWrite`` trigger (emulator tier).

Events come from the test processor (Stripe-shaped, ``?processor=test&key=``); each step waits
for the webhook record to reach its final status, then checks what the user relies on:
``users/{uid}.subscription``, ``payments-orders/{orderId}``, the recorded transition and emails.
"""

import os
import secrets
import time

import pytest

from functions.payments.order_id import new_order_id
from functions.testing.payment_builders import make_charge, make_checkout_session, make_event, make_invoice, make_subscription
from functions.testing.unit import WEBHOOK_KEY
from functions.user import new_user_doc

pytestmark = pytest.mark.emulator
EXTENDED = os.environ.get("TEST_EXTENDED_MODE", "").lower() == "true"


@pytest.fixture
def uid(firestore):
    uid = f"_test-pay-{secrets.token_hex(4)}"
    firestore.set(f"users/{uid}", new_user_doc(uid, f"{uid}@bem-test.dev").dump())
    return uid


@pytest.fixture
def send(bm, firestore, wait_for):
    def deliver(event, final=("completed",)):
        response = bm.post("payments/webhook", json=event, query={"processor": "test", "key": WEBHOOK_KEY})
        assert response.status == 200, response.text
        return wait_for(lambda: _final(firestore, event["id"], final), timeout=30, message=f"{event['type']} not {final}")

    return deliver


def _final(firestore, event_id, statuses):
    record = firestore.get(f"payments-webhooks/{event_id}")
    return record if record and record["status"] in statuses else None


def subscription(firestore, uid):
    return firestore.get(f"users/{uid}")["subscription"]


def emails_for(firestore, uid):
    """The order e-mails the emulated functions delivered to the local mailbox for ``uid``."""
    email = firestore.get(f"users/{uid}")["auth"]["email"]
    return [e for e in firestore.list("emails-mailbox").values() if e["to"][0]["email"] == email]


def categories_for(firestore, uid):
    return sorted(e["categories"][-1] for e in emails_for(firestore, uid))


def settled_categories(firestore, uid, expected, timeout=20.0):
    """The mailbox once the transition handlers ran: they send just after the webhook record is
    marked completed, so poll for the expected list (or give up and return what is there)."""
    deadline = time.monotonic() + timeout
    while True:
        found = categories_for(firestore, uid)
        if found == sorted(expected) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


ORDER_CATEGORY = {
    "new-subscription": "order/confirmation", "purchase-completed": "order/confirmation", "payment-failed": "order/payment-failed",
    "purchase-failed": "order/payment-failed", "payment-recovered": "order/payment-recovered",
    "cancellation-requested": "order/cancellation-requested", "subscription-cancelled": "order/cancelled",
    "plan-changed": "order/plan-changed", "payment-refunded": "order/refunded",
}


def expected_categories(firestore, uid):
    """One order e-mail per recorded transition (extended mode), none otherwise."""
    records = [r for r in firestore.list("payments-webhooks").values() if r.get("owner") == uid and r.get("transition")]
    return sorted(ORDER_CATEGORY[r["transition"]] for r in records) if EXTENDED else []


def lifecycle_events(uid, order_id, start, product="prod_premium_demo"):
    def sub(**changes):
        return make_subscription(uid=uid, order_id=order_id, id=f"sub_{order_id}", start=start, product=product, **changes)

    return [
        make_event("customer.subscription.created", sub(status="trialing", trial_days=14), created=start),
        make_event("customer.subscription.updated", sub(status="active"), created=start + 1),
        make_event("invoice.payment_failed", make_invoice(subscription=sub(status="past_due"), uid=uid), created=start + 2),
        make_event("customer.subscription.updated", sub(status="active"), created=start + 3),
        make_event("customer.subscription.updated", sub(status="active", cancel_at_period_end=True), created=start + 4),
        make_event("customer.subscription.deleted", sub(status="canceled", canceled_at=start + 5), created=start + 5),
    ]


def test_trial_active_failed_recovered_cancelling_cancelled(send, firestore, uid):
    order_id = new_order_id()
    expected = [
        ("new-subscription", "active", False),
        (None, "active", False),
        ("payment-failed", "suspended", False),
        ("payment-recovered", "active", False),
        ("cancellation-requested", "active", True),
        ("subscription-cancelled", "cancelled", False),
    ]
    for event, (transition, status, pending) in zip(
        lifecycle_events(uid, order_id, int(time.time()) - 60), expected, strict=True
    ):
        record = send(event)
        assert record["transition"] == transition, event["type"]
        current = subscription(firestore, uid)
        assert (current["status"], current["cancellation"]["pending"]) == (status, pending)
        assert current["product"]["id"] == "premium"
    order = firestore.get(f"payments-orders/{order_id}")
    assert order["owner"] == uid and order["unified"]["status"] == "cancelled"
    assert settled_categories(firestore, uid, expected_categories(firestore, uid)) == expected_categories(firestore, uid)
    if EXTENDED:
        assert len(emails_for(firestore, uid)) == 5 and all(e["from"]["email"].startswith("orders@") for e in emails_for(firestore, uid))


def test_plan_change(send, firestore, manager, uid):
    others = [
        p
        for p in manager.config.payment.products
        if p.type == "subscription" and not p.is_free and p.stripe.product_id and p.id != "premium"
    ]
    if not others:
        pytest.skip("needs a second paid subscription product (with stripe.productId) in backend-manager-config.json")
    order_id, start = new_order_id(), int(time.time()) - 60
    base = {"uid": uid, "order_id": order_id, "id": f"sub_{order_id}", "start": start}
    send(make_event("customer.subscription.created", make_subscription(**base), created=start))
    record = send(
        make_event(
            "customer.subscription.updated", make_subscription(**base, product=others[0].stripe.product_id), created=start + 1
        )
    )
    assert record["transition"] == "plan-changed"
    assert subscription(firestore, uid)["product"]["id"] == others[0].id
    expected = ["order/confirmation", "order/plan-changed"] if EXTENDED else []
    assert settled_categories(firestore, uid, expected) == expected


def test_one_time_purchase(send, firestore, uid):
    order_id = new_order_id()
    record = send(make_event("checkout.session.completed", make_checkout_session(uid=uid, order_id=order_id)))
    assert record["transition"] == "purchase-completed"
    expected = ["order/confirmation"] if EXTENDED else []
    assert settled_categories(firestore, uid, expected) == expected
    order = firestore.get(f"payments-orders/{order_id}")
    assert (order["type"], order["productId"], order["unified"]["status"]) == ("one-time", "credits-100", "completed")
    assert subscription(firestore, uid)["product"]["id"] == "basic"


def test_refund(send, firestore, uid):
    order_id, start = new_order_id(), int(time.time()) - 60
    live = make_subscription(uid=uid, order_id=order_id, id=f"sub_{order_id}", start=start)
    send(make_event("customer.subscription.created", live, created=start))
    ended = {**live, "status": "canceled", "canceled_at": start + 1, "ended_at": start + 1}
    record = send(make_event("charge.refunded", make_charge(uid=uid, subscription=ended), created=start + 1))
    assert record["transition"] == "payment-refunded"
    assert subscription(firestore, uid)["status"] == "cancelled"
    expected = ["order/confirmation", "order/refunded"] if EXTENDED else []
    assert settled_categories(firestore, uid, expected) == expected


def test_duplicate_deliveries_make_one_transition_and_one_email(bm, send, firestore, uid):
    event = make_event("customer.subscription.created", make_subscription(uid=uid, order_id=new_order_id()))
    assert send(event)["transition"] == "new-subscription"
    again = bm.post("payments/webhook", json=event, query={"processor": "test", "key": WEBHOOK_KEY})
    assert again.status == 200 and again.json["duplicate"] is True
    time.sleep(2)  # give a (wrong) second trigger run time to show up
    record = firestore.get(f"payments-webhooks/{event['id']}")
    assert (record["status"], record["attempts"]) == ("completed", 1)
    expected = ["order/confirmation"] if EXTENDED else []
    assert settled_categories(firestore, uid, expected) == expected


def test_reverse_order_ends_in_the_same_subscription(send, firestore, uid):
    other = f"{uid}-b"
    firestore.set(f"users/{other}", new_user_doc(other, f"{other}@bem-test.dev").dump())
    start = int(time.time()) - 60
    for event in lifecycle_events(uid, new_order_id(), start):
        send(event)
    for event in reversed(lifecycle_events(other, new_order_id(), start)):
        send(event)
    mine, theirs = subscription(firestore, uid), subscription(firestore, other)
    for key in ("status", "product", "cancellation", "expires"):
        assert mine[key] == theirs[key], key
    assert mine["status"] == "cancelled"
    for who in (uid, other):  # each recorded transition's e-mail exactly once, in either delivery order
        assert settled_categories(firestore, who, expected_categories(firestore, who)) == expected_categories(firestore, who)


def test_processor_outage_fails_then_retry_completes(send, firestore, uid, wait_for):
    until = time.time() + 15
    event = make_event(
        "customer.subscription.created",
        make_subscription(uid=uid, order_id=new_order_id(), metadata={"bem_test_fail_fetch_until": until}),
    )
    record = send(event, final=("failed", "completed"))
    assert record["status"] == "failed" and record["error"]
    time.sleep(max(0.0, until - time.time()) + 0.5)
    firestore.set(f"payments-webhooks/{event['id']}", {"status": "pending"}, merge=True)
    done = wait_for(lambda: _final(firestore, event["id"], ("completed",)), timeout=30)
    assert done["transition"] == "new-subscription" and subscription(firestore, uid)["status"] == "active"


def test_a_webhook_stuck_in_processing_is_requeued_by_cron_and_completes(bm, send, firestore, uid, wait_for):
    until = time.time() + 3
    event = make_event(
        "customer.subscription.created",
        make_subscription(uid=uid, order_id=new_order_id(), metadata={"bem_test_fail_fetch_until": until}),
    )
    send(event, final=("failed", "completed"))
    time.sleep(max(0.0, until - time.time()) + 0.5)
    claimed_long_ago = {"processing": {"timestampUNIX": int(time.time()) - 3600}}
    # as if the instance that claimed it died: processing, nothing else written
    firestore.set(f"payments-webhooks/{event['id']}", {"status": "processing", "metadata": claimed_long_ago}, merge=True)

    response = bm.as_("admin").post("admin/cron", {"id": "recover-payments"})

    assert response.status == 200 and response.json["ok"] is True, response.text
    done = wait_for(lambda: _final(firestore, event["id"], ("completed",)), timeout=30)
    assert done["transition"] == "new-subscription" and subscription(firestore, uid)["status"] == "active"


def test_an_intents_attribution_name_and_cart_reach_the_order_through_the_trigger(send, firestore, uid):
    order_id = new_order_id()
    firestore.set(f"payments-intents/{order_id}", {
        "id": order_id, "owner": uid, "status": "pending", "attribution": {"utm": {"campaign": "spring"}},
        "discount": {"code": "WELCOME10", "percent": 10}, "supplemental": {"note": "gift"}})
    firestore.set(f"payments-carts/{uid}", {"status": "pending", "productId": "credits-100"})
    session = make_checkout_session(uid=uid, order_id=order_id)
    session["customer_details"] = {"name": "Ada Lovelace"}
    record = send(make_event("checkout.session.completed", session))
    assert record["transition"] == "purchase-completed" and record["attempts"] == 1
    order = firestore.get(f"payments-orders/{order_id}")
    assert order["attribution"] == {"utm": {"campaign": "spring"}} and order["supplemental"] == {"note": "gift"}
    assert order["discount"]["code"] == "WELCOME10"
    assert firestore.get(f"payments-intents/{order_id}")["status"] == "completed"
    assert firestore.get(f"users/{uid}")["personal"]["name"] == {"first": "Ada", "last": "Lovelace"}
    assert firestore.get(f"payments-carts/{uid}")["status"] == "completed"
