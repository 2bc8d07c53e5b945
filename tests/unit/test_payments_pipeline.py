"""The on-write pipeline: claim, fetch, never backwards, park, fail → retry, transitions once."""

import time

import pytest

from functions.payments.pipeline import process_webhook_event
from functions.testing.payment_builders import make_charge, make_checkout_session, make_event, make_invoice, make_subscription
from functions.testing.unit import WEBHOOK_KEY

ORDER = "1111-2222-3333"


def deliver(bm, manager, event, processor="test"):
    response = bm.post("payments/webhook", json=event, query={"processor": processor, "key": WEBHOOK_KEY})
    assert response.status == 200, response.text
    return process_webhook_event(manager, event["id"])


def subscription_of(firestore, uid):
    return firestore.get(f"users/{uid}")["subscription"]


def mailbox(firestore):
    """The order e-mails delivered to the local mailbox (no SendGrid key in testing)."""
    return list(firestore.list("emails-mailbox").values())


@pytest.fixture
def uid(accounts):
    return accounts["basic"].uid


def test_a_new_subscription_writes_user_order_intent_and_webhook_together(bm, manager, firestore, uid):
    firestore.set(f"payments-intents/{ORDER}", {"id": ORDER, "owner": uid, "status": "pending"})
    event = make_event(
        "customer.subscription.created", make_subscription(uid=uid, order_id=ORDER, status="trialing", trial_days=14)
    )
    outcome = deliver(bm, manager, event)
    assert outcome.transition == "new-subscription"
    sub = subscription_of(firestore, uid)
    assert (sub["product"]["id"], sub["status"], sub["trial"]["claimed"]) == ("premium", "active", True)
    assert sub["payment"]["orderId"] == ORDER and sub["payment"]["processor"] == "test"
    order = firestore.get(f"payments-orders/{ORDER}")
    assert (
        order["owner"] == uid and order["type"] == "subscription" and order["requests"] == {"cancellation": None, "refund": None}
    )
    assert firestore.get(f"payments-intents/{ORDER}")["status"] == "completed"
    record = firestore.get(f"payments-webhooks/{event['id']}")
    assert (record["status"], record["transition"], record["orderId"], record["attempts"]) == (
        "completed",
        "new-subscription",
        ORDER,
        1,
    )


def test_order_requests_survive_later_events(bm, manager, firestore, uid):
    deliver(bm, manager, make_event("customer.subscription.created", make_subscription(uid=uid, order_id=ORDER, id="sub_a")))
    firestore.set(f"payments-orders/{ORDER}", {"requests": {"cancellation": {"reason": "too expensive"}}}, merge=True)
    deliver(
        bm,
        manager,
        make_event(
            "customer.subscription.updated", make_subscription(uid=uid, order_id=ORDER, id="sub_a", cancel_at_period_end=True)
        ),
    )
    assert firestore.get(f"payments-orders/{ORDER}")["requests"]["cancellation"] == {"reason": "too expensive"}


def test_a_second_trigger_delivery_does_nothing_and_the_email_goes_once(bm, manager, firestore, uid, monkeypatch):
    monkeypatch.setenv("TEST_EXTENDED_MODE", "true")
    event = make_event("customer.subscription.created", make_subscription(uid=uid, order_id=ORDER))
    assert deliver(bm, manager, event).transition == "new-subscription"
    assert process_webhook_event(manager, event["id"]) is None
    emails = mailbox(firestore)
    assert [e["categories"][-1] for e in emails] == ["order/confirmation"]
    assert emails[0]["to"][0]["email"] == firestore.get(f"users/{uid}")["auth"]["email"]


def test_handlers_are_skipped_in_testing_without_extended_mode(bm, manager, firestore, uid):
    deliver(bm, manager, make_event("customer.subscription.created", make_subscription(uid=uid, order_id=ORDER)))
    assert mailbox(firestore) == []


def test_an_older_event_processed_after_a_newer_one_does_not_override(bm, manager, firestore, uid):
    now = int(time.time())
    active = make_event(
        "customer.subscription.updated", make_subscription(uid=uid, order_id=ORDER, id="sub_a"), created=now - 100
    )
    cancelled = make_event(
        "customer.subscription.deleted",
        make_subscription(uid=uid, order_id=ORDER, id="sub_a", status="canceled", canceled_at=now),
        created=now,
    )
    deliver(bm, manager, cancelled)
    outcome = deliver(bm, manager, active)
    assert outcome.stale is True and outcome.transition is None
    assert subscription_of(firestore, uid)["status"] == "cancelled"
    assert firestore.get(f"payments-webhooks/{active['id']}")["status"] == "completed"


