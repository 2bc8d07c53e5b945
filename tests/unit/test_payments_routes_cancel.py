"""POST payments/cancel and payments/portal: Stripe through the fake server, and the test processor."""

from __future__ import annotations

import time

import pytest

from functions.testing.payment_builders import make_subscription
from functions.timestamps import Stamp

DAY = 86400


def _stripe_subscription(stripe_fake, uid, *, status="active", customer="cus_premium"):
    subscription = make_subscription(
        uid=uid, order_id="0000-0000-0001", id="sub_test_premium", status=status, start=int(time.time()) - 40 * DAY
    )
    subscription["customer"] = customer
    return stripe_fake.add(subscription)


def _cancel(bm, account, **body):
    return bm.as_(account).post("payments/cancel", {"confirmed": True, **body})


# rules ------------------------------------------------------------------------------------------
def test_cancel_needs_confirmation(bm, stripe_fake):
    response = bm.as_("premium-active").post("payments/cancel", {"reason": "too expensive"})
    assert response.status == 400
    assert response.json["error"]["field"] == "confirmed"
    assert stripe_fake.requests == []


@pytest.mark.parametrize("account", ["basic", "premium-expired", "premium-cancelling"])
def test_cancel_refused_without_a_cancellable_plan(bm, stripe_fake, account):
    response = _cancel(bm, account)
    assert response.status == 400, response.text
    assert stripe_fake.requests == []


def test_cancel_refused_when_younger_than_24_hours(bm, stripe_fake, firestore, accounts):
    uid = accounts["premium-active"].uid
    firestore.set(f"users/{uid}", {"subscription": {"payment": {"startDate": Stamp.at(time.time() - 3600).dump()}}}, merge=True)
    response = _cancel(bm, "premium-active")
    assert response.status == 400
    assert "24 hours" in response.error
    assert stripe_fake.requests == []


def test_cancel_refused_for_anonymous(bm):
    assert bm.post("payments/cancel", {"confirmed": True}).status == 401


# Stripe ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("account", ["premium-active", "premium-suspended"])
def test_cancel_at_period_end(bm, stripe_fake, firestore, accounts, account):
    _stripe_subscription(stripe_fake, accounts[account].uid)
    response = _cancel(bm, account, reason="too expensive", feedback="<b>nice</b> app")
    assert response.status == 200, response.text
    assert response.json == {"success": True, "orderId": "0000-0000-0001", "immediate": False}
    [update] = stripe_fake.requests_to("POST", "/v1/subscriptions/sub_test_premium")
    assert update.params == {"cancel_at_period_end": True}
    assert update.idempotency_key == "bem-cancel-sub_test_premium"
    assert stripe_fake.requests_to("DELETE", "/v1/subscriptions/.*") == []
    cancellation = firestore.get("payments-orders/0000-0000-0001")["requests"]["cancellation"]
    assert cancellation["reason"] == "too expensive"
    assert cancellation["feedback"] == "<b>nice</b> app"  # stored as sent (BEM 5.11); escaped where rendered
    assert cancellation["date"]["timestampUNIX"] > 0


def test_trialing_subscription_is_cancelled_immediately(bm, stripe_fake, accounts):
    _stripe_subscription(stripe_fake, accounts["premium-active"].uid, status="trialing")
    response = _cancel(bm, "premium-active")
    assert response.status == 200
    assert response.json["immediate"] is True
    assert len(stripe_fake.requests_to("DELETE", "/v1/subscriptions/sub_test_premium")) == 1
    assert stripe_fake.requests_to("POST", "/v1/subscriptions/.*") == []
    assert stripe_fake.get("subscriptions", "sub_test_premium")["status"] == "canceled"


def test_cancel_stripe_outage_records_nothing(bm, stripe_fake, firestore, accounts):
    _stripe_subscription(stripe_fake, accounts["premium-active"].uid)
    stripe_fake.fail_next(10, status=500)
    response = _cancel(bm, "premium-active")
    assert response.status == 503
    assert firestore.get("payments-orders/0000-0000-0001") is None


def test_skip_guards_cancels_a_new_subscription_outside_production(bm, manager, stripe_fake, firestore, accounts):
    uid = accounts["premium-active"].uid
    _stripe_subscription(stripe_fake, uid)
    firestore.set(f"users/{uid}", {"subscription": {"payment": {"startDate": Stamp.at(time.time() - 60).dump()}}}, merge=True)
    assert _cancel(bm, "premium-active").status == 400  # younger than 24 h
    response = _cancel(bm, "premium-active", skipGuards=True)
    assert response.status == 200, response.text
    assert stripe_fake.get("subscriptions", "sub_test_premium")["cancel_at_period_end"] is True


