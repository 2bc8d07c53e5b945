"""POST admin/infer-contact and the contact inference behind it (BEM's answer shape), with the
real openai SDK against the fake OpenAI API, and the ``test`` provider."""

from __future__ import annotations

import pytest

from functions.ai.infer_contact import PROMPT_PATH, capitalize, infer_contact
from functions.testing.test_env import ADMIN_KEY

ADA = {"firstName": "ada", "lastName": "LOVELACE", "company": "analytical engines", "confidence": 0.9}


@pytest.fixture
def admin(bm):
    return bm.as_("admin")


def test_requires_an_admin(bm, openai_fake):
    assert bm.as_("anonymous").post("admin/infer-contact", {"email": "john.smith@gmail.com"}).status == 401
    assert bm.as_("basic").post("admin/infer-contact", {"email": "john.smith@gmail.com"}).status == 403
    assert openai_fake.requests == []


def test_one_email_through_openai(admin, openai_fake):
    openai_fake.reply_json(ADA)

    response = admin.post("admin/infer-contact", {"email": "ada.lovelace@analytical.io"})

    assert response.status == 200
    assert response.json == {"results": [{"email": "ada.lovelace@analytical.io", "firstName": "Ada", "lastName": "Lovelace",
                                          "company": "Analytical Engines", "confidence": 0.9, "method": "ai"}]}
    [call] = openai_fake.requests  # not moderated (BEM)
    assert call.path == "/v1/responses" and call.body["model"] == "gpt-5.4-mini"
    assert call.body["instructions"].endswith("\n\n" + PROMPT_PATH.read_text().strip())
    assert call.body["input"] == [{"role": "user", "content": "Email: ada.lovelace@analytical.io"}]
    assert call.body["text"]["format"]["schema"]["required"] == ["firstName", "lastName", "company", "confidence"]


def test_several_emails_answer_in_order(admin, openai_fake):
    by_email = {"jean-pierre.dupont@orange.fr": {"firstName": "jean-pierre", "lastName": "dupont", "company": "orange", "confidence": 0.95},
                "info@company.org": {"firstName": "", "lastName": "", "company": "Company", "confidence": 0}}
    openai_fake.reply_json(by_email["jean-pierre.dupont@orange.fr"]).reply_json(by_email["info@company.org"])

    # one at a time here, so the scripted answers meet the right address
    first = admin.post("admin/infer-contact", {"emails": ["jean-pierre.dupont@orange.fr"]}).json["results"]
    second = admin.post("admin/infer-contact", {"emails": ["", "info@company.org"]}).json["results"]

    assert first == [{"email": "jean-pierre.dupont@orange.fr", "firstName": "Jean-Pierre", "lastName": "Dupont", "company": "Orange",
                      "confidence": 0.95, "method": "ai"}]
    assert [(r["email"], r["firstName"], r["company"]) for r in second] == [("info@company.org", "", "Company")]


def test_many_emails_at_once_keep_their_order(admin, ai_config, monkeypatch):
    monkeypatch.setenv("BEM_AI_PROVIDER", "test")
    emails = [f"user{i}@example.com" for i in range(12)]

    results = admin.post("admin/infer-contact", {"emails": emails}).json["results"]

    assert [r["email"] for r in results] == emails


