"""A fourth processor is one folder + one registry line + config (docs/payments.md "Adding a processor").

``tests/unit/acme_processor/`` is the folder; ``register("acme", ...)`` the line; the config gains
``acme.productId`` on a product and the environment ``ACME_SECRET_KEY``. Intent, webhook, pipeline
and cancel then serve it through HTTP without any other change.
"""

from __future__ import annotations

import json
import time

import pytest

from functions.payments.pipeline import process_webhook_event
from functions.payments.processors import get_processor, processor_names, register, unregister
from functions.testing import unit
from functions.testing.client import ApiClient, InProcessTransport
from functions.wsgi import api_app
from tests.unit.acme_processor import sign

DAY = 86400


@pytest.fixture
def acme(manager, accounts, tmp_path, monkeypatch):
    register("acme", "tests.unit.acme_processor:PROCESSOR")  # the one registry line
    config = json.loads((manager.options.root / "backend-manager-config.json").read_text())
    for product in config["payment"]["products"]:
        if product["id"] == "premium":
            product["acme"] = {"productId": "acme-premium"}
    path = tmp_path / "backend-manager-config.json"
    path.write_text(json.dumps(config))
    monkeypatch.setenv("ACME_SECRET_KEY", "acme-test-secret")
    processor = get_processor("acme")
    processor.calls.clear()
    made = unit.make_manager(manager.options.root, config_path=path)
    yield made, ApiClient(InProcessTransport(api_app(made)), accounts=accounts), processor
    unregister("acme")


def _deliver(client, made, event):
    body = json.dumps(event).encode()
    response = client.post("payments/webhook", data=body, query={"processor": "acme"},
                           headers={"Acme-Signature": sign(body), "Content-Type": "application/json"})
    assert response.status == 200, response.text
    return process_webhook_event(made, event["id"])  # the in-memory store has no trigger


def test_a_registered_fourth_processor_is_served_by_intent_webhook_and_cancel(acme, firestore, accounts):
    made, client, processor = acme
    uid = accounts["basic"].uid
    assert "acme" in processor_names()

    intent = client.as_("basic").post("payments/intent", {"processor": "acme", "productId": "premium", "frequency": "monthly"})
    assert intent.status == 200, intent.text
    order_id = intent.json["orderId"]
    assert intent.json["url"] == f"https://pay.acme.test/{order_id}"
    assert firestore.get(f"payments-intents/{order_id}")["processor"] == "acme"

    now = int(time.time())
    subscription = {"id": "acme_sub_1", "status": "live", "uid": uid, "orderId": order_id, "productId": "premium",
                    "start": now - 2 * DAY, "periodEnd": now + 28 * DAY}
    outcome = _deliver(client, made, {"id": "acme_evt_1", "type": "acme.subscription", "created": now - 10, "data": subscription})
    assert outcome.transition == "new-subscription"
    stored = firestore.get(f"users/{uid}")["subscription"]
    assert (stored["product"]["id"], stored["status"], stored["payment"]["processor"]) == ("premium", "active", "acme")
    assert firestore.get(f"payments-intents/{order_id}")["status"] == "completed"

    cancel = client.as_("basic").post("payments/cancel", {"confirmed": True, "reason": "moving on"})
    assert cancel.status == 200, cancel.text
    assert processor.calls == [("checkout", order_id), ("cancel", "acme_sub_1")]
    assert firestore.get(f"payments-orders/{order_id}")["requests"]["cancellation"]["reason"] == "moving on"
    pending = {**subscription, "cancelAtPeriodEnd": True}
    outcome = _deliver(client, made, {"id": "acme_evt_2", "type": "acme.subscription", "created": now, "data": pending})
    assert outcome.transition == "cancellation-requested"


def test_its_own_refund_events_reach_transition_detection(acme, firestore, accounts):
    made, client, _ = acme
    uid, now = accounts["basic"].uid, int(time.time())
    subscription = {"id": "acme_sub_2", "status": "live", "uid": uid, "orderId": "1234-1234-1234", "productId": "premium",
                    "start": now - 2 * DAY, "periodEnd": now + 28 * DAY}
    _deliver(client, made, {"id": "acme_evt_3", "type": "acme.subscription", "created": now - 10, "data": subscription})
    failed = _deliver(client, made, {"id": "acme_evt_4", "type": "acme.payment_failed", "created": now - 5, "data": subscription})
    assert failed.transition == "payment-failed"  # still "live" at Acme: forced suspended by payment_failed_events
    refunded = _deliver(client, made, {"id": "acme_evt_5", "type": "acme.refunded", "created": now, "data": subscription})
    assert refunded.transition == "payment-refunded"


def test_unconfigured_it_is_a_400_naming_it_and_a_bad_signature_writes_nothing(acme, firestore, monkeypatch):
    _, client, processor = acme
    body = json.dumps({"id": "acme_evt_9", "type": "acme.subscription", "created": 1, "data": {"id": "x"}}).encode()
    forged = client.post("payments/webhook", data=body, query={"processor": "acme"}, headers={"Acme-Signature": "0" * 64})
    assert forged.status == 400 and firestore.list("payments-webhooks") == {}
    monkeypatch.delenv("ACME_SECRET_KEY")
    intent = client.as_("basic").post("payments/intent", {"processor": "acme", "productId": "premium", "frequency": "monthly"})
    assert intent.status == 400 and "'acme'" in intent.error and "ACME_SECRET_KEY" in intent.error
    assert processor.calls == [] and firestore.list("payments-intents") == {}


def test_register_refuses_a_malformed_target():
    with pytest.raises(ValueError):
        register("acme", "tests.unit.acme_processor")
    with pytest.raises(ValueError):
        register("Acme Pay", "tests.unit.acme_processor:PROCESSOR")
