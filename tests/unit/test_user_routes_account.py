"""User routes: token, api-keys, sessions, feedback, settings/validate; lazy provisioning."""

from __future__ import annotations

import base64
import json
import time

import pytest

from functions.auth.admin import RevokedTokenError
from functions.testing import unit
from functions.testing.tokens import emulator_id_token


def jwt_payload(token: str) -> dict:
    segment = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


# lazy provisioning ---------------------------------------------------------------------------
def test_first_api_call_with_an_id_token_provisions_the_default_document(bm, firestore, manager):
    manager.services["auth_admin"].add("u-admin-sdk", "made@example.com")  # exists in Auth, no document yet
    token = emulator_id_token("u-admin-sdk", email="made@example.com", name="Grace Hopper", project=unit.PROJECT)
    assert firestore.get("users/u-admin-sdk") is None
    response = bm.as_(token).get("user")
    assert response.status == 200, response.text
    doc = firestore.get("users/u-admin-sdk")
    assert doc["auth"]["uid"] == "u-admin-sdk" and doc["auth"]["email"] == "made@example.com"
    assert doc["personal"]["name"] == {"first": "Grace", "last": "Hopper"}
    assert doc["subscription"]["product"]["id"] == "basic" and doc["api"]["privateKey"]
    assert response.json["user"]["auth"]["uid"] == "u-admin-sdk"


# token ---------------------------------------------------------------------------------------
def test_custom_token_is_for_the_caller(bm, accounts, auth_admin):
    response = bm.as_("basic").post("user/token")
    assert response.status == 200, response.text
    assert jwt_payload(response.json["token"])["uid"] == accounts["basic"].uid


def test_custom_token_for_another_user_needs_admin(bm, accounts, auth_admin):
    assert bm.as_("basic").post("user/token", {"uid": accounts["admin"].uid}).status == 403
    response = bm.as_("admin").post("user/token", {"uid": accounts["basic"].uid})
    assert jwt_payload(response.json["token"])["uid"] == accounts["basic"].uid


# api keys ------------------------------------------------------------------------------------
def test_regenerated_api_keys_replace_the_old_key(bm, firestore, accounts):
    uid = accounts["basic"].uid
    old_key = firestore.get(f"users/{uid}")["api"]["privateKey"]
    assert bm.as_(old_key).get("user").status == 200
    response = bm.as_("basic").post("user/api-keys")
    assert response.status == 200, response.text
    new_key, new_client = response.json["privateKey"], response.json["clientId"]
    assert new_key != old_key
    assert bm.as_(old_key).get("user").status == 401
    assert bm.as_(new_key).get("user").json["user"]["auth"]["uid"] == uid
    assert firestore.get(f"users/{uid}")["api"] == {"clientId": new_client, "privateKey": new_key}


def test_regenerating_only_the_client_id_keeps_the_private_key(bm, firestore, accounts):
    uid = accounts["basic"].uid
    before = firestore.get(f"users/{uid}")["api"]
    response = bm.as_("basic").post("user/api-keys", {"keys": ["clientId"]})
    assert list(response.json) == ["clientId"]
    after = firestore.get(f"users/{uid}")["api"]
    assert after["privateKey"] == before["privateKey"] and after["clientId"] != before["clientId"]


def test_api_keys_reject_an_unknown_key_name(bm):
    response = bm.as_("basic").post("user/api-keys", {"keys": ["password"]})
    assert response.status == 400 and "keys" in response.error


# sessions -------------------------------------------------------------------------------------
def test_sessions_lists_what_firebase_knows(bm, accounts, auth_admin):
    response = bm.as_("basic").get("user/sessions")
    assert response.status == 200, response.text
    sessions = response.json["sessions"]
    assert sessions["uid"] == accounts["basic"].uid
    assert set(sessions) >= {"tokensValidAfter", "lastSignIn", "lastRefresh"}


