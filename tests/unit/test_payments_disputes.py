"""Disputes: POST payments/dispute-alert (key, normalisation, duplicates, retry, races) and the
resolution bm_paymentsDisputeOnWrite runs (match, refund once, cancel, e-mail once, outcomes)."""

from __future__ import annotations

import datetime as dt

import pytest

from functions.payments.disputes.chargeblast import normalize
from functions.payments.disputes.matching import find_stripe_match, search_window
from functions.payments.disputes.resolution import refund_key, resolve_dispute
from functions.testing.concurrency import all_at_once
from functions.testing.dispute_builders import chargeblast_alert, seed_paid_charge
from functions.testing.unit import WEBHOOK_KEY

DAY = 86400


def post_alert(bm, body, **query):
    return bm.post("payments/dispute-alert", json=body, query={"key": WEBHOOK_KEY, **query})


def dispute(firestore, alert_id):
    return firestore.get(f"payments-disputes/{alert_id}")


def brand_emails(firestore):
    return [e for e in firestore.list("emails-mailbox").values() if "order/dispute-alert" in e.get("categories", [])]


@pytest.fixture
def extended(monkeypatch):
    monkeypatch.setenv("TEST_EXTENDED_MODE", "true")  # e-mails are sent (to the local mailbox) when testing


@pytest.fixture
def uid(accounts):
    return accounts["basic"].uid


# normalisation ------------------------------------------------------------------------------------
def test_a_full_chargeblast_alert_normalises_to_bems_shape():
    alert = normalize({
        "id": "cb_1", "card": "4242424242424242", "cardBrand": "Visa", "amount": "29.99",
        "transactionDate": "2026-03-07 14:30:00", "processor": "Stripe", "alertType": "FRAUD",
        "customerEmail": "a@example.com", "externalOrder": "ch_1", "metadata": "pi_1",
        "externalUrl": "https://dashboard.stripe.com/charges/ch_1", "reasonCode": "WIP", "subprovider": "Ethoca",
        "isRefunded": False,
    })
    assert alert == {
        "id": "cb_1", "card": {"last4": "4242", "brand": "visa"}, "amount": 29.99, "transactionDate": "2026-03-07",
        "processor": "stripe", "alertType": "FRAUD", "customerEmail": "a@example.com", "chargeId": "ch_1",
        "paymentIntentId": "pi_1", "stripeUrl": "https://dashboard.stripe.com/charges/ch_1", "reasonCode": "WIP",
        "subprovider": "Ethoca", "isRefunded": False,
    }


def test_alert_id_masked_card_and_missing_optionals():
    alert = normalize({"alertId": 7001, "card": "546616******5805", "amount": 8, "transactionDate": "2026-03-19T00:00:00Z"})
    assert (alert["id"], alert["card"], alert["amount"], alert["transactionDate"]) == (
        "7001", {"last4": "5805", "brand": None}, 8.0, "2026-03-19")
    assert alert["processor"] == "stripe" and alert["isRefunded"] is False
    assert all(alert[k] is None for k in ("alertType", "customerEmail", "chargeId", "paymentIntentId", "stripeUrl"))


@pytest.mark.parametrize(("body", "field"), [
    ({"card": "4242", "amount": 1, "transactionDate": "2026-01-15"}, "id"),
    ({"id": "a/b", "card": "4242", "amount": 1, "transactionDate": "2026-01-15"}, "id"),
    ({"id": "x", "amount": 1, "transactionDate": "2026-01-15"}, "card"),
    ({"id": "x", "card": "42x2", "amount": 1, "transactionDate": "2026-01-15"}, "card"),
    ({"id": "x", "card": "4242", "transactionDate": "2026-01-15"}, "amount"),
    ({"id": "x", "card": "4242", "amount": "ten", "transactionDate": "2026-01-15"}, "amount"),
    ({"id": "x", "card": "4242", "amount": -5, "transactionDate": "2026-01-15"}, "amount"),
    ({"id": "x", "card": "4242", "amount": 1}, "transactionDate"),
    ({"id": "x", "card": "4242", "amount": 1, "transactionDate": "2026-02-30"}, "transactionDate"),
    ({"id": "x", "card": {"last4": "4242"}, "amount": 1, "transactionDate": "2026-01-15"}, "card"),
])
def test_bad_alerts_answer_400_naming_the_field_and_write_nothing(bm, firestore, body, field):
    response = post_alert(bm, body)
    assert response.status == 400, response.text
    assert response.json["error"]["field"] == field
    assert firestore.list("payments-disputes") == {}


