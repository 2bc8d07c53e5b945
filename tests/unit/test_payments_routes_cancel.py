"""POST payments/cancel and payments/portal: Stripe through the fake server, and the test processor."""

from __future__ import annotations

import time

import pytest

from functions.payments.processors.test import make_subscription
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
    assert response.status in (502, 503)
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


# portal ----------------------------------------------------------------------------------------------
def test_portal_for_a_stripe_subscriber(bm, stripe_fake, accounts):
    _stripe_subscription(stripe_fake, accounts["premium-active"].uid, customer="cus_premium")
    response = bm.as_("premium-active").post("payments/portal", {"returnUrl": "https://app.example.com/account"})
    assert response.status == 200, response.text
    assert response.json["url"].startswith("https://billing.stripe.com/")
    [create] = stripe_fake.requests_to("POST", "/v1/billing_portal/sessions")
    assert create.params == {"customer": "cus_premium", "return_url": "https://app.example.com/account"}


def test_portal_finds_a_one_time_buyer_by_uid(bm, stripe_fake, accounts):
    stripe_fake.add({"id": "cus_buyer", "object": "customer", "metadata": {"uid": accounts["basic"].uid}})
    response = bm.as_("basic").post("payments/portal")
    assert response.status == 200, response.text
    [create] = stripe_fake.requests_to("POST", "/v1/billing_portal/sessions")
    assert create.params == {"customer": "cus_buyer", "return_url": "https://example.com/account"}


def test_portal_without_a_customer_is_400(bm, stripe_fake):
    response = bm.as_("basic").post("payments/portal")
    assert response.status == 400
    assert stripe_fake.requests_to("POST", "/v1/billing_portal/sessions") == []


def test_portal_return_url_is_validated(bm, stripe_fake):
    response = bm.as_("basic").post("payments/portal", {"returnUrl": "ftp://nope"})
    assert response.status == 400 and response.json["error"]["field"] == "returnUrl"
