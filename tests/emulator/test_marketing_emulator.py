"""Marketing contacts on the Emulator Suite: the emulated functions talk to the SendGrid fake this
process runs on the fixed port ``mgr test`` gives them (``SENDGRID_API_HOST``)."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.emulator

PASSWORD = "emulator-password-1"
TRIGGER_TIMEOUT = 30
GRANTED = {"legal": {"granted": True, "text": "terms"}, "marketing": {"granted": True, "text": "news"}}


def test_signup_with_consent_adds_the_contact_and_deleting_the_account_removes_it(
        auth_emulator, bm, firestore, sendgrid_fake, wait_for):
    email = f"news-{uuid.uuid4().hex[:10]}@example.com"
    account = auth_emulator.sign_up(email, PASSWORD)
    wait_for(lambda: firestore.get(f"users/{account['uid']}"), timeout=TRIGGER_TIMEOUT, message="no user document")

    response = bm.as_(account["idToken"]).post("user/signup", {"consent": GRANTED})

    assert response.status == 200, response.text
    contact = sendgrid_fake.contact(email)
    assert contact is not None, sendgrid_fake.marketing_calls()
    assert contact["custom_fields"][sendgrid_fake.field_id("user_auth_uid")] == account["uid"]

    auth_emulator.delete_user(account["uid"])  # the Auth v2 on-delete trigger removes the contact
    wait_for(lambda: sendgrid_fake.contact(email) is None, timeout=TRIGGER_TIMEOUT, message="contact not removed")


def test_signup_without_marketing_consent_adds_nobody(auth_emulator, bm, firestore, sendgrid_fake, wait_for):
    email = f"quiet-{uuid.uuid4().hex[:10]}@example.com"
    account = auth_emulator.sign_up(email, PASSWORD)
    wait_for(lambda: firestore.get(f"users/{account['uid']}"), timeout=TRIGGER_TIMEOUT, message="no user document")

    response = bm.as_(account["idToken"]).post("user/signup", {"consent": {"legal": {"granted": True}}})

    assert response.status == 200, response.text
    assert sendgrid_fake.contact(email) is None and sendgrid_fake.marketing_calls("PUT") == []