def test_an_unknown_provider_is_a_400_naming_it(bm, firestore):
    response = post_alert(bm, chargeblast_alert(), provider="disputifier")
    assert response.status == 400 and response.json["error"]["field"] == "provider"
    assert firestore.list("payments-disputes") == {}


@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_a_missing_or_wrong_key_is_401_before_the_body_is_judged(bm, firestore, key):
    response = bm.post("payments/dispute-alert", json={}, query={"key": key} if key else {})
    assert response.status == 401
    assert firestore.list("payments-disputes") == {}


# intake -------------------------------------------------------------------------------------------
def test_an_alert_is_recorded_pending_in_bems_shape_without_the_key(bm, firestore):
    body = chargeblast_alert(alert_id="cb_shape")
    response = post_alert(bm, body)
    assert response.status == 200 and response.json["received"] is True
    record = dispute(firestore, "cb_shape")
    assert (record["id"], record["provider"], record["status"], record["match"], record["errors"], record["error"]) == (
        "cb_shape", "chargeblast", "pending", None, [], None)
    assert record["actions"] == {"refund": "pending", "cancel": "pending", "email": "pending"}
    assert record["alert"]["card"]["last4"] == "4242" and record["raw"] == body
    assert WEBHOOK_KEY not in str(record)


def test_a_duplicate_is_ignored_and_a_failed_alert_is_retried(bm, firestore):
    firestore.set("payments-disputes/cb_dup", {"id": "cb_dup", "status": "processing"})
    response = post_alert(bm, chargeblast_alert(alert_id="cb_dup"))
    assert response.status == 200 and response.json["duplicate"] is True
    assert dispute(firestore, "cb_dup") == {"id": "cb_dup", "status": "processing"}

    firestore.set("payments-disputes/cb_dup", {"id": "cb_dup", "status": "failed", "error": "Earlier", "attempts": 2})
    response = post_alert(bm, chargeblast_alert(alert_id="cb_dup"))
    assert response.status == 200 and response.json.get("retried") is True and "duplicate" not in response.json
    record = dispute(firestore, "cb_dup")
    assert (record["status"], record["error"], record["attempts"]) == ("pending", None, 2)
    assert record["alert"]["id"] == "cb_dup"


def test_identical_alerts_at_once_make_one_document(bm, manager, firestore):
    body = chargeblast_alert(alert_id="cb_race")
    answers = all_at_once(4, lambda: post_alert(bm, body).json)
    assert sorted(bool(a.get("duplicate")) for a in answers) == [False, True, True, True]
    assert list(firestore.list("payments-disputes")) == ["cb_race"]


def test_redeliveries_of_a_failed_alert_at_once_requeue_it_once(bm, firestore):
    firestore.set("payments-disputes/cb_retry_race", {"id": "cb_retry_race", "status": "failed"})
    body = chargeblast_alert(alert_id="cb_retry_race")
    answers = all_at_once(3, lambda: post_alert(bm, body).json)
    assert sorted(bool(a.get("retried")) for a in answers) == [False, False, True]


# matching -----------------------------------------------------------------------------------------
def test_match_by_charge_id_names_customer_invoice_and_subscription(manager, stripe_fake, uid):
    paid = seed_paid_charge(stripe_fake, uid=uid, email="buyer@example.com")
    alert = normalize(chargeblast_alert(paid, amount=1.00, last4="0000", with_charge_id=True))  # amount/card not needed
    match = find_stripe_match(manager, alert)
    assert match is not None and match.method == "charge-id"
    assert (match.charge_id, match.customer_id, match.uid, match.email, match.invoice_id, match.subscription_id) == (
        paid.charge, paid.customer, uid, "buyer@example.com", paid.invoice, paid.subscription)
    assert stripe_fake.requests_to("GET", "/v1/charges/search") == []


def test_match_by_amount_within_two_days_and_card_last4(manager, stripe_fake, uid):
    day = int(dt.datetime(2026, 3, 7, tzinfo=dt.UTC).timestamp())
    seed_paid_charge(stripe_fake, uid="someone-else", last4="1111", created=day + 3600)  # other card
    seed_paid_charge(stripe_fake, uid="someone-else", created=day - 3 * DAY)  # too early
    seed_paid_charge(stripe_fake, uid="someone-else", created=day + 3600, status="failed")  # never paid
    seed_paid_charge(stripe_fake, uid="someone-else", amount=3000, created=day + 3600)  # other amount
    paid = seed_paid_charge(stripe_fake, uid=uid, created=day + DAY + 3600)
    alert = normalize(chargeblast_alert(alert_id="cb_m", amount=29.99, transactionDate="2026-03-07 14:30:00",
                                        externalOrder="ch_unknown"))
    match = find_stripe_match(manager, alert)
    assert match is not None and (match.method, match.charge_id, match.uid) == ("amount-date-card", paid.charge, uid)
    start, end = search_window("2026-03-07")
    (search,) = stripe_fake.requests_to("GET", "/v1/charges/search")
    assert search.params["query"] == f"amount:2999 AND created>{start} AND created<{end}"
    assert end - start == 4 * DAY