def test_signing_out_everywhere_revokes_tokens_issued_before(bm, accounts, auth_admin):
    uid = accounts["basic"].uid
    old_token = emulator_id_token(uid, email=accounts["basic"].email, project=unit.PROJECT, issued_at=int(time.time()) - 60)
    assert auth_admin.verify_id_token(old_token, check_revoked=True)["uid"] == uid
    response = bm.as_("basic").delete("user/sessions")
    assert response.status == 200, response.text
    assert ("revoke_refresh_tokens", uid) in auth_admin.calls
    assert response.json["sessions"]["tokensValidAfter"]["timestampUNIX"] >= int(time.time()) - 5
    with pytest.raises(RevokedTokenError):
        auth_admin.verify_id_token(old_token, check_revoked=True)
    assert auth_admin.verify_id_token(old_token)["uid"] == uid  # without the check it would still pass
    fresh = emulator_id_token(uid, project=unit.PROJECT, issued_at=int(time.time()) + 1)
    assert auth_admin.verify_id_token(fresh, check_revoked=True)["uid"] == uid


def test_sessions_of_another_user_need_admin(bm, accounts, auth_admin):
    assert bm.as_("basic").delete("user/sessions", {"uid": accounts["admin"].uid}).status == 403
    assert bm.as_("admin").delete("user/sessions", {"uid": accounts["basic"].uid}).status == 200


# feedback ---------------------------------------------------------------------------------------
def test_feedback_is_stored_with_its_owner(bm, firestore, accounts):
    response = bm.as_("basic").post("user/feedback", {"rating": "love", "text": "Great <b>app</b>", "like": "speed"})
    assert response.status == 200, response.text
    stored = firestore.get(f"feedback/{response.json['id']}")
    assert stored["owner"] == {"uid": accounts["basic"].uid}
    assert (stored["rating"], stored["text"], stored["like"]) == ("love", "Great <b>app</b>", "speed")  # as sent (BEM 5.11)
    assert stored["created"]["timestampUNIX"] > 0


def test_feedback_accepts_bems_comments_field(bm, firestore):
    response = bm.as_("basic").post("user/feedback", {"rating": "dislike", "comments": "too slow"})
    assert firestore.get(f"feedback/{response.json['id']}")["text"] == "too slow"


def test_feedback_names_a_bad_rating_and_needs_a_user(bm):
    response = bm.as_("basic").post("user/feedback", {"rating": "meh"})
    assert response.status == 400 and "rating" in response.error
    assert bm.post("user/feedback", {"rating": "love"}).status == 401


# settings/validate -------------------------------------------------------------------------------
def test_valid_settings_come_back_normalised(bm):
    response = bm.as_("basic").post("user/settings/validate", {"settings": {"theme": "dark", "notifications": {"email": True}}})
    assert response.status == 200, response.text
    assert response.json == {
        "valid": True, "errors": [],
        "settings": {"theme": "dark", "language": "en", "timezone": None, "notifications": {"email": True}},
    }


def test_invalid_settings_are_reported_field_by_field(bm):
    response = bm.as_("basic").post("user/settings/validate", {"settings": {"theme": "neon", "colour": "red"}})
    assert response.status == 200
    assert response.json["valid"] is False
    assert sorted(e["field"] for e in response.json["errors"]) == ["colour", "theme"]


def test_settings_validate_needs_a_settings_object(bm):
    response = bm.as_("basic").post("user/settings/validate", {"settings": "dark"})
    assert response.status == 400 and "settings" in response.error


# legacy commands -----------------------------------------------------------------------------------
def test_legacy_commands_reach_the_same_routes(bm, accounts, auth_admin):
    keys = bm.as_("basic").command("user:regenerate-api-keys")
    assert keys.status == 200 and keys.json["privateKey"]
    token = bm.as_("basic").command("create-custom-token")
    assert jwt_payload(token.json["token"])["uid"] == accounts["basic"].uid
    refused = bm.as_("premium-active").command("delete-user")
    assert refused.status == 409
    assert bm.as_("basic").command("sign-out-all-sessions").json["success"] is True
