"""Emulator journey: test-processor intent → active (real trigger) → cancel → refund → cancelled.

Runs through HTTP against the Functions emulator; the intent/cancel/refund routes deliver their
Stripe-shaped events in-process to the webhook route, and ``bm_paymentsWebhookOnWrite`` (the real
Firestore trigger) runs the pipeline. Run with ``mgr test`` (the emulator tier).
"""

from __future__ import annotations

import time

import pytest

from functions.timestamps import Stamp
from functions.user.models import Subscription

pytestmark = pytest.mark.emulator

DAY = 86400


def _subscription(firestore, uid):
    return (firestore.get(f"users/{uid}") or {}).get("subscription") or {}


def test_refund_journey_through_the_real_trigger(bm, firestore, accounts, wait_for):
    uid = accounts["basic"].uid
    firestore.set(f"users/{uid}", {"subscription": Subscription().dump()}, merge=True)  # a clean free plan

    intent = bm.as_("basic").post("payments/intent", {"productId": "premium", "frequency": "monthly",
                                                      "processor": "test", "trial": False})
    assert intent.status == 200, intent.text
    order_id = intent.json["orderId"]
    wait_for(lambda: _subscription(firestore, uid).get("payment", {}).get("orderId") == order_id
             and _subscription(firestore, uid).get("status") == "active", timeout=30,
             message="the subscription never became active")
    assert wait_for(lambda: (firestore.get(f"payments-intents/{order_id}") or {}).get("status") == "completed", timeout=30)

    # cancellation needs a subscription older than 24 h: age it
    firestore.set(f"users/{uid}", {"subscription": {"payment": {"startDate": Stamp.at(time.time() - 2 * DAY).dump()}}},
                  merge=True)
    cancel = bm.as_("basic").post("payments/cancel", {"confirmed": True, "reason": "journey"})
    assert cancel.status == 200, cancel.text
    wait_for(lambda: _subscription(firestore, uid).get("cancellation", {}).get("pending") is True, timeout=30,
             message="the cancellation never reached the user document")

    refund = bm.as_("basic").post("payments/refund", {"confirmed": True, "reason": "journey"})
    assert refund.status == 200, refund.text
    assert refund.json["refund"]["full"] is True
    wait_for(lambda: _subscription(firestore, uid).get("status") == "cancelled", timeout=30,
             message="the subscription was never cancelled after the refund")

    order = firestore.get(f"payments-orders/{order_id}")
    assert order["requests"]["refund"]["reason"] == "journey"
    assert order["requests"]["cancellation"]["reason"] == "journey"
    webhooks = [w for w in firestore.list("payments-webhooks").values() if w.get("orderId") == order_id]
    assert "payment-refunded" in {w.get("transition") for w in webhooks}
    assert all(w["status"] == "completed" for w in webhooks)