def test_no_charge_is_no_match(manager, stripe_fake, uid):
    seed_paid_charge(stripe_fake, uid=uid, last4="1111")
    assert find_stripe_match(manager, normalize(chargeblast_alert(last4="4242"))) is None


# resolution ---------------------------------------------------------------------------------------
def test_a_matched_alert_is_refunded_cancelled_emailed_and_resolved(bm, manager, firestore, stripe_fake, uid, extended):
    paid = seed_paid_charge(stripe_fake, uid=uid)
    post_alert(bm, chargeblast_alert(paid, alert_id="cb_ok", amount=29.99))

    resolution = resolve_dispute(manager, "cb_ok")

    assert resolution is not None and resolution.status == "resolved"
    record = dispute(firestore, "cb_ok")
    assert record["status"] == "resolved" and record["errors"] == [] and record["attempts"] == 1
    assert record["actions"] == {"refund": "success", "cancel": "success", "email": "success"}
    (refund,) = stripe_fake.all("refunds")
    assert (refund["charge"], refund["amount"], refund["metadata"]["disputeAlertId"]) == (paid.charge, 2999, "cb_ok")
    assert [r.idempotency_key for r in stripe_fake.requests_to("POST", "/v1/refunds")] == [refund_key("cb_ok")]
    assert record["match"] == {"chargeId": paid.charge, "invoiceId": paid.invoice, "subscriptionId": paid.subscription,
                               "customerId": paid.customer, "uid": uid, "email": "buyer@example.com",
                               "method": "amount-date-card", "refundId": refund["id"], "amountRefunded": 2999,
                               "currency": "usd"}
    assert record["metadata"]["completed"]["timestampUNIX"] > 0
    assert stripe_fake.get("subscriptions", paid.subscription)["status"] == "canceled"
    (email,) = brand_emails(firestore)
    assert email["to"][0]["email"] == manager.config.brand.contact.email
    assert email["subject"].startswith("Dispute Alert: Matched — $29.99 on ****4242 [cb_ok]")
    assert "Automatically processed" in email["text"] and paid.charge in email["text"] and refund["id"] in email["text"]


def test_the_trigger_delivered_twice_refunds_once_and_emails_once(manager, firestore, stripe_fake, uid, bm, extended):
    paid = seed_paid_charge(stripe_fake, uid=uid)
    post_alert(bm, chargeblast_alert(paid, alert_id="cb_twice"))
    delivered = manager.db.collection("payments-disputes").document("cb_twice").get()

    first = resolve_dispute(manager, "cb_twice", snapshot=delivered)
    second = resolve_dispute(manager, "cb_twice", snapshot=delivered)

    assert first is not None and first.status == "resolved" and second is None
    assert len(stripe_fake.requests_to("POST", "/v1/refunds")) == 1 and len(stripe_fake.all("refunds")) == 1
    assert len(brand_emails(firestore)) == 1
    assert dispute(firestore, "cb_twice")["attempts"] == 1


def test_no_match_skips_refund_and_cancel_and_asks_for_a_review(bm, manager, firestore, stripe_fake, extended):
    post_alert(bm, chargeblast_alert(alert_id="cb_none"))
    assert resolve_dispute(manager, "cb_none").status == "no-match"
    record = dispute(firestore, "cb_none")
    assert (record["status"], record["match"]) == ("no-match", None)
    assert record["actions"] == {"refund": "skipped", "cancel": "skipped", "email": "success"}
    assert stripe_fake.requests_to("POST", "/v1/refunds") == []
    (email,) = brand_emails(firestore)
    assert "Unmatched" in email["subject"] and "manual review" in email["text"]


