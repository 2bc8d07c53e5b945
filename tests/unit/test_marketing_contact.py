"""marketing/contact POST (public + admin), PUT, DELETE and the legacy commands: answers, provider calls
(the SendGrid fake), consent written, anti-enumeration."""

import pytest

from functions.config import parse_config
from functions.testing.recaptcha_fake import RecaptchaFake
from functions.testing.unit import ADMIN_KEY

PUBLIC_ANSWER = {"success": True}


def subscribe_limit(manager, limit):
    raw = manager.config.model_dump(by_alias=True, exclude_none=True)
    next(p for p in raw["payment"]["products"] if p["id"] == "basic")["limits"]["marketing-subscribe"] = limit
    manager.config = parse_config(raw)


@pytest.fixture
def admin(bm):
    return bm.with_admin_key(ADMIN_KEY)


def test_admin_add_answers_providers_validation_and_the_inferred_name(admin, sendgrid_fake):
    response = admin.post("marketing/contact", {"email": " Sarah.Martinez+bem@Example.org ", "source": "bem-test"})
    assert response.status == 200, response.text
    body = response.json
    assert body["success"] is True and body["providers"]["campaigns"]["success"] is True
    assert body["validation"] == {"valid": True, "checks": {}}
    assert set(body["nameInferred"]) >= {"firstName", "lastName", "company", "method"}
    assert set(sendgrid_fake.contacts()) == {"sarah.martinez+bem@example.org"}


def test_admin_given_names_are_sent_and_nothing_is_inferred(admin, sendgrid_fake):
    body = admin.post("marketing/contact", {"email": "ann@example.org", "firstName": "Ann", "lastName": "Lee"}).json
    assert body["nameInferred"] is None
    contact = sendgrid_fake.contact("ann@example.org")
    assert (contact["first_name"], contact["last_name"]) == ("Ann", "Lee")


@pytest.mark.parametrize(("email", "message"), [
    ("not-a-valid-email", "Invalid email format"),
    ("test@mailinator.com", "Disposable email domain not allowed: mailinator.com"),
    ("noreply@example.org", "Blocked email local part: noreply"),
])
def test_admin_bad_address_is_a_400_naming_the_check(admin, sendgrid_fake, email, message):
    response = admin.post("marketing/contact", {"email": email})
    assert response.status == 400 and response.error == message
    assert sendgrid_fake.marketing_calls() == []


def test_admin_missing_email_is_a_400_naming_it(admin):
    response = admin.post("marketing/contact", {"firstName": "Test"})
    assert response.status == 400 and "email" in response.error


def test_admin_skip_validation_checks_the_format_only(admin, sendgrid_fake):
    response = admin.post("marketing/contact", {"email": "rachel.greene+bem@mailinator.com", "skipValidation": True,
                                                "firstName": "Rachel"})
    assert response.status == 200 and "rachel.greene+bem@mailinator.com" in sendgrid_fake.contacts()
    assert admin.post("marketing/contact", {"email": "nope", "skipValidation": True}).status == 400


def test_public_answers_are_identical_whatever_the_address(bm, manager, firestore, accounts, sendgrid_fake):
    subscribe_limit(manager, 100)
    firestore.set(f"users/{accounts['premium-active'].uid}", {"consent": {"marketing": {"status": "revoked"}}}, merge=True)
    cases = ["new.reader@example.org", "not-an-address", "test@mailinator.com", accounts["premium-active"].email,
             "new.reader@example.org"]
    answers = [bm.post("marketing/contact", {"email": email, "firstName": "X"}) for email in cases]
    assert [(a.status, a.json) for a in answers] == [(200, PUBLIC_ANSWER)] * len(cases)
    # only the valid address without revoked consent reached the provider
    assert set(sendgrid_fake.contacts()) == {"new.reader@example.org"}


