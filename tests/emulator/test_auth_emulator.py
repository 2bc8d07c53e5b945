"""The auth lifecycle against the Firebase Emulator Suite: Auth emulator REST sign-ups,
real blocking functions and real Auth v2 on-create / on-delete triggers.

The Auth emulator reports every client as 127.0.0.1 to blocking functions (firebase-tools
``lib/emulator/auth/operations.js`` hard-codes ``ip_address`` in the blocking JWT and ignores
``X-Forwarded-For``); under the emulator loopback sign-ups are not counted, so the per-IP limit
is proven by posting the blocking request production sends, from a public address, straight to
the emulated ``bm_authBeforeCreate``.
"""

from __future__ import annotations

import re
import secrets
import time
import uuid

import pytest
import requests

from functions.auth.before_create import TOO_MANY_SIGNUPS_MESSAGE
from functions.auth.disposable import DISPOSABLE_MESSAGE
from functions.testing.auth_emulator import AuthEmulatorError
from functions.testing.blocking import blocking_jwt
from functions.testing.emulator import emulator_urls
from functions.testing.test_env import PROJECT

pytestmark = pytest.mark.emulator

PASSWORD = "emulator-password-1"
HOOK_BLOCKED_MESSAGE = "Sign-ups with this address are blocked by the project hook."  # hooks/auth/before_create.py
TRIGGER_TIMEOUT = 30


def unique_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.com"


def signed_up(auth_emulator, firestore, wait_for, tag: str) -> tuple[dict, dict]:
    account = auth_emulator.sign_up(unique_email(tag), PASSWORD)
    doc = wait_for(lambda: firestore.get(f"users/{account['uid']}"), timeout=TRIGGER_TIMEOUT,
                   message="on-create did not write the user document")
    return account, doc


def test_sign_up_creates_the_default_user_document(auth_emulator, firestore, wait_for):
    account, doc = signed_up(auth_emulator, firestore, wait_for, "signup")
    assert doc["auth"]["uid"] == account["uid"]
    assert doc["auth"]["email"].startswith("signup-")
    assert doc["subscription"]["product"]["id"] == "basic"
    assert doc["flags"]["signupProcessed"] is False
    assert doc["roles"]["admin"] is False
    assert doc["api"]["clientId"] and doc["api"]["privateKey"]
    assert doc["affiliate"]["code"]
    assert abs(doc["metadata"]["created"]["timestampUNIX"] - time.time()) < 120


def test_disposable_address_is_refused_with_bems_message(auth_emulator):
    with pytest.raises(AuthEmulatorError, match=re.escape(DISPOSABLE_MESSAGE)):
        auth_emulator.sign_up(f"x-{uuid.uuid4().hex[:8]}@mailinator.com", PASSWORD)


def test_third_sign_up_from_one_public_ip_in_a_day_is_refused(firestore, bem_root):
    """What production sees: the blocking request carries the caller's address."""
    ip = f"198.51.100.{secrets.randbelow(250) + 1}"
    firestore.delete(f"usage/{ip}")  # this test's own address may carry a count from an earlier run today
    url = emulator_urls(bem_root).function_url("bm_authBeforeCreate")

    def before_create(n: int):
        uid = f"_test-ip-{secrets.token_hex(4)}"
        jwt = blocking_jwt("beforeCreate", uid, f"{uid}@example.com", ip=ip, project=PROJECT)
        return requests.post(url, json={"data": {"jwt": jwt}}, timeout=30)

    assert [before_create(n).status_code for n in range(2)] == [200, 200]
    refused = before_create(3)
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"] == {"status": "RESOURCE_EXHAUSTED", "message": TOO_MANY_SIGNUPS_MESSAGE}
    assert firestore.get(f"usage/{ip}")["signups"]["daily"] == 2


def test_local_sign_ups_through_the_auth_emulator_are_not_limited(auth_emulator, firestore):
    for n in range(3):
        auth_emulator.sign_up(unique_email(f"loopback-{n}"), PASSWORD)
    assert firestore.get("usage/127.0.0.1") is None


