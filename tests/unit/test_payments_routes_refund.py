"""POST payments/refund: rules, full vs prorated amounts, one refund per double request."""

from __future__ import annotations

import time

import pytest

from functions.payments.refund import quote_refund
from functions.testing.payment_builders import make_subscription
from functions.timestamps import Stamp

DAY = 86400
ORDER = "0000-0000-0001"


def _stripe_paid_subscription(stripe_fake, uid, *, paid_days_ago: float, period_days=30, api_shape="new", status="active"):
    """sub_test_premium whose latest invoice paid 499 cents ``paid_days_ago`` days ago."""
    now = int(time.time())
    paid_at = now - int(paid_days_ago * DAY)
    subscription = make_subscription(
        uid=uid,
        order_id=ORDER,
        id="sub_test_premium",
        status=status,
        start=paid_at,
        cancel_at_period_end=True,
        api_shape=api_shape,
    )
    period = {"current_period_start": paid_at, "current_period_end": paid_at + period_days * DAY}
    (subscription if api_shape == "old" else subscription["items"]["data"][0]).update(period)
    subscription["latest_invoice"] = "in_last"
    invoice = {
        "id": "in_last",
        "object": "invoice",
        "status": "paid",
        "amount_paid": 499,
        "currency": "usd",
        "created": paid_at,
        "status_transitions": {"paid_at": paid_at},
    }
    if api_shape == "old":
        invoice["payment_intent"] = "pi_last"
    else:
        stripe_fake.add(
            {
                "id": "inpay_last",
                "object": "invoice_payment",
                "invoice": "in_last",
                "status": "paid",
                "payment": {"type": "payment_intent", "payment_intent": "pi_last"},
            }
        )
    stripe_fake.add(invoice)
    return stripe_fake.add(subscription)


def _refund(bm, account="premium-cancelling", **body):
    return bm.as_(account).post("payments/refund", {"reason": "not for me", "confirmed": True, **body})


# pure amount rule ----------------------------------------------------------------------------------
def test_quote_full_within_seven_days_then_prorated():
    now = 1_000 * DAY
    assert quote_refund(499, now - 7 * DAY, now - 7 * DAY, now + 23 * DAY, now).full is True
    late = quote_refund(3000, now - 20 * DAY, now - 20 * DAY, now + 10 * DAY + 60, now)
    assert (late.amount_cents, late.full) == (1000, False)
    assert quote_refund(3000, now - 40 * DAY, now - 40 * DAY, now - DAY, now).amount_cents == 0
    assert quote_refund(0, now, now, now + 30 * DAY, now).amount_cents == 0
    # the same request a few seconds later asks for the same amount (idempotency key stays valid)
    assert quote_refund(3000, now - 20 * DAY, now - 20 * DAY, now + 10 * DAY + 60, now + 30) == late


# rules ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("body", "field"), [({"reason": ""}, "reason"), ({"confirmed": False}, "confirmed")])
def test_refund_field_errors(bm, stripe_fake, body, field):
    response = _refund(bm, **body)
    assert response.status == 400
    assert response.json["error"]["field"] == field
    assert stripe_fake.requests == []


def test_refund_reason_missing_names_it(bm, stripe_fake):
    response = bm.as_("premium-cancelling").post("payments/refund", {"confirmed": True})
    assert response.status == 400 and response.json["error"]["field"] == "reason"


@pytest.mark.parametrize("account", ["basic", "premium-active", "premium-suspended"])
def test_refund_needs_a_cancelled_or_cancelling_plan(bm, stripe_fake, account):
    assert _refund(bm, account).status == 400
    assert stripe_fake.requests == []


# Stripe ---------------------------------------------------------------------------------------------
def test_full_refund_within_seven_days_then_cancels(bm, stripe_fake, firestore, accounts):
    uid = accounts["premium-cancelling"].uid
    _stripe_paid_subscription(stripe_fake, uid, paid_days_ago=2)
    response = _refund(bm)
    assert response.status == 200, response.text
    assert response.json["refund"]["amount"] == 4.99 and response.json["refund"]["full"] is True
    [create] = stripe_fake.requests_to("POST", "/v1/refunds")
    assert create.params["payment_intent"] == "pi_last"
    assert create.params["amount"] == 499
    assert create.params["metadata"] == {"uid": uid, "orderId": ORDER, "subscriptionId": "sub_test_premium", "full": "true"}
    assert create.idempotency_key == "bem-refund-sub_test_premium"
    assert stripe_fake.get("subscriptions", "sub_test_premium")["status"] == "canceled"
    refund = firestore.get(f"payments-orders/{ORDER}")["requests"]["refund"]
    assert refund["reason"] == "not for me" and refund["amount"] == 4.99 and refund["full"] is True
    assert refund["refundId"] == response.json["refund"]["id"]


def test_prorated_refund_after_seven_days(bm, stripe_fake, accounts):
    _stripe_paid_subscription(stripe_fake, accounts["premium-cancelling"].uid, paid_days_ago=19.9, period_days=30)
    response = _refund(bm)
    assert response.status == 200, response.text
    [create] = stripe_fake.requests_to("POST", "/v1/refunds")
    assert create.params["amount"] == 499 * 10 // 30  # 10 whole unused days of 30
    assert response.json["refund"] == {"id": response.json["refund"]["id"], "amount": 1.66, "currency": "usd", "full": False}


