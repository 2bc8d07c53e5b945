"""BEM-written user documents (tests/compat/fixtures/) through the API, unit tier.

Each document is stored exactly as BEM writes it (or as an owner could corrupt it through the
Firestore rules) and driven through GET user, user/subscription, test/authenticate, API-key
authentication and the admin's ``GET user?uid=``: every answer is 2xx with the stored values,
malformed fields read as their defaults, and nothing is written back.
"""

from __future__ import annotations

import logging

import pytest

from functions.testing import unit
from functions.testing.tokens import emulator_id_token
from tests.compat.conftest import bem_fixture

DOCUMENTS = ("bem-default-user", "bem-full-user", "bem-cancelling-user", "bem-malformed-user", "bem-bad-protected-user")


@pytest.fixture
def store_bem(manager, firestore, bm):
    """Store a fixture document under its ``auth.uid`` (and its Auth account); a client signed in as it."""

    def store(name: str, uid: str | None = None):
        document = bem_fixture(name)["document"]
        if uid:
            document["auth"]["uid"] = uid
        uid, email = document["auth"]["uid"], document["auth"]["email"]
        manager.services["auth_admin"].add(uid, email)
        firestore.set(f"users/{uid}", document)
        return uid, document, bm.as_(emulator_id_token(uid, email=email, project=unit.PROJECT))

    return store


def authenticated_uid(body: dict) -> str | None:
    """The uid ``test/authenticate`` answers (the port's flat shape or BEM's ``{user}``)."""
    if "user" in body and isinstance(body["user"], dict):
        return (body["user"].get("auth") or {}).get("uid") or body["user"].get("uid")
    return body.get("uid")


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_bem_document_answers_2xx_on_every_user_route(store_bem, bm, firestore, name):
    uid, document, client = store_bem(name)

    own = client.get("user")
    subscription = client.get("user/subscription")
    who = client.get("test/authenticate")
    by_admin = bm.as_("admin").get("user", query={"uid": uid})
    by_key = bm.get("test/authenticate", query={"apiKey": document["api"]["privateKey"]}) if isinstance(
        document["api"]["privateKey"], str) else None

    assert own.status == 200, own.text
    assert subscription.status == 200, subscription.text
    assert who.status == 200 and authenticated_uid(who.json) == uid
    assert by_admin.status == 200 and by_admin.json["user"]["auth"]["uid"] == uid
    if by_key is not None:
        assert by_key.status == 200 and authenticated_uid(by_key.json) == uid
    assert firestore.get(f"users/{uid}") == document  # reading never rewrites the stored document


def test_the_default_document_reads_back_as_bem_wrote_it(store_bem):
    _, document, client = store_bem("bem-default-user")
    body = client.get("user").json["user"]
    expected = {key: value for key, value in document.items() if key != "api"}
    assert {key: body[key] for key in expected} == expected
    assert body["api"] == {"clientId": document["api"]["clientId"]}  # privateKey only shown when regenerated
    assert body["consent"]["marketing"]["status"] == "revoked"


def test_the_full_document_keeps_every_leaf_and_project_field(store_bem):
    _, document, client = store_bem("bem-full-user")
    body = client.get("user").json["user"]
    for key in ("personal", "activity", "attribution", "oauth2", "consent", "affiliate", "roles", "flags", "metadata", "usage"):
        assert body[key] == document[key], key
    assert body["subscription"] == document["subscription"]


@pytest.mark.parametrize(
    ("name", "resolved"),
    [
        ("bem-default-user", {"plan": "basic", "active": False, "trialing": False, "cancelling": False, "ever_paid": False}),
        ("bem-full-user", {"plan": "premium", "active": True, "trialing": True, "cancelling": False, "ever_paid": False}),
        ("bem-cancelling-user", {"plan": "premium", "active": True, "trialing": False, "cancelling": True, "ever_paid": True}),
        ("bem-bad-protected-user", {"plan": "basic", "active": False, "trialing": False, "cancelling": False, "ever_paid": False}),
    ],
)
def test_subscriptions_resolve_as_bem_users_expect(store_bem, name, resolved):
    _, _, client = store_bem(name)
    assert client.get("user/subscription").json["resolved"] == resolved


def test_malformed_unprotected_fields_read_as_defaults_and_are_logged_once(store_bem, caplog):
    uid, _, client = store_bem("bem-malformed-user", uid="bem-malformed-logged")  # a uid no other test reads
    caplog.set_level(logging.WARNING, logger="bem")

    first = client.get("user").json["user"]
    client.get("user")

    assert first["personal"]["name"] == {"first": None, "last": None}
    assert first["activity"]["geolocation"]["ip"] is None
    assert first["attribution"]["utm"]["tags"] == {}
    assert first["oauth2"] == {}
    assert first["consent"]["legal"]["status"] == "revoked"
    assert first["consent"]["marketing"]["status"] == "granted"  # the well-typed leaf is kept
    assert first["usage"]["requests"]["monthly"] == 12  # "12" is a number to pydantic and to BEM alike
    assert first["usage"]["requests"]["daily"] == 0
    assert first["roles"]["betaTester"] is True
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and uid in r.getMessage()]
    for path in ("personal", "activity", "attribution", "oauth2", "consent.legal", "usage.requests.daily", "usage.exports"):
        assert sum(f"stored field {path} " in w for w in warnings) == 1, (path, warnings)


def test_bad_protected_values_degrade_to_no_admin_and_basic(store_bem, bm):
    uid, _, client = store_bem("bem-bad-protected-user")
    body = client.get("user").json["user"]
    assert body["roles"] == {"admin": False, "betaTester": False, "developer": False}
    assert body["subscription"]["product"]["id"] == "basic"
    assert client.post("admin/cron", {"id": "reset-usage"}).status == 403
    assert bm.as_("admin").get("user", query={"uid": uid}).status == 200


def test_bems_config_template_loads():
    from functions.config import parse_config

    config = parse_config(bem_fixture("bem-config-template")["config"])
    premium = config.payment.product("premium")
    assert premium is not None and premium.limit("requests") == 1000
    assert config.payment.basic.limit("requests") == 100