def test_a_late_failure_from_an_abandoned_subscription_keeps_the_current_one(bm, manager, firestore, uid):
    deliver(bm, manager, make_event("customer.subscription.created", make_subscription(uid=uid, order_id=ORDER, id="sub_new")))
    old = make_subscription(uid=uid, order_id="9999-9999-9999", id="sub_old", status="past_due")
    deliver(bm, manager, make_event("invoice.payment_failed", make_invoice(subscription=old, uid=uid)))
    sub = subscription_of(firestore, uid)
    assert (sub["status"], sub["payment"]["resourceId"]) == ("active", "sub_new")
    assert firestore.get("payments-orders/9999-9999-9999")["unified"]["status"] == "suspended"


def test_payment_failed_forces_suspended_while_the_processor_still_says_active(bm, manager, firestore, uid):
    subscription = make_subscription(uid=uid, order_id=ORDER, id="sub_a")
    deliver(bm, manager, make_event("customer.subscription.created", subscription, created=int(time.time()) - 10))
    outcome = deliver(bm, manager, make_event("invoice.payment_failed", make_invoice(subscription=subscription, uid=uid)))
    assert outcome.transition == "payment-failed"
    assert subscription_of(firestore, uid)["status"] == "suspended"


def test_an_unknown_user_is_parked_and_does_not_block_others(bm, manager, firestore, uid):
    ghost = make_event("customer.subscription.created", make_subscription(uid="nobody", order_id="5555-5555-5555"))
    anonymous = make_event("customer.subscription.created", make_subscription(uid=None))
    assert deliver(bm, manager, ghost).status == "parked-user-not-found"
    assert deliver(bm, manager, anonymous).status == "parked-user-not-found"
    record = firestore.get(f"payments-webhooks/{ghost['id']}")
    assert record["status"] == "parked-user-not-found" and "users/nobody" in record["error"]
    assert not firestore.exists("users/nobody") and not firestore.exists("payments-orders/5555-5555-5555")
    assert (
        deliver(bm, manager, make_event("customer.subscription.created", make_subscription(uid=uid, order_id=ORDER))).status
        == "completed"
    )


def test_the_uid_can_come_from_the_intent(bm, manager, firestore, uid):
    firestore.set(f"payments-intents/{ORDER}", {"id": ORDER, "owner": uid, "status": "pending"})
    deliver(bm, manager, make_event("customer.subscription.created", make_subscription(uid=None, order_id=ORDER)))
    assert subscription_of(firestore, uid)["product"]["id"] == "premium"


def test_a_processor_outage_fails_the_event_and_a_retry_completes_it(bm, manager, firestore, uid):
    subscription = make_subscription(uid=uid, order_id=ORDER, metadata={"bem_test_fail_fetch_until": time.time() + 0.3})
    event = make_event("customer.subscription.created", subscription)
    assert deliver(bm, manager, event).status == "failed"
    record = firestore.get(f"payments-webhooks/{event['id']}")
    assert record["status"] == "failed" and "outage" in record["error"]
    assert subscription_of(firestore, uid)["product"]["id"] == "basic"
    time.sleep(0.35)
    firestore.set(f"payments-webhooks/{event['id']}", {"status": "pending"}, merge=True)
    outcome = process_webhook_event(manager, event["id"])
    assert outcome.status == "completed" and outcome.transition == "new-subscription"
    assert firestore.get(f"payments-webhooks/{event['id']}")["error"] is None


def test_one_time_purchase_completes_an_order_without_touching_the_subscription(bm, manager, firestore, uid, monkeypatch):
    monkeypatch.setenv("TEST_EXTENDED_MODE", "true")
    event = make_event("checkout.session.completed", make_checkout_session(uid=uid, order_id=ORDER))
    assert deliver(bm, manager, event).transition == "purchase-completed"
    order = firestore.get(f"payments-orders/{ORDER}")
    assert (order["type"], order["productId"], order["unified"]["status"]) == ("one-time", "credits-100", "completed")
    assert subscription_of(firestore, uid)["product"]["id"] == "basic"
    assert [e["categories"][-1] for e in mailbox(firestore)] == ["order/confirmation"]