def test_skip_guards_is_ignored_for_users_in_production(bm, manager, stripe_fake, firestore, accounts):
    uid = accounts["premium-active"].uid
    _stripe_subscription(stripe_fake, uid)
    firestore.set(f"users/{uid}", {"subscription": {"payment": {"startDate": Stamp.at(time.time() - 60).dump()}}}, merge=True)
    manager.environment = "production"
    response = _cancel(bm, "premium-active", skipGuards=True)
    assert response.status == 400 and "24 hours" in response.error
    assert stripe_fake.requests == []


@pytest.mark.parametrize("gone", ["unknown", "canceled"])
def test_suspended_subscription_the_processor_refuses_is_reset_to_basic(bm, stripe_fake, firestore, accounts, gone):
    uid = accounts["premium-suspended"].uid
    if gone == "canceled":
        _stripe_subscription(stripe_fake, uid, status="canceled")
    response = _cancel(bm, "premium-suspended", reason="card expired")
    assert response.status == 200, response.text
    assert response.json["reset"] is True and response.json["immediate"] is True
    subscription = firestore.get(f"users/{uid}")["subscription"]
    assert subscription["status"] == "cancelled" and subscription["product"]["id"] == "basic"
    assert subscription["cancellation"]["pending"] is False
    assert firestore.get("payments-orders/0000-0000-0001")["requests"]["cancellation"]["reset"] is True
    assert stripe_fake.requests_to("POST", "/v1/subscriptions/.*") == []


def test_active_subscription_the_processor_no_longer_knows_is_400(bm, stripe_fake, firestore, accounts):
    response = _cancel(bm, "premium-active")
    assert response.status == 400 and "already cancelled" in response.error
    assert firestore.get(f"users/{accounts['premium-active'].uid}")["subscription"]["product"]["id"] == "premium"


def test_cancel_refused_by_stripe_is_502(bm, stripe_fake, firestore, accounts):
    _stripe_subscription(stripe_fake, accounts["premium-active"].uid)
    stripe_fake.on("POST", r"/v1/subscriptions/sub_test_premium", lambda request, match: (400, {"error": {
        "type": "invalid_request_error", "message": "This subscription cannot be updated"}}))
    response = _cancel(bm, "premium-active")
    assert response.status == 502, response.text
    assert firestore.get("payments-orders/0000-0000-0001") is None


# test processor -----------------------------------------------------------------------------------
def _subscribe_with_test_processor(bm, firestore, uid, *, trial: bool) -> str:
    response = bm.as_("basic").post(
        "payments/intent", {"productId": "premium", "frequency": "monthly", "processor": "test", "trial": trial}
    )
    assert response.status == 200, response.text
    subscription = firestore.get(f"users/{uid}")["subscription"]
    assert subscription["status"] == "active" and subscription["product"]["id"] == "premium"
    assert subscription["trial"]["claimed"] is trial
    return response.json["orderId"]


def _age_subscription(firestore, uid, days=2):
    firestore.set(
        f"users/{uid}", {"subscription": {"payment": {"startDate": Stamp.at(time.time() - days * DAY).dump()}}}, merge=True
    )


def test_test_processor_cancel_runs_the_pipeline(bm, firestore, accounts):
    uid = accounts["basic"].uid
    order_id = _subscribe_with_test_processor(bm, firestore, uid, trial=False)
    assert _cancel(bm, "basic").status == 400  # younger than 24 h
    _age_subscription(firestore, uid)
    response = _cancel(bm, "basic", reason="moving on")
    assert response.status == 200, response.text
    assert response.json["immediate"] is False
    subscription = firestore.get(f"users/{uid}")["subscription"]
    assert subscription["status"] == "active" and subscription["cancellation"]["pending"] is True
    order = firestore.get(f"payments-orders/{order_id}")
    assert order["requests"]["cancellation"]["reason"] == "moving on"
    transitions = [w["transition"] for w in firestore.list("payments-webhooks").values()]
    assert sorted(t for t in transitions if t) == ["cancellation-requested", "new-subscription"]
    assert _cancel(bm, "basic").status == 400  # already pending


def test_test_processor_trial_cancel_is_immediate(bm, firestore, accounts):
    uid = accounts["basic"].uid
    _subscribe_with_test_processor(bm, firestore, uid, trial=True)
    _age_subscription(firestore, uid)
    response = _cancel(bm, "basic")
    assert response.status == 200, response.text
    assert response.json["immediate"] is True
    assert firestore.get(f"users/{uid}")["subscription"]["status"] == "cancelled"


