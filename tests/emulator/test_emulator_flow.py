"""End to end through the Emulator Suite: real Auth users, real ID tokens, bm_api in the functions emulator."""

import uuid

import pytest

pytestmark = pytest.mark.emulator


def test_sign_up_token_reaches_the_user_route(bm, auth_emulator, firestore, wait_for):
    email = f"flow-{uuid.uuid4().hex[:8]}@example.com"
    signed_up = auth_emulator.sign_up(email)
    response = bm.as_(signed_up["idToken"]).get("user")
    assert response.status == 200
    assert response.json["user"]["auth"]["uid"] == signed_up["uid"]
    assert response.json["user"]["auth"]["email"] == email
    assert wait_for(lambda: firestore.get(f"users/{signed_up['uid']}"))["auth"]["email"] == email


def test_tampered_token_is_refused(bm, auth_emulator):
    token = auth_emulator.sign_up(f"tamper-{uuid.uuid4().hex[:8]}@example.com")["idToken"]
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload[:-6]}AAAAAA.{signature}"
    response = bm.as_(tampered).get("user")
    assert response.status == 401
    assert bm.as_("garbage.token.value").get("user").status == 401


def test_health_reports_testing_environment(bm):
    response = bm.get("test/health")
    assert response.status == 200
    assert response.json["environment"] == "testing"
    assert response.json["projectId"] == "demo-bem"
    assert response.properties["code"] == 200


def test_seeded_accounts_authenticate_with_real_tokens(bm, accounts):
    for name in ("basic", "admin", "premium-active"):
        body = bm.as_(name).get("test/authenticate").json
        assert body["uid"] == accounts[name].uid
        assert body["admin"] is (name == "admin")


def test_premium_accounts_resolve(bm):
    expected = {
        "premium-active": ("premium", True, False),
        "premium-cancelling": ("premium", True, True),
        "premium-suspended": ("basic", False, False),
        "premium-expired": ("basic", False, False),
        "basic": ("basic", False, False),
    }
    for name, (plan, active, cancelling) in expected.items():
        resolved = bm.as_(name).get("user/subscription").json["resolved"]
        assert (resolved["plan"], resolved["active"], resolved["cancelling"]) == (plan, active, cancelling), name


def test_self_or_admin_through_the_emulator(bm, accounts):
    other = accounts["premium-active"].uid
    assert bm.as_("basic").get("user", query={"uid": other}).status == 403
    assert bm.as_("admin").get("user", query={"uid": other}).json["user"]["auth"]["uid"] == other


def test_admin_firestore_round_trip(bm, firestore):
    path = f"emulator-tests/{uuid.uuid4().hex[:8]}"
    assert bm.as_("admin").post("admin/firestore", {"path": path, "document": {"n": 1}}).status == 200
    assert firestore.get(path) == {"n": 1}
    assert bm.as_("admin").get("admin/firestore", query={"path": path}).json["data"] == {"n": 1}
    assert bm.as_("basic").get("admin/firestore", query={"path": path}).status == 403


def test_legacy_command_and_unknown_routes(bm):
    assert bm.command("generate-uuid", {"version": 4}).json["version"] == 4
    assert bm.get("no/such/thing").status == 404
    assert bm.delete("test/health").status == 405


def test_validation_error_names_the_field(bm):
    response = bm.post("general/uuid", {"version": 5})
    assert response.status == 400
    assert "name" in response.error


def test_body_over_limit_is_413(bm):
    assert bm.post("general/uuid", {"blob": "x" * (101 * 1024)}).status == 413