def test_public_subscribe_is_closed_without_a_limit_and_429_past_it_whatever_the_address(bm, manager, sendgrid_fake):
    assert bm.post("marketing/contact", {"email": "a.reader@example.org"}).status == 429
    subscribe_limit(manager, 3)  # the demo basic plan's rate limit is monthly: 3 a month
    client = bm.as_("basic")
    statuses = [client.post("marketing/contact", {"email": f"reader{i}@example.org", "firstName": "R"}).status for i in range(3)]
    assert statuses == [200] * 3
    assert client.post("marketing/contact", {"email": "not-an-address"}).status == 429
    assert client.post("marketing/contact", {"email": "reader99@example.org"}).status == 429


def test_public_subscribe_needs_a_valid_recaptcha_when_configured(bm, manager, sendgrid_fake, monkeypatch):
    subscribe_limit(manager, 100)
    fake = RecaptchaFake().start()
    try:
        fake.answers["good-token"] = {"success": True, "score": 0.9}
        monkeypatch.setenv("RECAPTCHA_SECRET_KEY", "recaptcha-secret")
        monkeypatch.setenv("RECAPTCHA_VERIFY_URL", fake.url)
        monkeypatch.setenv("TEST_EXTENDED_MODE", "true")
        body = {"email": "reader@example.org", "firstName": "R"}
        assert bm.post("marketing/contact", body).status == 403
        assert bm.post("marketing/contact", {**body, "g-recaptcha-response": "bad-token"}).status == 403
        assert sendgrid_fake.contacts() == {}
        assert bm.post("marketing/contact", {**body, "g-recaptcha-response": "good-token"}).json == PUBLIC_ANSWER
        assert "reader@example.org" in sendgrid_fake.contacts()
    finally:
        fake.stop()


def test_put_syncs_the_user_and_is_admin_only(bm, admin, firestore, accounts, sendgrid_fake):
    premium = accounts["premium-active"]
    firestore.set(f"users/{premium.uid}", {"auth": {"email": "paula.reyes@example.org"}, "consent": {"marketing": {"status": "granted"}}},
                  merge=True)
    assert bm.as_("basic").put("marketing/contact", {"uid": premium.uid}).status == 403
    response = admin.put("marketing/contact", {"uid": premium.uid})
    assert response.status == 200 and response.json["success"] is True, response.text
    assert response.json["providers"]["campaigns"]["success"] is True and "paula.reyes@example.org" in sendgrid_fake.contacts()
    assert admin.put("marketing/contact", {}).status == 400


def test_delete_removes_everywhere_and_revokes_consent_so_no_sync_adds_it_back(admin, bm, manager, firestore, accounts, sendgrid_fake):
    premium = accounts["premium-active"]
    sendgrid_fake.seed_contact(premium.email)
    assert bm.as_("basic").delete("marketing/contact", {"email": premium.email}).status == 403
    response = admin.delete("marketing/contact", {"email": premium.email.upper()})
    assert response.status == 200 and response.json["providers"]["campaigns"]["success"] is True
    assert sendgrid_fake.contact(premium.email) is None
    consent = firestore.get(f"users/{premium.uid}")["consent"]["marketing"]
    assert consent["status"] == "revoked" and consent["revokedAt"]["source"] == "admin"
    assert manager.marketing.sync(premium.uid)["blocked"] == "consent" and sendgrid_fake.contact(premium.email) is None
    assert admin.put("marketing/contact", {"uid": premium.uid}).json == {"success": True, "providers": {}, "blocked": "consent"}


def test_legacy_add_and_remove_commands(admin, bm, sendgrid_fake):
    added = admin.command("general:add-marketing-contact", {"email": "ann@example.org", "firstName": "Ann", "source": "bem-test"})
    assert added.status == 200 and added.json["providers"]["campaigns"]["success"] is True
    assert admin.command("general:add-marketing-contact", {"email": "test@mailinator.com"}).status == 400
    anonymous = bm.command("general:add-marketing-contact", {"email": "ann@example.org"})
    assert anonymous.status == 400 and "g-recaptcha-response" in anonymous.error
    removed = admin.command("general:remove-marketing-contact", {"email": "ann@example.org"})
    assert removed.status == 200 and sendgrid_fake.contact("ann@example.org") is None
