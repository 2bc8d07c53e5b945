"""Webhook intake: signatures (stripe-python's own), keys, duplicates, unsupported events."""

import json
import time

import pytest

from functions.testing.payment_builders import make_event, make_subscription
from functions.testing.unit import WEBHOOK_KEY


def stripe_event(uid="_test-basic") -> dict:
    return make_event("customer.subscription.created", make_subscription(uid=uid, order_id="1234-5678-9012"))


def post_stripe(bm, body: bytes, headers: dict):
    return bm.post("payments/webhook", data=body, headers=headers, query={"processor": "stripe"})


def webhooks(firestore) -> dict:
    return firestore.list("payments-webhooks")


def test_a_validly_signed_stripe_event_is_recorded_pending(bm, firestore, stripe_fake, signed_stripe_event):
    event = stripe_event()
    body, headers = signed_stripe_event(event)
    response = post_stripe(bm, body, headers)
    assert response.status == 200 and response.json["status"] == "pending"
    record = firestore.get(f"payments-webhooks/{event['id']}")
    assert record["status"] == "pending" and record["processor"] == "stripe" and record["owner"] == "_test-basic"
    assert record["raw"] == event
    assert record["event"] == {
        "type": "customer.subscription.created",
        "category": "subscription",
        "resourceType": "subscription",
        "resourceId": event["data"]["object"]["id"],
        "created": event["created"],
    }


@pytest.mark.parametrize("tamper", ["one-byte", "wrong-secret", "too-old", "missing-header", "garbage-header"])
def test_a_bad_signature_answers_400_and_writes_nothing(bm, firestore, stripe_fake, signed_stripe_event, tamper):
    event = stripe_event()
    body, headers = signed_stripe_event(
        event,
        secret="whsec_other" if tamper == "wrong-secret" else "whsec_test",
        timestamp=int(time.time()) - 301 if tamper == "too-old" else None,
    )
    if tamper == "one-byte":
        body = body.replace(b'"active"', b'"activf"', 1)
    if tamper == "missing-header":
        headers.pop("Stripe-Signature")
    if tamper == "garbage-header":
        headers["Stripe-Signature"] = "nonsense"
    response = post_stripe(bm, body, headers)
    assert response.status == 400
    assert "whsec" not in response.text
    assert webhooks(firestore) == {}


def test_a_signature_within_tolerance_is_accepted(bm, stripe_fake, signed_stripe_event):
    body, headers = signed_stripe_event(stripe_event(), timestamp=int(time.time()) - 200)
    assert post_stripe(bm, body, headers).status == 200


def test_a_second_delivery_is_a_duplicate_and_changes_nothing(bm, firestore, stripe_fake, signed_stripe_event):
    event = stripe_event()
    body, headers = signed_stripe_event(event)
    assert post_stripe(bm, body, headers).status == 200
    firestore.set(f"payments-webhooks/{event['id']}", {"status": "completed"}, merge=True)
    before = firestore.get(f"payments-webhooks/{event['id']}")
    again = post_stripe(bm, *signed_stripe_event(event))
    assert again.status == 200 and again.json["duplicate"] is True
    assert firestore.get(f"payments-webhooks/{event['id']}") == before


def test_a_redelivered_failed_event_goes_back_to_pending(bm, firestore, stripe_fake, signed_stripe_event):
    event = stripe_event()
    post_stripe(bm, *signed_stripe_event(event))
    firestore.set(f"payments-webhooks/{event['id']}", {"status": "failed", "error": "boom"}, merge=True)
    response = post_stripe(bm, *signed_stripe_event(event))
    assert response.json["retried"] is True
    assert firestore.get(f"payments-webhooks/{event['id']}")["status"] == "pending"


def test_unsupported_events_are_acknowledged_and_ignored(bm, firestore, stripe_fake, signed_stripe_event):
    for event in (
        make_event("customer.created", {"id": "cus_1", "object": "customer"}),
        make_event("checkout.session.completed", {"id": "cs_1", "object": "checkout.session", "mode": "subscription"}),
    ):
        response = post_stripe(bm, *signed_stripe_event(event))
        assert response.status == 200 and response.json["ignored"] is True
    assert webhooks(firestore) == {}


def test_stripe_without_a_secret_is_refused_in_production(bm, firestore, manager, monkeypatch, caplog):
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    manager.environment = "production"
    body = json.dumps(stripe_event()).encode()
    response = bm.post(
        "payments/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        query={"processor": "stripe", "key": WEBHOOK_KEY},
    )
    assert response.status == 503
    assert "STRIPE_WEBHOOK_SECRET is not set" in caplog.text
    assert webhooks(firestore) == {}


