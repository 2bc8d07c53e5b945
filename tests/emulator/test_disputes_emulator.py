"""Emulator journey: a Chargeblast alert → ``payments-disputes`` → ``bm_paymentsDisputeOnWrite`` (the real
trigger) → the Stripe charge refunded, its subscription cancelled, the dispute ``resolved``; and a no-match.

The emulated functions reach the fake Stripe API on the port ``mgr test`` gives them. Run with
``mgr test --tier emulator tests/emulator/test_disputes_emulator.py``.
"""

from __future__ import annotations

import secrets

import pytest

from functions.testing.dispute_builders import chargeblast_alert, seed_paid_charge
from functions.testing.test_env import STRIPE_FAKE_PORT, WEBHOOK_KEY

pytestmark = pytest.mark.emulator
FINAL = ("resolved", "no-match", "failed")


@pytest.fixture
def fake(stripe_fake):
    if stripe_fake.port != STRIPE_FAKE_PORT:
        pytest.skip(f"the functions reach the fake Stripe API on port {STRIPE_FAKE_PORT} (run through `mgr test`)")
    return stripe_fake


def settled(firestore, alert_id, wait_for) -> dict:
    def final() -> dict | None:
        record = firestore.get(f"payments-disputes/{alert_id}") or {}
        return record if record.get("status") in FINAL else None

    return wait_for(final, timeout=45, message=f"dispute {alert_id} never settled")


def test_an_alert_is_refunded_cancelled_and_resolved_through_the_trigger(bm, firestore, fake, accounts, wait_for):
    uid = accounts["basic"].uid
    paid = seed_paid_charge(fake, uid=uid)
    alert_id = f"cb_e2e_{secrets.token_hex(4)}"

    response = bm.post("payments/dispute-alert", chargeblast_alert(paid, alert_id=alert_id), query={"key": WEBHOOK_KEY})

    assert response.status == 200 and response.json["received"] is True, response.text
    record = settled(firestore, alert_id, wait_for)
    assert record["status"] == "resolved", record.get("error")
    assert record["actions"]["refund"] == "success" and record["actions"]["cancel"] == "success"
    (refund,) = fake.all("refunds")
    assert (refund["charge"], refund["amount"]) == (paid.charge, 2999)
    assert record["match"]["refundId"] == refund["id"] and record["match"]["uid"] == uid
    assert fake.get("subscriptions", paid.subscription)["status"] == "canceled"
    assert record["attempts"] == 1


def test_an_alert_without_a_matching_charge_is_no_match(bm, firestore, fake, wait_for):
    alert_id = f"cb_none_{secrets.token_hex(4)}"

    response = bm.post("payments/dispute-alert", chargeblast_alert(alert_id=alert_id), query={"key": WEBHOOK_KEY})

    assert response.status == 200, response.text
    record = settled(firestore, alert_id, wait_for)
    assert (record["status"], record["match"]) == ("no-match", None)
    assert record["actions"]["refund"] == "skipped" and record["actions"]["cancel"] == "skipped"
    assert fake.requests_to("POST", "/v1/refunds") == []