def test_project_before_create_hook_blocks(auth_emulator):
    with pytest.raises(AuthEmulatorError, match=re.escape(HOOK_BLOCKED_MESSAGE)):
        auth_emulator.sign_up(f"_test.blocked-by-hook@{uuid.uuid4().hex[:8]}.example.com", PASSWORD)


def test_deleting_the_auth_user_removes_the_document(auth_emulator, firestore, wait_for):
    account, _ = signed_up(auth_emulator, firestore, wait_for, "deleted")
    auth_emulator.delete_user(account["uid"])
    wait_for(lambda: not firestore.exists(f"users/{account['uid']}"), timeout=TRIGGER_TIMEOUT,
             message="on-delete did not remove the user document")


def test_admin_sdk_user_gets_a_document_on_first_api_call(auth_emulator, firestore, bm):
    email = unique_email("admin-sdk")
    uid = auth_emulator.create_user_admin(email, PASSWORD)
    # on-create also fires for Admin SDK users; let it settle, then take its document away
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not firestore.exists(f"users/{uid}"):
        time.sleep(0.2)
    firestore.delete(f"users/{uid}")
    token = auth_emulator.sign_in(email, PASSWORD)["idToken"]  # before-sign-in leaves a missing document alone
    response = bm.as_(token).get("user")
    assert response.status == 200, response.text
    assert response.json["user"]["auth"]["uid"] == uid
    assert firestore.get(f"users/{uid}")["auth"]["email"] == email


def test_signup_route_completes_a_new_account(auth_emulator, firestore, wait_for, bm):
    account, _ = signed_up(auth_emulator, firestore, wait_for, "route")
    response = bm.as_(account["idToken"]).post("user/signup", {"consent": {"legal": {"granted": True}}})
    assert response.status == 200, response.text
    assert firestore.get(f"users/{account['uid']}")["flags"]["signupProcessed"] is True
    assert bm.as_(account["idToken"]).post("user/signup", {}).status == 400


def test_revoked_sessions_fail_verification_with_revocation_checks(auth_emulator, firestore, wait_for, bm, manager):
    from firebase_admin import auth

    account, _ = signed_up(auth_emulator, firestore, wait_for, "revoke")
    app = manager.firebase_app()
    assert auth.verify_id_token(account["idToken"], check_revoked=True, app=app)["uid"] == account["uid"]
    time.sleep(1.1)  # Auth stores tokensValidAfter in whole seconds; a token from the same second still passes
    assert bm.as_(account["idToken"]).delete("user/sessions").status == 200
    with pytest.raises(auth.RevokedIdTokenError):
        auth.verify_id_token(account["idToken"], check_revoked=True, app=app)


def test_delete_route_removes_the_account(auth_emulator, firestore, wait_for, bm, manager):
    from firebase_admin import auth

    account, _ = signed_up(auth_emulator, firestore, wait_for, "self-delete")
    response = bm.as_(account["idToken"]).delete("user")
    assert response.status == 200, response.text
    assert firestore.get(f"users/{account['uid']}") is None
    with pytest.raises(auth.UserNotFoundError):
        auth.get_user(account["uid"], app=manager.firebase_app())


def test_admin_cron_prunes_old_auth_event_records(firestore, bm):
    week_and_a_day = int(time.time()) - 8 * 24 * 3600
    firestore.set("auth-events/_test-old", {"id": "_test-old", "type": "created", "uid": "u", "created": {"timestampUNIX": week_and_a_day}})
    firestore.set("auth-events/_test-recent", {"id": "_test-recent", "type": "created", "uid": "u", "created": {"timestampUNIX": int(time.time())}})

    response = bm.as_("admin").post("admin/cron", {"id": "prune-auth-events"})

    assert response.status == 200 and response.json["ok"] is True, response.text
    assert not firestore.exists("auth-events/_test-old")
    assert firestore.exists("auth-events/_test-recent")