def test_legacy_key_callers_outside_production_without_a_secret(bm, firestore, monkeypatch):
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    event = stripe_event()
    ok = bm.post("payments/webhook", json=event, query={"processor": "stripe", "key": WEBHOOK_KEY})
    bad = bm.post("payments/webhook", json=stripe_event(), query={"processor": "stripe", "key": "nope"})
    assert (ok.status, bad.status) == (200, 401)
    assert list(webhooks(firestore)) == [event["id"]]


def test_the_test_processor_needs_the_webhook_key(bm, firestore):
    event = stripe_event()
    for key in (None, "", "wrong", WEBHOOK_KEY + "x"):
        query = {"processor": "test", **({"key": key} if key is not None else {})}
        response = bm.post("payments/webhook", json=event, query=query)
        assert response.status == 401 and WEBHOOK_KEY not in response.text
    assert webhooks(firestore) == {}
    assert bm.post("payments/webhook", json=event, query={"processor": "test", "key": WEBHOOK_KEY}).status == 200


def test_the_test_processor_is_refused_in_production(bm, firestore, manager):
    manager.environment = "production"
    response = bm.post("payments/webhook", json=stripe_event(), query={"processor": "test", "key": WEBHOOK_KEY})
    assert response.status == 403 and webhooks(firestore) == {}


def test_unknown_processor_and_non_event_bodies_are_400(bm, firestore):
    assert bm.post("payments/webhook", json=stripe_event(), query={"processor": "bitcoin"}).status == 400
    assert bm.post("payments/webhook", json={"hello": 1}, query={"processor": "test", "key": WEBHOOK_KEY}).status == 400
    assert webhooks(firestore) == {}


def test_a_record_that_cannot_be_written_answers_5xx_so_stripe_retries(
    bm, manager, stripe_fake, signed_stripe_event, monkeypatch
):
    db = manager.db

    def broken_write(path, mutate):
        raise RuntimeError("firestore down")

    monkeypatch.setattr(db, "_write", broken_write)  # the store (not the framework) fails
    response = post_stripe(bm, *signed_stripe_event(stripe_event()))
    assert response.status == 503


# BEM parity: ?brand= and the secrets each path needs ---------------------------------------------
def test_an_event_for_another_brand_is_acknowledged_and_ignored(bm, firestore, manager, stripe_fake, signed_stripe_event):
    body, headers = signed_stripe_event(stripe_event())
    other = bm.post("payments/webhook", data=body, headers=headers, query={"processor": "stripe", "brand": "someone-else"})
    assert other.status == 200 and other.json == {"received": True, "ignored": True}
    assert webhooks(firestore) == {}
    ours = bm.post("payments/webhook", data=body, headers=headers, query={"processor": "stripe", "brand": manager.config.brand.id})
    assert ours.status == 200 and ours.json["status"] == "pending"


def test_a_signed_stripe_event_without_the_signing_secret_names_stripe_webhook_secret(
    bm, firestore, stripe_fake, signed_stripe_event, monkeypatch
):
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    monkeypatch.delenv("BACKEND_MANAGER_WEBHOOK_KEY", raising=False)
    response = post_stripe(bm, *signed_stripe_event(stripe_event()))
    assert response.status == 503
    assert "STRIPE_WEBHOOK_SECRET" in response.error and "BACKEND_MANAGER_WEBHOOK_KEY" not in response.error
    assert webhooks(firestore) == {}


def test_a_keyed_event_without_the_webhook_key_names_backend_manager_webhook_key(bm, firestore, monkeypatch):
    monkeypatch.delenv("BACKEND_MANAGER_WEBHOOK_KEY", raising=False)
    response = bm.post("payments/webhook", json=stripe_event(), query={"processor": "test", "key": "anything"})
    assert response.status == 503 and "BACKEND_MANAGER_WEBHOOK_KEY" in response.error
    assert webhooks(firestore) == {}


# hostile but signed input: 400, never 500, nothing written --------------------------------------
def test_a_non_ascii_signature_header_is_400(bm, firestore, stripe_fake, signed_stripe_event):
    body, headers = signed_stripe_event(stripe_event())
    headers["Stripe-Signature"] = headers["Stripe-Signature"] + "\u00e9"
    response = post_stripe(bm, body, headers)
    assert response.status == 400, response.text
    assert webhooks(firestore) == {}


