"""POST admin/email and POST general/email (+ legacy commands): status, body, what was sent."""

import time

import pytest

from functions.testing.unit import ADMIN_KEY


@pytest.fixture
def admin(bm):
    return bm.with_admin_key(ADMIN_KEY)


CARD = {"to": "ada@example.org", "subject": "Hello", "data": {"content": {"title": "Hi", "message": "Welcome!"}}}


def test_admin_email_sends_through_the_library(admin, firestore, sendgrid_fake):
    response = admin.post("admin/email", {**CARD, "sender": "hello", "categories": ["account/welcome"]})
    assert response.status == 200, response.text
    body = response.json
    assert body["status"] == "sent" and body["provider"] == "sendgrid"
    [mail] = sendgrid_fake.sent()
    assert mail.recipients == ["ada@example.org"] and mail.body["from"]["email"] == "hello@example.com"
    assert body["providerMessageId"] == mail.message_id
    assert firestore.get(f"emails/{body['id']}")["status"] == "sent"


def test_admin_email_is_admin_only(bm, sendgrid_fake):
    assert bm.as_("basic").post("admin/email", CARD).status == 403
    assert bm.post("admin/email", CARD).status == 401
    assert sendgrid_fake.attempts() == []


@pytest.mark.parametrize(("change", "field"), [
    ({"template": "nope"}, "template"),
    ({"sender": "ceo"}, "sender"),
    ({"to": "not-an-address@"}, "to"),
    ({"to": {"name": "no address"}}, "to"),
    ({"subject": None}, "subject"),
    ({"data": {"content": {"title": "<script>alert(1)</script>"}}}, "data.content.title"),
])
def test_admin_email_bad_input_is_a_400_naming_the_field_and_nothing_is_queued_or_sent(admin, firestore, sendgrid_fake, change, field):
    settings = {k: v for k, v in {**CARD, **change}.items() if v is not None}
    response = admin.post("admin/email", settings)
    assert response.status == 400 and f"Invalid value for {field}" in response.error
    assert sendgrid_fake.attempts() == []
    assert firestore.list("emails") == {} and firestore.list("emails-queue") == {}


def test_admin_email_raw_html_and_a_far_send_at_is_queued(admin, firestore, sendgrid_fake):
    response = admin.post("admin/email", {"to": "ada@example.org", "subject": "Later", "html": "<p>Hi <b>there</b></p>",
                                          "sendAt": int(time.time()) + 100 * 3600})
    assert response.json["status"] == "queued" and sendgrid_fake.attempts() == []
    assert firestore.get(f"emails-queue/{response.json['id']}")["settings"]["html"] == "<p>Hi <b>there</b></p>"


def test_admin_email_provider_refusal_is_a_500_with_the_reason_and_an_idempotency_key_sends_once(admin, firestore, sendgrid_fake):
    sendgrid_fake.fail_next(1, status=403)
    refused = admin.post("admin/email", CARD)
    assert refused.status == 500 and "verified Sender Identity" in refused.error
    first = admin.post("admin/email", {**CARD, "idempotencyKey": "campaign-1:ada"})
    again = admin.post("admin/email", {**CARD, "idempotencyKey": "campaign-1:ada"})
    assert (first.json["status"], again.json["status"], again.json["duplicate"]) == ("sent", "sent", True)
    assert len(sendgrid_fake.sent()) == 1


def test_legacy_admin_send_email(admin, sendgrid_fake):
    response = admin.command("admin:send-email", CARD)
    assert response.status == 200 and response.json["status"] == "sent"
    assert sendgrid_fake.recipients() == ["ada@example.org"]


def test_general_email_sends_the_templated_message_by_id(bm, sendgrid_fake):
    response = bm.post("general/email", {"id": "general:download-app-link", "email": "ada@example.org", "name": "Ada"})
    assert response.status == 200 and response.json == {"success": True}
    [mail] = sendgrid_fake.sent()
    assert mail.body["subject"] == "Ada, your Demo App download link is ready!"
    assert mail.body["from"]["email"] == "offers@example.com" and mail.body["categories"][-1] == "download"
    assert "https://example.com/download" in mail.body["content"][1]["value"]
    assert "cc" not in mail.body["personalizations"][0]  # copy: false


@pytest.mark.parametrize(("body", "field"), [
    ({"id": "general:nope", "email": "ada@example.org"}, "id"),
    ({"id": "../../secrets", "email": "ada@example.org"}, "id"),
    ({"id": "general:download-app-link", "email": "not-an-address"}, "email"),
    ({"id": "general:download-app-link"}, "email"),
])
def test_general_email_bad_input_is_a_400_naming_the_field(bm, sendgrid_fake, body, field):
    response = bm.post("general/email", body)
    assert response.status == 400 and field in response.error
    assert sendgrid_fake.attempts() == []


def test_general_email_spam_filter_per_address_and_per_ip(bm, sendgrid_fake):
    def ask(email, ip):
        return bm.post("general/email", {"id": "general/download-app-link", "email": email}, headers={"X-Forwarded-For": ip})

    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert ask("ada@example.org", ip).json == {"success": True}
    assert sendgrid_fake.recipients() == ["ada@example.org"] * 2  # the 3rd for one address is dropped silently
    for n in range(3):
        assert ask(f"user{n}@example.org", "10.9.9.9").json == {"success": True}
    assert sendgrid_fake.recipients()[2:] == ["user0@example.org", "user1@example.org"]  # 3rd from one IP dropped


def test_legacy_general_send_email(bm, sendgrid_fake):
    response = bm.command("general:send-email", {"id": "general:download-app-link", "email": "bob@example.org"})
    assert response.status == 200 and sendgrid_fake.recipients() == ["bob@example.org"]