def test_test_processor_cancel_refused_in_production(bm, manager, firestore, accounts):
    uid = accounts["basic"].uid
    _subscribe_with_test_processor(bm, firestore, uid, trial=False)
    _age_subscription(firestore, uid)
    manager.environment = "production"
    assert _cancel(bm, "basic").status == 400


def test_a_suspended_subscription_stored_without_its_order_id_can_be_cancelled(bm, firestore, accounts):
    # BEM's routes/payments/cancel.js "allows-suspended-subscription": a BEM-written subscription with processor
    # and resourceId but no orderId; the cancellation is recorded on the order the pipeline keeps for it
    from functions.payments.order_id import derived_order_id

    uid = accounts["premium-suspended"].uid
    firestore.set(f"users/{uid}", {"subscription": {"payment": {"processor": "test", "resourceId": "sub_test_suspended",
                                                                "orderId": None}}}, merge=True)
    response = _cancel(bm, "premium-suspended", reason="Subscription was suspended", skipGuards=True)
    assert response.status == 200, response.text
    order_id = derived_order_id("test:sub_test_suspended")
    assert response.json["orderId"] == order_id
    assert firestore.get(f"payments-orders/{order_id}")["requests"]["cancellation"]["reason"] == "Subscription was suspended"
    subscription = firestore.get(f"users/{uid}")["subscription"]
    assert (subscription["status"], subscription["cancellation"]["pending"]) == ("suspended", True)


# portal ----------------------------------------------------------------------------------------------
def test_portal_for_a_stripe_subscriber(bm, stripe_fake, accounts):
    _stripe_subscription(stripe_fake, accounts["premium-active"].uid, customer="cus_premium")
    response = bm.as_("premium-active").post("payments/portal", {"returnUrl": "https://app.example.com/account"})
    assert response.status == 200, response.text
    assert response.json["url"].startswith("https://billing.stripe.com/")
    [create] = stripe_fake.requests_to("POST", "/v1/billing_portal/sessions")
    [configuration] = stripe_fake.all("billing_portal/configurations")
    assert create.params == {"customer": "cus_premium", "return_url": "https://app.example.com/account",
                             "configuration": configuration["id"]}


def test_portal_configuration_disables_cancel_and_plan_changes(bm, stripe_fake, accounts):
    _stripe_subscription(stripe_fake, accounts["premium-active"].uid)
    for _ in range(2):
        assert bm.as_("premium-active").post("payments/portal").status == 200
    [configuration] = stripe_fake.all("billing_portal/configurations")
    assert configuration["features"] == {
        "subscription_cancel": {"enabled": False},
        "subscription_update": {"enabled": False},
        "payment_method_update": {"enabled": True},
        "invoice_history": {"enabled": True},
    }
    sessions = stripe_fake.requests_to("POST", "/v1/billing_portal/sessions")
    assert [s.params["configuration"] for s in sessions] == [configuration["id"]] * 2


def test_a_deleted_portal_configuration_is_made_again(bm, stripe_fake, accounts):
    _stripe_subscription(stripe_fake, accounts["premium-active"].uid)
    assert bm.as_("premium-active").post("payments/portal").status == 200
    [first] = stripe_fake.all("billing_portal/configurations")
    stripe_fake.objects["billing_portal/configurations"].clear()  # deleted in the Dashboard
    response = bm.as_("premium-active").post("payments/portal")
    assert response.status == 200, response.text
    [second] = stripe_fake.all("billing_portal/configurations")
    assert second["id"] != first["id"]
    assert stripe_fake.requests_to("POST", "/v1/billing_portal/sessions")[-1].params["configuration"] == second["id"]


def test_portal_finds_a_one_time_buyer_by_uid(bm, stripe_fake, accounts):
    stripe_fake.add({"id": "cus_buyer", "object": "customer", "metadata": {"uid": accounts["basic"].uid}})
    response = bm.as_("basic").post("payments/portal")
    assert response.status == 200, response.text
    [create] = stripe_fake.requests_to("POST", "/v1/billing_portal/sessions")
    assert create.params["customer"] == "cus_buyer" and create.params["return_url"] == "https://example.com/account"


def test_portal_without_a_customer_is_400(bm, stripe_fake):
    response = bm.as_("basic").post("payments/portal")
    assert response.status == 400
    assert stripe_fake.requests_to("POST", "/v1/billing_portal/sessions") == []


def test_portal_return_url_is_validated(bm, stripe_fake):
    response = bm.as_("basic").post("payments/portal", {"returnUrl": "ftp://nope"})
    assert response.status == 400 and response.json["error"]["field"] == "returnUrl"
