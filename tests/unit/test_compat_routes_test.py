"""BEM parity of the test routes and the small BEM routes: bodies from BEM's tests, BEM's answers.

(BEM: ``test/routes/test/*.js``, ``test/routes/general/uuid.js``, ``src/manager/routes/test/**``,
``routes/special/electron-client``, legacy ``firebase:get-providers``.)
"""

from __future__ import annotations

import re
import uuid

import pytest

from functions import __version__
from functions.testing import unit
from functions.testing.unit import ADMIN_KEY

V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
V5 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


# test/health, test/authenticate ------------------------------------------------------------
def test_health_answers_healthy_with_bem_fields(bm, monkeypatch):
    monkeypatch.setenv("TEST_EXTENDED_MODE", "true")
    body = bm.get("test/health").json
    assert body["status"] == "healthy"
    assert body["bemVersion"] == __version__
    assert body["testExtendedMode"] is True
    assert body["projectId"] == unit.PROJECT
    assert body["environment"] == "testing"
    monkeypatch.delenv("TEST_EXTENDED_MODE")
    assert bm.get("test/health").json["testExtendedMode"] is False


def test_authenticate_answers_bem_user(bm, accounts):
    anonymous = bm.get("test/authenticate").json
    assert anonymous["user"]["authenticated"] is False
    basic = bm.as_("basic").get("test/authenticate").json["user"]
    assert basic["authenticated"] is True
    assert basic["auth"]["uid"] == accounts["basic"].uid
    assert "privateKey" not in basic.get("api", {})
    admin = bm.with_admin_key(ADMIN_KEY).get("test/authenticate").json["user"]
    assert (admin["authenticated"], admin["roles"]["admin"]) == (True, True)


# general/uuid ------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["4", 4, "v4"])
def test_uuid_v4_in_every_spelling(bm, version):
    response = bm.post("general/uuid", {"version": version})
    assert response.status == 200
    assert V4.match(response.json["uuid"])


NAMESPACE = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"


def test_uuid_defaults_to_v5_of_name_in_the_project_namespace(bm, monkeypatch):
    monkeypatch.setenv("BACKEND_MANAGER_NAMESPACE", NAMESPACE)
    first = bm.post("general/uuid", {"name": "test-name-for-uuid"}).json["uuid"]
    assert V5.match(first)
    assert bm.post("general/uuid", {"version": "5", "name": "test-name-for-uuid"}).json["uuid"] == first
    assert bm.post("general/uuid", {"version": "v5", "input": "test-name-for-uuid"}).json["uuid"] == first
    assert bm.post("general/uuid", {"version": 5, "name": "other"}).json["uuid"] != first


def test_uuid_refusals_match_bem(bm):
    missing_name = bm.post("general/uuid", {"version": "5"})
    assert missing_name.status == 400
    assert "You must provide a name" in missing_name.error
    bad_version = bm.post("general/uuid", {"version": "99"})
    assert bad_version.status == 400
    assert "v99 is not a valid version." in bad_version.error
    assert bad_version.json["error"]["field"] == "version"


# test (echo), test/redirect, test/webhook, test/lab ----------------------------------------
def test_echo_answers_timestamp_and_id_without_credentials(bm):
    response = bm.post("test", {"hello": "world", "backendManagerKey": ADMIN_KEY})
    assert response.status == 200
    assert set(response.json) >= {"timestamp", "id"}
    assert response.json["settings"] == {"hello": "world"}
    assert ADMIN_KEY not in response.text
    assert bm.get("test").status == 200


def test_redirect_goes_to_url_and_defaults_like_bem(bm):
    response = bm.get("test/redirect", query={"url": "https://example.com/next"})
    assert (response.status, response.headers["Location"]) == (302, "https://example.com/next")
    assert bm.get("test/redirect").headers["Location"] == "https://itwcreativeworks.com"
    refused = bm.get("test/redirect", query={"url": "javascript:alert(1)"})
    assert (refused.status, refused.json["error"]["field"]) == (400, "url")


def test_webhook_echo_answers_the_asked_status_and_body(bm):
    assert bm.post("test/webhook", {}).json == {}
    created = bm.post("test/webhook", {"status": 201, "response": {"ok": 1}})
    assert (created.status, created.json) == (201, {"ok": 1})
    failed = bm.post("test/webhook", {"status": 503, "response": "down"})
    assert failed.status == 503
    assert bm.post("test/webhook", {"status": 302}).json == {"received": True}


def test_lab_answers_success(bm):
    assert bm.post("test/lab").json == {"success": True}


def test_test_routes_are_not_served_in_production(bm, monkeypatch, manager):
    monkeypatch.setattr(manager, "environment", "production")
    for method, path in (("POST", "test"), ("GET", "test/redirect"), ("POST", "test/webhook"), ("POST", "test/lab"), ("POST", "test/schema")):
        assert bm.request(method, path).status == 404, path
    assert bm.get("test/health").status == 200


