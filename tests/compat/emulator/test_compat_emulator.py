"""BEM documents written straight into the emulator's Firestore, driven through the deployed ``bm_api``.

Each test creates its own Auth account (as the Admin SDK does, so no trigger races the document),
stores a BEM fixture under its uid and calls the API with the account's real ID token and its BEM
API key. Emulator tier (this folder is named ``emulator``).
"""

from __future__ import annotations

import time
import uuid

import pytest

from functions.testing.test_env import PROJECT
from functions.testing.tokens import emulator_id_token
from tests.compat.conftest import bem_fixture

pytestmark = pytest.mark.emulator

PASSWORD = "compat-password-1"


@pytest.fixture
def bem_account(auth_emulator, firestore):
    """``make(fixture)`` → (uid, stored document, ID token); accounts and documents removed afterwards."""
    made: list[str] = []

    def make(name: str):
        document = bem_fixture(name)["document"]
        email = f"compat-{uuid.uuid4().hex[:10]}@example.com"
        uid = auth_emulator.create_user_admin(email, PASSWORD)
        made.append(uid)
        document["auth"].update({"uid": uid, "email": email})
        if isinstance(document.get("api"), dict) and isinstance(document["api"].get("privateKey"), str):
            document["api"]["privateKey"] = uuid.uuid4().hex + uuid.uuid4().hex[:12]  # unique per run
        token = auth_emulator.sign_in(email, PASSWORD)["idToken"]  # before-sign-in records activity: sign in first
        firestore.set(f"users/{uid}", document)
        return uid, document, token

    yield make
    for uid in made:
        firestore.delete(f"users/{uid}")
        auth_emulator.delete_user(uid)


def _uid_of(body: dict) -> str | None:
    user = body.get("user")
    return (user.get("auth") or {}).get("uid") or user.get("uid") if isinstance(user, dict) else body.get("uid")


@pytest.mark.parametrize("name", ["bem-default-user", "bem-full-user", "bem-cancelling-user", "bem-malformed-user"])
def test_bem_documents_answer_2xx_through_bm_api(bm, firestore, bem_account, name):
    uid, document, token = bem_account(name)
    client = bm.as_(token)

    own = client.get("user")
    resolved = client.get("user/subscription")
    who = client.get("test/authenticate")
    by_key = bm.get("test/authenticate", query={"apiKey": document["api"]["privateKey"]})
    by_admin = bm.as_("admin").get("user", query={"uid": uid})

    assert own.status == 200, own.text
    assert own.json["user"]["auth"]["uid"] == uid
    assert resolved.status == 200, resolved.text
    assert who.status == 200 and _uid_of(who.json) == uid
    assert by_key.status == 200 and _uid_of(by_key.json) == uid
    assert by_admin.status == 200 and by_admin.json["user"]["auth"]["uid"] == uid
    assert firestore.get(f"users/{uid}") == document  # read, never rewritten


def test_a_bem_trialing_user_resolves_to_premium_and_keeps_every_leaf(bm, bem_account):
    _, document, token = bem_account("bem-full-user")
    client = bm.as_(token)
    body = client.get("user").json["user"]
    assert client.get("user/subscription").json["resolved"]["trialing"] is True
    for key in ("personal", "activity", "attribution", "oauth2", "consent", "affiliate", "subscription"):
        assert body[key] == document[key], key


def test_an_expired_token_still_reads_public_routes_and_is_401_where_a_user_is_required(bm, bem_account):
    uid, _, _ = bem_account("bem-default-user")
    expired = emulator_id_token(uid, issued_at=int(time.time()) - 7200, expires_in=3600, project=PROJECT)
    who = bm.as_(expired).get("test/authenticate")
    assert who.status == 200 and _uid_of(who.json) is None
    assert bm.as_(expired).get("user").status == 401


def test_the_daily_reset_zeroes_bem_counters_without_marker(bm, firestore, bem_account, run_cron):
    uid, document, token = bem_account("bem-full-user")
    firestore.set(f"users/{uid}", {"usage": {"requests": {"daily": 7, "monthly": 9, "total": 400}}}, merge=True)

    result = run_cron("reset-usage")

    assert result["ok"] is True, result
    stored = firestore.get(f"users/{uid}")
    assert stored["usage"]["requests"]["daily"] == 0
    assert stored["usage"]["requests"]["total"] == 400
    assert stored["personal"] == document["personal"]  # one targeted update, nothing else rewritten
    assert bm.as_(token).get("user").json["user"]["usage"]["requests"]["daily"] == 0