def test_old_api_shape_invoice_payment_intent(bm, stripe_fake, accounts):
    _stripe_paid_subscription(stripe_fake, accounts["premium-cancelling"].uid, paid_days_ago=1, api_shape="old")
    assert _refund(bm).status == 200
    [create] = stripe_fake.requests_to("POST", "/v1/refunds")
    assert create.params["payment_intent"] == "pi_last"
    assert stripe_fake.requests_to("GET", "/v1/invoice_payments") == []


def test_double_request_is_one_refund(bm, stripe_fake, accounts):
    _stripe_paid_subscription(stripe_fake, accounts["premium-cancelling"].uid, paid_days_ago=2)
    first, second = _refund(bm), _refund(bm)
    assert first.status == 200 and second.status == 200, second.text
    creates = stripe_fake.requests_to("POST", "/v1/refunds")
    assert len(creates) == 2
    assert {c.idempotency_key for c in creates} == {"bem-refund-sub_test_premium"}
    assert len(stripe_fake.all("refunds")) == 1  # the second was replayed by Stripe
    assert first.json["refund"]["id"] == second.json["refund"]["id"]
    assert len(stripe_fake.requests_to("DELETE", "/v1/subscriptions/sub_test_premium")) == 1


def test_retry_after_a_failed_cancel_reuses_the_refund(bm, stripe_fake, firestore, accounts):
    _stripe_paid_subscription(stripe_fake, accounts["premium-cancelling"].uid, paid_days_ago=2)
    failures = {"left": 2}  # the SDK retries once (STRIPE_MAX_NETWORK_RETRIES=1)

    def flaky_cancel(request, match):
        if failures["left"]:
            failures["left"] -= 1
            return 500, {"error": {"type": "api_error", "message": "Simulated outage"}}
        subscription = stripe_fake.objects["subscriptions"]["sub_test_premium"]
        subscription.update({"status": "canceled", "canceled_at": int(time.time())})
        return dict(subscription)

    stripe_fake.on("DELETE", r"/v1/subscriptions/sub_test_premium", flaky_cancel)
    assert _refund(bm).status == 503
    assert firestore.get(f"payments-orders/{ORDER}") is None
    assert _refund(bm).status == 200
    assert len(stripe_fake.all("refunds")) == 1
    assert stripe_fake.get("subscriptions", "sub_test_premium")["status"] == "canceled"


def test_unpaid_trial_has_nothing_to_refund(bm, stripe_fake, accounts):
    _stripe_paid_subscription(stripe_fake, accounts["premium-cancelling"].uid, paid_days_ago=2)
    stripe_fake.objects["invoices"]["in_last"]["amount_paid"] = 0
    response = _refund(bm)
    assert response.status == 400
    assert stripe_fake.requests_to("POST", "/v1/refunds") == []


# test processor ------------------------------------------------------------------------------------------
def test_test_processor_refund_runs_the_pipeline(bm, firestore, accounts):
    uid = accounts["basic"].uid
    intent = bm.as_("basic").post(
        "payments/intent", {"productId": "premium", "frequency": "monthly", "processor": "test", "trial": False}
    )
    assert intent.status == 200
    order_id = intent.json["orderId"]
    assert _refund(bm, "basic").status == 400  # not cancelling yet
    firestore.set(
        f"users/{uid}", {"subscription": {"payment": {"startDate": Stamp.at(time.time() - 2 * DAY).dump()}}}, merge=True
    )
    assert bm.as_("basic").post("payments/cancel", {"confirmed": True}).status == 200
    response = _refund(bm, "basic")
    assert response.status == 200, response.text
    assert response.json["refund"]["full"] is True and response.json["refund"]["amount"] == 4.99
    subscription = firestore.get(f"users/{uid}")["subscription"]
    assert subscription["status"] == "cancelled"
    assert firestore.get(f"payments-orders/{order_id}")["requests"]["refund"]["reason"] == "not for me"
    transitions = sorted(t for t in (w["transition"] for w in firestore.list("payments-webhooks").values()) if t)
    assert "payment-refunded" in transitions
    # again: the same derived event ids → duplicates, no second refund transition
    again = _refund(bm, "basic")
    assert again.status == 200 and again.json["refund"]["id"] == response.json["refund"]["id"]
    transitions_after = sorted(t for t in (w["transition"] for w in firestore.list("payments-webhooks").values()) if t)
    assert transitions_after == transitions


@pytest.mark.parametrize(("field", "days", "status"), [("startDate", 181, 400), ("startDate", 170, 200),
                                                       ("updatedBy", 181, 400)])
def test_payments_older_than_six_months_are_not_refunded(bm, stripe_fake, firestore, accounts, field, days, status):
    uid = accounts["premium-cancelling"].uid
    _stripe_paid_subscription(stripe_fake, uid, paid_days_ago=2)
    stamp = Stamp.at(time.time() - days * DAY).dump()
    payment = {"startDate": stamp} if field == "startDate" else {"startDate": Stamp().dump(), "updatedBy": {"date": stamp}}
    firestore.set(f"users/{uid}", {"subscription": {"payment": payment}}, merge=True)
    response = _refund(bm)
    assert response.status == status, response.text
    if status == 400:
        assert "older than 6 months" in response.error
        assert stripe_fake.requests == [] and stripe_fake.all("refunds") == []