def test_a_refund_of_a_subscription_payment_is_payment_refunded(bm, manager, firestore, uid):
    subscription = make_subscription(uid=uid, order_id=ORDER, id="sub_a", status="canceled", canceled_at=int(time.time()))
    outcome = deliver(bm, manager, make_event("charge.refunded", make_charge(uid=uid, subscription=subscription)))
    assert outcome.transition == "payment-refunded" and outcome.category == "subscription"
    assert subscription_of(firestore, uid)["status"] == "cancelled"


def test_stripe_events_refetch_the_latest_subscription_from_the_api(
    bm, manager, firestore, uid, stripe_fake, signed_stripe_event
):
    stale = make_subscription(uid=uid, order_id=ORDER, id="sub_live", status="trialing", trial_days=14)
    latest = {**stale, "status": "active"}
    stripe_fake.add(latest)
    event = make_event("customer.subscription.updated", stale)
    body, headers = signed_stripe_event(event)
    assert bm.post("payments/webhook", data=body, headers=headers, query={"processor": "stripe"}).status == 200
    outcome = process_webhook_event(manager, event["id"])
    assert outcome.status == "completed"
    assert [r.path for r in stripe_fake.requests_to("GET", "/v1/subscriptions/.*")] == ["/v1/subscriptions/sub_live"]
    assert stripe_fake.requests[0].stripe_version == "2026-10-28.endive"
    assert subscription_of(firestore, uid)["payment"]["processor"] == "stripe"


def test_a_stripe_outage_fails_the_event_and_retry_completes(bm, manager, firestore, uid, stripe_fake, signed_stripe_event):
    subscription = stripe_fake.add(make_subscription(uid=uid, order_id=ORDER, id="sub_live"))
    event = make_event("customer.subscription.created", subscription)
    bm.post(
        "payments/webhook",
        data=signed_stripe_event(event)[0],
        headers=signed_stripe_event(event)[1],
        query={"processor": "stripe"},
    )
    stripe_fake.fail_next(5, status=503)
    assert process_webhook_event(manager, event["id"]).status == "failed"
    assert firestore.get(f"payments-webhooks/{event['id']}")["status"] == "failed"
    stripe_fake.reset()
    stripe_fake.add(subscription)
    firestore.set(f"payments-webhooks/{event['id']}", {"status": "pending"}, merge=True)
    assert process_webhook_event(manager, event["id"]).status == "completed"


def test_a_stripe_refund_in_the_new_shape_finds_the_subscription_through_invoice_payments(
    bm, manager, firestore, uid, stripe_fake, signed_stripe_event
):
    subscription = stripe_fake.add(make_subscription(uid=uid, order_id=ORDER, id="sub_live"))
    invoice = stripe_fake.add(make_invoice(subscription="sub_live", status="paid", id="in_1"))
    stripe_fake.add(
        {
            "id": "inpay_1",
            "object": "invoice_payment",
            "invoice": invoice["id"],
            "payment": {"type": "payment_intent", "payment_intent": "pi_1"},
        }
    )
    charge = stripe_fake.add({**make_charge(uid=uid), "id": "ch_1", "payment_intent": "pi_1", "invoice": None})
    event = make_event("charge.refunded", charge)
    body, headers = signed_stripe_event(event)
    bm.post("payments/webhook", data=body, headers=headers, query={"processor": "stripe"})
    outcome = process_webhook_event(manager, event["id"])
    assert (outcome.status, outcome.transition, outcome.order_id) == ("completed", "payment-refunded", ORDER)
    assert subscription["id"] == subscription_of(firestore, uid)["payment"]["resourceId"]