def test_a_refund_timeout_fails_the_dispute_and_the_retry_reuses_the_key(bm, manager, firestore, stripe_fake, uid, extended):
    paid = seed_paid_charge(stripe_fake, uid=uid)
    body = chargeblast_alert(paid, alert_id="cb_timeout")
    post_alert(bm, body)
    stripe_fake.lose_next_answers(2, "POST", r"/v1/refunds")  # refunded at "Stripe"; both answers lost (SDK retries once)

    first = resolve_dispute(manager, "cb_timeout")

    record = dispute(firestore, "cb_timeout")
    assert first.status == "failed" and record["status"] == "failed" and "could not be reached" in record["error"]
    assert stripe_fake.get("subscriptions", paid.subscription)["status"] == "active"  # nothing after the refund
    assert brand_emails(firestore) == []

    assert post_alert(bm, body).json.get("retried") is True  # Chargeblast delivers again: a retry
    second = resolve_dispute(manager, "cb_timeout")

    assert second.status == "resolved"
    refunds = stripe_fake.requests_to("POST", "/v1/refunds")
    assert len(refunds) == 3 and {r.idempotency_key for r in refunds} == {refund_key("cb_timeout")}
    (refund,) = stripe_fake.all("refunds")  # one refund at the provider
    record = dispute(firestore, "cb_timeout")
    assert record["match"]["refundId"] == refund["id"] and record["actions"]["refund"] == "success"
    assert record["actions"]["cancel"] == "success" and len(brand_emails(firestore)) == 1


def test_refused_steps_are_recorded_and_the_dispute_still_resolves(bm, manager, firestore, stripe_fake, uid):
    from functions.testing.stripe_fake import stripe_error

    paid = seed_paid_charge(stripe_fake, uid=uid)
    stripe_fake.on("POST", r"/v1/refunds", lambda req, match: stripe_error(400, "Charge already refunded",
                                                                          code="charge_already_refunded"))
    stripe_fake.on("DELETE", r"/v1/subscriptions/.*", lambda req, match: stripe_error(402, "Card declined", type="card_error"))
    post_alert(bm, chargeblast_alert(paid, alert_id="cb_refused"))

    assert resolve_dispute(manager, "cb_refused").status == "resolved"
    record = dispute(firestore, "cb_refused")
    assert record["actions"] == {"refund": "already-refunded", "cancel": "failed", "email": "skipped-testing"}
    assert record["errors"] == ["Cancel failed: The payment processor refused the request"]
    assert record["match"]["refundId"] is None


def test_a_cancelled_subscription_is_already_cancelled_and_a_one_time_charge_skips_cancel(bm, manager, firestore,
                                                                                         stripe_fake, uid):
    paid = seed_paid_charge(stripe_fake, uid=uid)
    stripe_fake.objects["subscriptions"][paid.subscription]["status"] = "canceled"
    one_time = seed_paid_charge(stripe_fake, uid=uid, subscription=False, amount=500)
    post_alert(bm, chargeblast_alert(paid, alert_id="cb_gone", with_charge_id=True))
    post_alert(bm, chargeblast_alert(one_time, alert_id="cb_once", amount=5, with_charge_id=True))

    resolve_dispute(manager, "cb_gone")
    resolve_dispute(manager, "cb_once")

    assert dispute(firestore, "cb_gone")["actions"]["cancel"] == "already-cancelled"
    once = dispute(firestore, "cb_once")
    assert (once["status"], once["actions"]["refund"], once["actions"]["cancel"]) == ("resolved", "success", "skipped")
    assert once["match"]["subscriptionId"] is None and once["match"]["amountRefunded"] == 500


@pytest.mark.parametrize(("stored", "error"), [
    ({"status": "pending"}, "The record has no alert"),
    ({"status": "pending", "alert": {"card": {"last4": "4242"}, "amount": "x", "transactionDate": "2026-01-01"}},
     "The alert's amount is not a number"),
    ({"status": "pending", "alert": {"card": {"last4": "4242"}, "amount": 1, "transactionDate": "2026-01-01",
                                     "processor": "paypal"}}, "Unsupported dispute processor: paypal"),
])
def test_a_stored_record_of_any_shape_fails_clearly(manager, firestore, stripe_fake, stored, error):
    firestore.set("payments-disputes/cb_odd", stored)
    assert resolve_dispute(manager, "cb_odd").status == "failed"
    record = dispute(firestore, "cb_odd")
    assert (record["status"], record["error"]) == ("failed", error)
    assert stripe_fake.requests == []


def test_a_claim_whose_instance_died_is_requeued_by_cron_and_resolves(bm, manager, firestore, stripe_fake, uid):
    from functions.cron import run_jobs

    paid = seed_paid_charge(stripe_fake, uid=uid)
    post_alert(bm, chargeblast_alert(paid, alert_id="cb_stuck"))
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    firestore.set("payments-disputes/cb_stuck", {"status": "processing", "attempts": 1, "metadata": {
        "processing": {"timestampUNIX": int(long_ago.timestamp())}}}, merge=True)

    (result,) = [r for r in run_jobs(manager, "frequent") if r.name == "recover-payments"]

    assert result.status == "ok" and dispute(firestore, "cb_stuck")["status"] == "pending"
    assert resolve_dispute(manager, "cb_stuck").status == "resolved"
    assert dispute(firestore, "cb_stuck")["attempts"] == 2
