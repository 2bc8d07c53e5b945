"""Automatic marketing sync: sign-up (consent granted), each subscription change, account deletion."""

from __future__ import annotations

from typing import Any

import pytest

from functions.auth import on_delete
from functions.auth.events import AuthUser
from functions.payments.pipeline import process_webhook_event
from functions.testing import unit
from functions.testing.payment_builders import make_event, make_subscription
from functions.testing.tokens import emulator_id_token

GRANTED = {"legal": {"granted": True, "text": "terms"}, "marketing": {"granted": True, "text": "news"}}


@pytest.fixture
def new_user(bm: Any, manager: Any) -> Any:
    def make(uid: str, email: str) -> Any:
        manager.services["auth_admin"].add(uid, email)
        return bm.as_(emulator_id_token(uid, email=email, project=unit.PROJECT))

    return make


def test_signup_with_marketing_consent_syncs_the_contact_once_per_signup(marketing: Any, new_user: Any) -> None:
    client = new_user("u-news", "jo.news@example.com")

    assert client.post("user/signup", {"consent": GRANTED}).status == 200

    contact = marketing.sendgrid.contact("jo.news@example.com")
    assert contact["custom_fields"][marketing.sendgrid.field_id("user_auth_uid")] == "u-news"
    assert marketing.beehiiv.subscription(marketing.publication, "jo.news@example.com") is not None
    assert client.post("user/signup", {"consent": GRANTED}).status == 400  # a second sign-up syncs nothing more
    assert len(marketing.sendgrid.marketing_calls("PUT", "/v3/marketing/contacts")) == 1


@pytest.mark.parametrize(("uid", "email", "consent"), [
    ("u-quiet", "quiet.one@example.com", {"legal": {"granted": True}, "marketing": {"granted": False}}),
    ("u-throwaway", "someone@mailinator.com", GRANTED),
])
def test_signup_without_consent_or_with_a_bad_address_syncs_nothing(marketing: Any, new_user: Any, uid: str, email: str,
                                                                     consent: dict) -> None:
    assert new_user(uid, email).post("user/signup", {"consent": consent}).status == 200
    assert marketing.sendgrid.marketing_calls("PUT") == [] and marketing.beehiiv.calls("POST") == []


def test_a_provider_outage_never_breaks_signup(marketing: Any, new_user: Any, firestore: Any) -> None:
    marketing.sendgrid.fail_next(1, status=503, endpoint="marketing")
    marketing.beehiiv.timeout_next(1, seconds=1.0)

    response = new_user("u-outage", "out.age@example.com").post("user/signup", {"consent": GRANTED})

    assert response.status == 200
    assert firestore.get("users/u-outage")["flags"]["signupProcessed"] is True


def _paying_user(firestore: Any, uid: str, email: str) -> None:
    from functions.user.defaults import new_user_doc

    doc = new_user_doc(uid, email).dump()
    doc["consent"]["marketing"]["status"] = "granted"  # BEM's default document has it revoked
    firestore.set(f"users/{uid}", doc)


def test_each_subscription_change_syncs_the_new_plan_and_a_redelivery_is_harmless(bm: Any, manager: Any, marketing: Any,
                                                                                  firestore: Any) -> None:
    _paying_user(firestore, "u-pay", "payer@example.com")
    event = make_event("customer.subscription.created", make_subscription(uid="u-pay", order_id="1111-2222-3333", status="active"))

    assert bm.post("payments/webhook", json=event, query={"processor": "test", "key": unit.WEBHOOK_KEY}).status == 200
    process_webhook_event(manager, event["id"])
    assert process_webhook_event(manager, event["id"]) is None  # a second trigger delivery: nothing, no second sync

    fields = marketing.sendgrid.contact("payer@example.com")["custom_fields"]
    assert fields[marketing.sendgrid.field_id("user_subscription_plan")] == "premium"
    assert fields[marketing.sendgrid.field_id("user_subscription_payment_processor")] == "test"
    assert len(marketing.sendgrid.marketing_calls("PUT", "/v3/marketing/contacts")) == 1


def test_a_provider_failure_does_not_fail_the_payment(bm: Any, manager: Any, marketing: Any, firestore: Any) -> None:
    _paying_user(firestore, "u-pay2", "payer.two@example.com")
    marketing.sendgrid.fail_next(1, status=500, endpoint="/v3/marketing/contacts")
    event = make_event("customer.subscription.created", make_subscription(uid="u-pay2", order_id="1111-2222-4444", status="active"))
    bm.post("payments/webhook", json=event, query={"processor": "test", "key": unit.WEBHOOK_KEY})

    outcome = process_webhook_event(manager, event["id"])

    assert outcome.status == "completed"
    assert firestore.get(f"payments-webhooks/{event['id']}")["status"] == "completed"
    assert firestore.get("users/u-pay2")["subscription"]["product"]["id"] == "premium"


def test_account_deletion_removes_the_contact_even_on_a_duplicate_delivery(manager: Any, marketing: Any, firestore: Any) -> None:
    marketing.sendgrid.seed_contact("gone@example.com")
    marketing.beehiiv.seed_subscription(marketing.publication, "gone@example.com")
    user = AuthUser(uid="u-gone", email="gone@example.com", providers=("password",))

    assert on_delete.handle(manager, user, event_id="del-9") == "deleted"
    assert on_delete.handle(manager, user, event_id="del-9") == "duplicate"

    assert marketing.sendgrid.contact("gone@example.com") is None
    assert marketing.beehiiv.subscription(marketing.publication, "gone@example.com") is None
