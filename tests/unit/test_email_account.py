"""The sign-up series and the account-deletion confirmation."""

import pytest

from functions.email.account import send_welcome_emails
from functions.testing import unit
from functions.testing.tokens import emulator_id_token


@pytest.fixture
def new_user(bm, manager):
    def make(uid, email):
        manager.services["auth_admin"].add(uid, email)
        return bm.as_(emulator_id_token(uid, email=email, project=unit.PROJECT))

    return make


def test_signup_sends_the_welcome_now_and_schedules_nudge_checkup_and_feedback_once(manager, firestore, sendgrid_fake, new_user,
                                                                                      monkeypatch):
    monkeypatch.setenv("TEST_EXTENDED_MODE", "true")
    response = new_user("u-welcome", "newbie@example.org").post("user/signup", {})
    assert response.status == 200, response.text
    mails = sendgrid_fake.sent_to("newbie@example.org")
    assert [m.body["subject"] for m in mails] == ["Welcome to Demo App!", "10% off Demo App, just for you"]
    assert mails[0].body["from"]["email"] == "hello@example.com" and "send_at" not in mails[0].body
    assert "WELCOME10" in mails[1].body["content"][0]["value"] and mails[1].body["send_at"] > 0  # SendGrid schedules +24 h
    queued = sorted(item["settings"]["subject"] for item in firestore.list("emails-queue").values())
    assert queued == ["How is your experience with Demo App?", "Want to share your feedback about Demo App?"]
    send_welcome_emails(manager, "u-welcome")  # the series again (a retried sign-up): nothing new
    assert len(sendgrid_fake.sent()) == 2 and len(firestore.list("emails-queue")) == 2


def test_signup_sends_nothing_in_testing_without_extended_mode(sendgrid_fake, new_user, firestore):
    assert new_user("u-quiet", "quiet@example.org").post("user/signup", {}).status == 200
    assert sendgrid_fake.attempts() == [] and firestore.list("emails-queue") == {}


def test_account_deletion_sends_a_confirmation(bm, accounts, auth_admin, sendgrid_fake, monkeypatch):
    monkeypatch.setenv("TEST_EXTENDED_MODE", "true")
    assert bm.as_("basic").delete("user").status == 200
    [mail] = sendgrid_fake.sent_to(accounts["basic"].email)
    assert mail.body["subject"] == "Your Demo App account has been deleted"
    assert mail.body["from"]["email"] == "account@example.com" and mail.body["categories"][-1] == "account/delete"


def test_a_refused_deletion_sends_nothing(bm, auth_admin, sendgrid_fake, monkeypatch):
    monkeypatch.setenv("TEST_EXTENDED_MODE", "true")
    assert bm.as_("premium-active").delete("user").status == 409
    assert sendgrid_fake.attempts() == []
