"""The nine transition e-mails: content, once under duplicated and reversed webhook delivery."""

import datetime as dt
import time

import pytest

from functions.payments.emails import ORDER_EMAILS, computed_values, format_date
from functions.payments.order_id import new_order_id
from functions.payments.pipeline import process_webhook_event
from functions.testing.payment_builders import make_charge, make_checkout_session, make_event, make_invoice, make_subscription
from functions.testing.unit import WEBHOOK_KEY


@pytest.fixture(autouse=True)
def extended(manager, monkeypatch):
    monkeypatch.setenv("TEST_EXTENDED_MODE", "true")  # transition handlers run


def deliver(bm, manager, event):
    response = bm.post("payments/webhook", json=event, query={"processor": "test", "key": WEBHOOK_KEY})
    assert response.status == 200, response.text
    return process_webhook_event(manager, event["id"])


def lifecycle(uid, order_id, start):
    def sub(**changes):
        return make_subscription(uid=uid, order_id=order_id, id=f"sub_{order_id}", start=start, **changes)

    return [
        make_event("customer.subscription.created", sub(status="trialing", trial_days=14), created=start),
        make_event("invoice.payment_failed", make_invoice(subscription=sub(status="past_due"), uid=uid), created=start + 2),
        make_event("customer.subscription.updated", sub(status="active"), created=start + 3),
        make_event("customer.subscription.updated", sub(status="active", cancel_at_period_end=True), created=start + 4),
        make_event("customer.subscription.deleted", sub(status="canceled", canceled_at=start + 5), created=start + 5),
        make_event("charge.refunded", make_charge(uid=uid, amount=1299, subscription=sub(status="canceled", canceled_at=start + 5)),
                   created=start + 6),
    ]


def categories(fake, email):
    return [mail.body["categories"][-1] for mail in fake.sent_to(email)]


def recorded_transitions(firestore, uid):
    return [r["transition"] for r in firestore.list("payments-webhooks").values() if r.get("owner") == uid and r.get("transition")]


def test_each_subscription_transition_sends_its_order_email_once_even_when_delivered_twice(bm, manager, firestore, accounts,
                                                                                             sendgrid_fake):
    account = accounts["basic"]
    order_id = new_order_id()
    for event in lifecycle(account.uid, order_id, int(time.time()) - 60):
        deliver(bm, manager, event)
        deliver(bm, manager, event)                          # the processor re-delivers
        firestore.set(f"payments-webhooks/{event['id']}", {"status": "pending"}, merge=True)
        process_webhook_event(manager, event["id"])          # and the trigger runs again
    assert categories(sendgrid_fake, account.email) == [
        "order/confirmation", "order/payment-failed", "order/payment-recovered", "order/cancellation-requested",
        "order/cancelled", "order/refunded"]
    mails = sendgrid_fake.sent_to(account.email)
    assert [m.body["subject"] for m in mails] == [
        f"Your Demo App Premium order #{order_id}", f"Payment failed for order #{order_id}",
        f"Payment received for order #{order_id}", f"Your cancellation request has been received #{order_id}",
        f"Your subscription has been cancelled #{order_id}", f"Your payment has been refunded #{order_id}"]
    assert all(m.body["from"]["email"] == "orders@example.com" for m in mails)
    confirmation = mails[0].body["content"][0]["value"]
    assert "Your subscription is confirmed!" in confirmation and "Total paid today" in confirmation and "$0.00" in confirmation
    assert "Free trial discount" in confirmation and "Your free trial is active until" in confirmation
    assert "A refund of $12.99 has been processed" in mails[-1].body["content"][0]["value"]
    records = [r for r in firestore.list("emails").values() if r["request"]["to"][0]["email"] == account.email]
    assert len(records) == 6 and {r["status"] for r in records} == {"sent"}


def test_reversed_delivery_sends_one_email_per_recorded_transition(bm, manager, firestore, accounts, sendgrid_fake):
    account = accounts["basic"]
    for event in reversed(lifecycle(account.uid, new_order_id(), int(time.time()) - 60)):
        deliver(bm, manager, event)
    transitions = recorded_transitions(firestore, account.uid)
    sent = categories(sendgrid_fake, account.email)
    assert sorted(sent) == sorted(ORDER_EMAILS[t].category for t in transitions)
    assert len(sent) == len(set(sent))


def test_one_time_purchase_completed_and_failed(bm, manager, firestore, accounts, sendgrid_fake):
    account = accounts["basic"]
    paid = make_event("checkout.session.completed", make_checkout_session(uid=account.uid, order_id=new_order_id()))
    failed = make_event("invoice.payment_failed",
                        make_invoice(uid=account.uid, metadata={"productId": "credits-100", "orderId": new_order_id()}))
    assert deliver(bm, manager, paid).transition == "purchase-completed"
    assert deliver(bm, manager, failed).transition == "purchase-failed"
    deliver(bm, manager, paid)
    assert categories(sendgrid_fake, account.email) == ["order/confirmation", "order/payment-failed"]
    receipt = sendgrid_fake.sent_to(account.email)[0].body["content"][0]["value"]
    assert "Your order is confirmed!" in receipt and "Total paid today" in receipt