# BEM parity: what the intent carried, the customer's name, the abandoned cart --------------------
def test_the_intents_attribution_discount_and_supplemental_go_onto_the_order(bm, manager, firestore, uid):
    intent = {"id": ORDER, "owner": uid, "status": "pending", "attribution": {"utm": {"source": "newsletter"}},
              "discount": {"code": "WELCOME10", "percent": 10}, "supplemental": {"seats": 3}}
    firestore.set(f"payments-intents/{ORDER}", intent)
    deliver(bm, manager, make_event("customer.subscription.created", make_subscription(uid=uid, order_id=ORDER, id="sub_a")))
    order = firestore.get(f"payments-orders/{ORDER}")
    assert order["attribution"] == {"utm": {"source": "newsletter"}}
    assert order["discount"] == {"code": "WELCOME10", "percent": 10}
    assert order["supplemental"] == {"seats": 3}
    # later events do not read the intent again, and keep what was copied
    firestore.set(f"payments-intents/{ORDER}", {"attribution": {"changed": True}}, merge=True)
    deliver(bm, manager, make_event("customer.subscription.updated",
                                    make_subscription(uid=uid, order_id=ORDER, id="sub_a", cancel_at_period_end=True),
                                    created=int(time.time()) + 5))
    assert firestore.get(f"payments-orders/{ORDER}")["attribution"] == {"utm": {"source": "newsletter"}}


def test_an_empty_name_is_filled_from_the_processors_customer(bm, manager, firestore, uid):
    firestore.set(f"users/{uid}", {"personal": {"name": {"first": None, "last": None}}}, merge=True)
    session = make_checkout_session(uid=uid, order_id=ORDER)
    session["customer_details"] = {"name": "ada  lovelace king", "email": "ada@example.com"}
    deliver(bm, manager, make_event("checkout.session.completed", session))
    assert firestore.get(f"users/{uid}")["personal"]["name"] == {"first": "Ada", "last": "Lovelace King"}


def test_a_name_the_user_has_is_kept(bm, manager, firestore, uid):
    firestore.set(f"users/{uid}", {"personal": {"name": {"first": "Grace", "last": "Hopper"}}}, merge=True)
    session = make_checkout_session(uid=uid, order_id=ORDER)
    session["customer_details"] = {"name": "Someone Else"}
    deliver(bm, manager, make_event("checkout.session.completed", session))
    assert firestore.get(f"users/{uid}")["personal"]["name"] == {"first": "Grace", "last": "Hopper"}


def test_a_purchase_completes_the_abandoned_cart_and_makes_none_when_absent(bm, manager, firestore, uid, accounts):
    firestore.set(f"payments-carts/{uid}", {"status": "pending", "productId": "premium"})
    deliver(bm, manager, make_event("customer.subscription.created", make_subscription(uid=uid, order_id=ORDER, id="sub_a")))
    assert firestore.get(f"payments-carts/{uid}")["status"] == "completed"
    other = accounts["premium-active"].uid
    session = make_checkout_session(uid=other, order_id="9999-8888-7777")
    deliver(bm, manager, make_event("checkout.session.completed", session))
    assert firestore.get(f"payments-carts/{other}") is None


# the trigger's claim: conditional on the snapshot it delivered, no read --------------------------
def test_the_trigger_claims_from_its_snapshot_once(bm, manager, firestore, uid):
    event = make_event("customer.subscription.created", make_subscription(uid=uid, order_id=ORDER, id="sub_a"))
    assert bm.post("payments/webhook", json=event, query={"processor": "test", "key": WEBHOOK_KEY}).status == 200
    snapshot = manager.db.collection("payments-webhooks").document(event["id"]).get()
    first = process_webhook_event(manager, event["id"], snapshot=snapshot)
    assert first.status == "completed" and first.transition == "new-subscription"
    assert process_webhook_event(manager, event["id"], snapshot=snapshot) is None  # a redelivered trigger
    record = firestore.get(f"payments-webhooks/{event['id']}")
    assert (record["status"], record["attempts"]) == ("completed", 1)


def test_a_trigger_snapshot_older_than_the_record_claims_nothing(bm, manager, firestore, uid):
    event = make_event("customer.subscription.created", make_subscription(uid=uid, order_id=ORDER, id="sub_a"))
    assert bm.post("payments/webhook", json=event, query={"processor": "test", "key": WEBHOOK_KEY}).status == 200
    snapshot = manager.db.collection("payments-webhooks").document(event["id"]).get()
    firestore.set(f"payments-webhooks/{event['id']}", {"note": "changed since"}, merge=True)
    assert process_webhook_event(manager, event["id"], snapshot=snapshot) is None
    assert firestore.get(f"payments-webhooks/{event['id']}")["status"] == "pending"
    assert firestore.get(f"users/{uid}")["subscription"]["product"]["id"] == "basic"