@pytest.mark.parametrize("damage", ["no-id", "data-list", "created-string", "object-list", "object-without-id",
                                    "metadata-list", "parent-list", "id-number"])
def test_a_validly_signed_malformed_event_is_400(bm, firestore, stripe_fake, signed_stripe_event, damage):
    event = stripe_event()
    obj = event["data"]["object"]
    if damage == "no-id":
        del event["id"]
    elif damage == "data-list":
        event["data"] = [obj]
    elif damage == "created-string":
        event["created"] = "yesterday"
    elif damage == "object-list":
        event["data"]["object"] = [obj]
    elif damage == "object-without-id":
        del obj["id"]
    elif damage == "metadata-list":
        obj["metadata"] = ["uid"]
        event["type"] = "invoice.payment_failed"
        obj["parent"] = "nope"
    elif damage == "parent-list":
        event["type"] = "invoice.payment_failed"
        obj["parent"] = [1, 2]
        obj.pop("subscription", None)
    elif damage == "id-number":
        event["id"] = 12345
    response = post_stripe(bm, *signed_stripe_event(event))
    assert response.status == 400, response.text
    assert webhooks(firestore) == {}


def test_a_signed_event_over_100_kb_is_recorded(bm, firestore, stripe_fake, signed_stripe_event):
    event = stripe_event()
    event["data"]["object"]["description"] = "x" * 300_000  # large events exist (many line items, long metadata)
    body, headers = signed_stripe_event(event)
    assert len(body) > 100 * 1024
    response = post_stripe(bm, body, headers)
    assert response.status == 200, response.text
    assert firestore.get(f"payments-webhooks/{event['id']}")["status"] == "pending"


def test_a_webhook_body_over_the_webhook_limit_is_413(bm, firestore, stripe_fake, signed_stripe_event):
    from functions.payments.intake import WEBHOOK_BODY_LIMIT

    event = stripe_event()
    event["data"]["object"]["description"] = "x" * (WEBHOOK_BODY_LIMIT + 1)
    response = post_stripe(bm, *signed_stripe_event(event))
    assert response.status == 413
    assert webhooks(firestore) == {}


def test_other_routes_keep_the_100_kb_limit(bm):
    response = bm.as_("basic").post("payments/cancel", {"confirmed": True, "feedback": "x" * 200_000})
    assert response.status == 413


def test_bems_minimal_subscription_event_is_processed_and_its_redelivery_is_a_duplicate(bm, firestore, manager):
    # BEM's routes/payments/webhook.js "deduplicates-webhook-events": a customer.subscription event whose
    # object carries no "object": "subscription"; it must not fail (a failed record is retried, not a duplicate)
    from functions.payments.pipeline import process_webhook_event

    event = {"id": "_test-evt-duplicate", "type": "customer.subscription.updated",
             "data": {"object": {"id": "sub_test_dup", "metadata": {"uid": "_test-basic"}, "status": "active"}}}
    query = {"processor": "test", "key": WEBHOOK_KEY}
    assert bm.post("payments/webhook", json=event, query=query).json["status"] == "pending"
    process_webhook_event(manager, event["id"])
    assert firestore.get("payments-webhooks/_test-evt-duplicate")["status"] != "failed"
    again = bm.post("payments/webhook", json=event, query=query)
    assert again.status == 200 and again.json["duplicate"] is True


def test_a_wrong_key_is_401_for_every_processor_before_its_signature(bm, firestore, stripe_fake, signed_stripe_event):
    # BEM's routes/payments/webhook.js "rejects-invalid-key": ?processor=stripe&key=wrong-key → 401, not a signature 400
    event = stripe_event()
    body, headers = signed_stripe_event(event)
    wrong = bm.post("payments/webhook", data=body, headers=headers, query={"processor": "stripe", "key": "wrong-key"})
    assert wrong.status == 401 and WEBHOOK_KEY not in wrong.text
    assert bm.post("payments/webhook", json={}, query={"processor": "stripe", "key": "wrong-key"}).status == 401
    assert webhooks(firestore) == {}
    # the right key, or none, goes on to the signature check
    assert bm.post("payments/webhook", data=body, headers=headers, query={"processor": "stripe", "key": WEBHOOK_KEY}).status == 200
    assert bm.post("payments/webhook", json=stripe_event(), query={"processor": "stripe", "key": WEBHOOK_KEY}).status == 400