def test_plan_change_email_names_the_previous_plan(bm, manager, firestore, accounts, sendgrid_fake):
    others = [p for p in manager.config.payment.products
              if p.type == "subscription" and not p.is_free and p.stripe.product_id and p.id != "premium"]
    if not others:
        pytest.skip("needs a second paid subscription product in backend-manager-config.json")
    account, order_id, start = accounts["basic"], new_order_id(), int(time.time()) - 60
    base = {"uid": account.uid, "order_id": order_id, "id": f"sub_{order_id}", "start": start}
    deliver(bm, manager, make_event("customer.subscription.created", make_subscription(**base), created=start))
    changed = make_event("customer.subscription.updated", make_subscription(**base, product=others[0].stripe.product_id), created=start + 1)
    assert deliver(bm, manager, changed).transition == "plan-changed"
    text = sendgrid_fake.sent_to(account.email)[-1].body["content"][0]["value"]
    assert "Plan updated" in text and "from Demo App Premium" in text


def test_without_extended_mode_transitions_send_nothing(bm, manager, accounts, sendgrid_fake, monkeypatch):
    monkeypatch.delenv("TEST_EXTENDED_MODE")
    deliver(bm, manager, make_event("customer.subscription.created", make_subscription(uid=accounts["basic"].uid)))
    assert sendgrid_fake.attempts() == []


def test_computed_totals_discount_and_trial_dates():
    import datetime as dt

    now = dt.datetime(2026, 2, 25, 12, tzinfo=dt.UTC)
    after = {"payment": {"price": 20}, "trial": {"claimed": False}}
    paid = computed_values("new-subscription", None, after, {"code": "SAVE25", "percent": 25}, None, now)
    assert paid == {"date": "Feb 25, 2026", "promoCode": "SAVE25", "promoPercent": 25, "promoSavings": "5.00",
                    "firstChargeAmount": "15.00", "totalToday": "15.00"}
    trial = {"payment": {"price": 20}, "trial": {"claimed": True, "expires": {"timestampUNIX": 1773000000}}}
    assert computed_values("new-subscription", None, trial, None, None, now)["totalToday"] == "0.00"
    assert computed_values("new-subscription", None, trial, None, None, now)["trialExpires"] == "Mar 8, 2026"
    later = {"expires": {"timestampUNIX": int(now.timestamp()) + 86400 * 3}, "trial": {"claimed": False}}
    assert computed_values("subscription-cancelled", None, later, None, None, now)["expiresDate"] == "Feb 28, 2026"
    assert "expiresDate" not in computed_values("subscription-cancelled", None, {**later, "trial": {"claimed": True}}, None, None, now)
    assert format_date({"timestampUNIX": 0}) == "" and format_date("2026-01-05T00:00:00.000Z") == "Jan 5, 2026"


def test_the_confirmation_shows_the_discount_of_the_intent(bm, manager, firestore, accounts, sendgrid_fake):
    account, order_id = accounts["basic"], new_order_id()
    firestore.set(f"payments-intents/{order_id}", {"id": order_id, "owner": account.uid, "status": "pending",
                                                   "discount": {"code": "WELCOME10", "percent": 10, "duration": "once"}})
    deliver(bm, manager, make_event("customer.subscription.created", make_subscription(uid=account.uid, order_id=order_id)))
    text = sendgrid_fake.sent_to(account.email)[0].body["content"][0]["value"]
    assert "WELCOME10 – 10% off" in text and "−$0.50" in text and "Total paid today$4.49" in text


REFUND_PAYLOADS = {  # each processor's refund event as it arrives (BEM's getRefundDetails reads the same fields)
    "stripe": ({"type": "charge.refunded", "data": {"object": {"object": "charge", "amount_refunded": 1299, "currency": "eur",
                                                                "refunds": {"data": [{"reason": "requested_by_customer"}]}}}},
               {"amount": "12.99", "currency": "EUR", "reason": "requested_by_customer"}),
    "paypal": ({"event_type": "PAYMENT.SALE.REFUNDED", "resource": {"amount": {"total": "4.99", "currency": "USD"},
                                                                    "reason_code": "REFUND"}},
               {"amount": "4.99", "currency": "USD", "reason": "REFUND"}),
    "chargebee": ({"event_type": "payment_refunded", "content": {"credit_note": {"total": 499, "currency_code": "gbp",
                                                                                  "reason_code": "product_unsatisfactory"}}},
                  {"amount": "4.99", "currency": "GBP", "reason": "product_unsatisfactory"}),
}


@pytest.mark.parametrize("processor", sorted(REFUND_PAYLOADS))
def test_the_refund_email_reads_the_amount_from_each_processors_event(manager, firestore, processor):
    from functions.payments.emails import refund_details

    raw, expected = REFUND_PAYLOADS[processor]
    firestore.set(f"payments-webhooks/evt-{processor}", {"processor": processor, "raw": raw})
    assert refund_details(manager, f"evt-{processor}") == expected
    computed = computed_values("payment-refunded", None, {"product": {"id": "premium"}}, None, expected, dt.datetime.now(dt.UTC))
    assert (computed["refundAmount"], computed["refundCurrency"]) == (expected["amount"], expected["currency"])


def test_a_refund_event_without_an_amount_or_of_an_unknown_processor_has_no_details(manager, firestore):
    from functions.payments.emails import refund_details

    firestore.set("payments-webhooks/evt-empty", {"processor": "paypal", "raw": {"resource": {}}})
    firestore.set("payments-webhooks/evt-gone", {"processor": "retired", "raw": {"resource": {"amount": {"total": "1.00"}}}})
    firestore.set("payments-webhooks/evt-odd", {"processor": "stripe", "raw": "not a payload"})
    assert [refund_details(manager, f"evt-{name}") for name in ("empty", "gone", "odd", "missing")] == [None] * 4