def test_without_a_provider_key_the_answer_is_empty_and_nothing_is_called(admin, openai_fake, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")

    response = admin.post("admin/infer-contact", {"email": "ada@analytical.io"})

    assert response.json["results"] == [{"email": "ada@analytical.io", "firstName": "", "lastName": "", "company": "",
                                         "confidence": 0, "method": "none"}]
    assert openai_fake.requests == []


def test_a_provider_outage_gives_the_empty_answer_not_an_error(admin, openai_fake, manager):
    manager.ai.backoff = 0.01
    openai_fake.fail(503, times=3)

    response = admin.post("admin/infer-contact", {"email": "ada@analytical.io"})

    assert response.status == 200 and response.json["results"][0]["method"] == "none"


def test_with_the_test_provider_a_scripted_address_is_inferred(admin, monkeypatch):
    monkeypatch.setenv("BEM_AI_PROVIDER", "test")
    scripted = "\"[[reply:{firstName:'grace',lastName:'hopper',company:'navy',confidence:0.8}]]\"@example.com"

    results = admin.post("admin/infer-contact", {"emails": [scripted, "plain@example.com"]}).json["results"]

    assert results[0] == {"email": scripted, "firstName": "Grace", "lastName": "Hopper", "company": "Navy", "confidence": 0.8, "method": "ai"}
    assert results[1]["method"] == "none"  # the echo is not a contact: refused after the repair attempt


def test_config_chooses_the_provider_and_model(admin, ai_config, anthropic_fake):
    ai_config(ai={"inferContact": {"provider": "anthropic", "model": "claude-haiku-4-5"}})
    anthropic_fake.reply_json(ADA)

    result = admin.post("admin/infer-contact", {"email": "ada@analytical.io"}).json["results"][0]

    assert result["method"] == "ai" and result["firstName"] == "Ada"
    assert anthropic_fake.model_calls[0].body["model"] == "claude-haiku-4-5"


def test_bad_addresses_are_a_400_naming_the_field(admin, openai_fake):
    response = admin.post("admin/infer-contact", {"emails": ["not-an-address"]})

    assert response.status == 400 and "emails" in response.error
    assert admin.post("admin/infer-contact", {"emails": ["a@b.co"] * 101}).status == 400
    assert openai_fake.requests == []


def test_no_address_answers_an_empty_list(admin, openai_fake):
    assert admin.post("admin/infer-contact", {}).json == {"results": []}


def test_legacy_command(bm, openai_fake):
    openai_fake.reply_json(ADA)

    response = bm.with_admin_key(ADMIN_KEY).post("", {"command": "admin:infer-contact", "payload": {"email": "ada@analytical.io"}})

    assert response.status == 200 and response.json["results"][0]["lastName"] == "Lovelace"


def test_infer_contact_never_raises(manager, openai_fake):
    openai_fake.reply_text("I think it's Ada").reply_text("still not JSON")

    assert infer_contact(manager, "ada@analytical.io")["method"] == "none"


@pytest.mark.parametrize(("given", "expected"), [
    ("jean-pierre", "Jean-Pierre"), ("MARY jane", "Mary Jane"), ("", ""), ("o'neil", "O'neil"),
])
def test_capitalize(given, expected):
    assert capitalize(given) == expected


# sign-up ------------------------------------------------------------------------------------------
SCRIPTED = "\"[[reply:{firstName:'grace',lastName:'hopper',company:'navy',confidence:0.8}]]\"@example.com"


def test_signup_personal_from_the_test_provider(manager, monkeypatch):
    from functions.ai.infer_contact import signup_personal
    from functions.user.defaults import new_user_doc

    monkeypatch.setenv("BEM_AI_PROVIDER", "test")

    assert signup_personal(manager, new_user_doc("u1", SCRIPTED)) == {
        "personal": {"name": {"first": "Grace", "last": "Hopper"}, "company": {"name": "Navy"}}}
    assert signup_personal(manager, {"auth": {"email": "plain@example.com"}}) == {}  # the echo is no contact


def test_signup_personal_is_skipped_when_a_name_is_given(manager, monkeypatch):
    from functions.ai.infer_contact import signup_personal
    from functions.user.defaults import new_user_doc

    monkeypatch.setenv("BEM_AI_PROVIDER", "test")

    assert signup_personal(manager, new_user_doc("u1", SCRIPTED, display_name="Ada Lovelace")) == {}
    assert manager.ai.requests == 0


def test_signup_personal_calls_no_real_provider_under_tests(manager, openai_fake):
    from functions.ai.infer_contact import signup_personal

    assert signup_personal(manager, {"auth": {"email": "ada@analytical.io"}}) == {}
    assert openai_fake.requests == []


def test_signup_personal_never_raises(manager, monkeypatch):
    from functions.ai.infer_contact import signup_personal

    monkeypatch.setenv("BEM_AI_PROVIDER", "test")

    assert signup_personal(manager, {"auth": {"email": SCRIPTED}, "personal": "garbage"}) != {}
    assert signup_personal(manager, object()) == {}


def test_record_signup_contact_merges_the_inferred_leaves(manager, firestore, monkeypatch):
    from functions.ai.infer_contact import record_signup_contact

    monkeypatch.setenv("BEM_AI_PROVIDER", "test")
    firestore.set("users/u-grace", {"auth": {"uid": "u-grace", "email": SCRIPTED}, "personal": {"gender": "f", "name": {"first": None}}})

    written = record_signup_contact(manager, "u-grace", firestore.get("users/u-grace"))

    stored = firestore.get("users/u-grace")["personal"]
    assert written["personal"]["name"] == {"first": "Grace", "last": "Hopper"}
    assert stored == {"gender": "f", "name": {"first": "Grace", "last": "Hopper"}, "company": {"name": "Navy"}}
    assert record_signup_contact(manager, "u-grace", firestore.get("users/u-grace")) == {}  # now named: skipped