# test/schema (BEM's schema showcase) -------------------------------------------------------
def test_schema_defaults_and_overrides(bm, accounts):
    settings = bm.as_("basic").post("test/schema", {"requiredField": "provided"}).json["settings"]
    assert (settings["stringField"], settings["numberField"], settings["booleanField"]) == ("default-string", 42, False)
    assert settings["arrayField"] == ["a", "b", "c"]
    assert settings["objectField"]["key"] == "value"
    assert re.fullmatch(r"generated-\d+", settings["functionDefault"])
    assert settings["userBasedDefault"] == accounts["basic"].uid
    assert settings["nested"]["level1"] == "nested-default"
    custom = {"requiredField": "p", "stringField": "custom-string", "numberField": 100, "arrayField": ["x", "y"], "nested": {"level1": "n"}}
    settings = bm.as_("basic").post("test/schema", custom).json["settings"]
    assert (settings["stringField"], settings["numberField"], settings["arrayField"], settings["nested"]["level1"]) == (
        "custom-string", 100, ["x", "y"], "n",
    )


def test_schema_required_and_plan_dependent_fields(bm):
    assert bm.as_("basic").post("test/schema", {}).status == 400
    assert bm.as_("basic").post("test/schema", {"requiredField": "p"}).status == 200
    assert bm.as_("premium-active").post("test/schema", {"requiredField": "p"}).status == 400
    premium = bm.as_("premium-active").post(
        "test/schema", {"requiredField": "p", "conditionalRequired": "c", "premiumOnlyField": "mine", "planBasedLimit": 500}
    ).json["settings"]
    assert (premium["premiumOnlyField"], premium["planBasedLimit"]) == ("mine", 500)
    basic = bm.as_("basic").post("test/schema", {"requiredField": "p", "premiumOnlyField": "x", "planBasedLimit": 500}).json["settings"]
    assert "premiumOnlyField" not in basic
    assert basic["planBasedLimit"] == 100


def test_schema_clamps_truncates_forces_and_cleans(bm):
    body = {
        "requiredField": "p", "forcedValue": "user-tried", "minNumber": -5, "maxNumber": 500, "clampedNumber": 5,
        "maxLengthString": "this-is-way-too-long", "maxLengthArray": ["a", "b", "c", "d", "e"], "multiType": 123,
        "anyType": {"complex": {"nested": ["data", 123, True]}}, "cleanedString": "hello@world!123#test",
        "cleanedFunction": "  HELLO WORLD  ",
    }
    settings = bm.as_("basic").post("test/schema", body).json["settings"]
    assert settings["forcedValue"] == "always-this-value"
    assert (settings["minNumber"], settings["maxNumber"], settings["clampedNumber"]) == (1, 100, 10)
    assert (settings["maxLengthString"], settings["maxLengthArray"]) == ("this-is-wa", ["a", "b", "c"])
    assert settings["multiType"] == 123
    assert settings["anyType"] == {"complex": {"nested": ["data", 123, True]}}
    assert (settings["cleanedString"], settings["cleanedFunction"]) == ("helloworld123test", "hello world")


def test_schema_anonymous_caller(bm):
    body = bm.post("test/schema", {"requiredField": "p"}).json
    assert body["user"] == {"authenticated": False, "uid": None, "subscription": "basic"}
    assert body["settings"]["userBasedDefault"] == "anonymous"


# special/electron-client, firebase:get-providers -------------------------------------------
def test_electron_client_for_a_uid_and_for_the_admin(bm, accounts):
    anonymous = bm.post("special/electron-client", {"uid": "abc", "config": {"x": 1}}).json
    assert anonymous["uuid"] == str(uuid.uuid5(uuid.NAMESPACE_DNS, "abc"))  # BEM: v5 of the uid, DNS namespace
    assert anonymous["signInToken"] is None
    assert anonymous["config"] == {}  # echoed only with the admin key
    assert anonymous["brand"]["brand"]["id"]
    admin = bm.as_("admin").post("special/electron-client", {"config": {"backendManagerKey": ADMIN_KEY, "x": 1}}).json
    assert admin["signInToken"]
    assert admin["config"] == {"x": 1}
    assert ADMIN_KEY not in str(admin)


def test_get_providers_legacy_command(bm):
    response = bm.command("firebase:get-providers")
    assert response.status == 200
    assert response.json["password"] is True and response.json["google.com"] is True
    assert response.json["apple.com"] is False


def test_legacy_commands_reach_the_new_test_routes(bm, monkeypatch):
    monkeypatch.setenv("BACKEND_MANAGER_NAMESPACE", NAMESPACE)
    assert bm.command("test:lab").json == {"success": True}
    assert bm.command("test:health").json["status"] == "healthy"
    assert V5.match(bm.command("general:generate-uuid", {"name": "x"}).json["uuid"])


def test_redirect_to_a_url_idna_cannot_encode_is_a_400_not_a_crash(bm):
    # found by the fuzz tier: werkzeug raised UnicodeError while sending the Location header
    response = bm.get("test/redirect", query={"url": "https://L\U00089526\x13\x9cO.example/x"})
    assert response.status == 400 and "not a valid URL" in response.error


def test_redirect_keeps_a_plain_url(bm):
    response = bm.get("test/redirect", query={"url": "https://example.com/a?b=1"})
    assert response.status == 302 and response.headers["Location"] == "https://example.com/a?b=1"
