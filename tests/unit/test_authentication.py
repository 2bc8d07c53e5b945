"""Authentication by admin key, ID token, API key or none; 401/403; self-or-admin."""

import time

from functions.testing.tokens import emulator_id_token
from functions.testing.unit import ADMIN_KEY


def test_no_credentials_is_anonymous(bm):
    assert bm.get("test/authenticate").json == {"authenticated": False, "uid": None, "method": None, "admin": False}


def test_admin_key_makes_an_admin(bm):
    response = bm.with_admin_key(ADMIN_KEY).get("test/authenticate")
    assert response.json == {"authenticated": True, "uid": None, "method": "admin-key", "admin": True}


def test_wrong_admin_key_is_401(bm):
    response = bm.with_admin_key("nope").get("test/authenticate")
    assert response.status == 401
    assert response.error == "Invalid backendManagerKey"


def test_admin_key_refused_when_server_has_none(bm, monkeypatch):
    monkeypatch.delenv("BACKEND_MANAGER_KEY")
    assert bm.with_admin_key(ADMIN_KEY).get("test/authenticate").status == 401


def test_id_token_in_bearer_cookie_or_body(bm, accounts):
    token, uid = accounts["basic"].token, accounts["basic"].uid
    assert bm.get("test/authenticate", headers={"Authorization": f"Bearer {token}"}).json["uid"] == uid
    assert bm.get("test/authenticate", headers={"Cookie": f"__session={token}"}).json["uid"] == uid
    assert bm.get("test/authenticate", query={"authenticationToken": token}).json["uid"] == uid


def test_expired_id_token_is_401_where_a_user_is_required(bm, accounts):
    old = emulator_id_token(accounts["basic"].uid, issued_at=int(time.time()) - 7200, expires_in=3600)
    response = bm.as_(old).get("user")
    assert response.status == 401
    assert response.error == "Invalid or expired ID token"


def test_tampered_token_is_401_where_a_user_is_required(bm, accounts):
    header, payload, _ = accounts["basic"].token.split(".")
    tampered = f"{header}.{payload[:-4]}AAAA."
    assert bm.as_(tampered).get("user").status == 401


def test_token_for_another_project_is_401_where_a_user_is_required(bm, accounts):
    foreign = emulator_id_token(accounts["basic"].uid, project="demo-other")
    assert bm.as_(foreign).get("user").status == 401


def test_api_key_authenticates_its_owner(bm, accounts, firestore):
    private_key = firestore.get(f"users/{accounts['premium-active'].uid}")["api"]["privateKey"]
    response = bm.get("test/authenticate", query={"apiKey": private_key})
    assert response.json["uid"] == accounts["premium-active"].uid
    assert response.json["method"] == "api-key"
    assert bm.as_(private_key).get("test/authenticate").json["uid"] == accounts["premium-active"].uid


def test_unknown_api_key_is_401_where_a_user_is_required(bm):
    response = bm.as_("not-a-real-key").get("user")
    assert response.status == 401
    assert response.error == "Invalid API key"


def test_user_route_needs_authentication(bm):
    assert bm.get("user").status == 401


def test_admin_routes_refuse_non_admins_403(bm):
    response = bm.as_("basic").get("admin/firestore", query={"path": "users/x"})
    assert response.status == 403
    assert response.error == "Admin required"


def test_self_or_admin_on_user_routes(bm, accounts):
    other = accounts["premium-active"].uid
    own = bm.as_("basic").get("user")
    assert own.status == 200
    assert own.json["user"]["auth"]["uid"] == accounts["basic"].uid
    assert "privateKey" not in own.json["user"]["api"]
    assert bm.as_("basic").get("user", query={"uid": other}).status == 403
    as_admin = bm.as_("admin").get("user", query={"uid": other})
    assert as_admin.status == 200
    assert as_admin.json["user"]["auth"]["uid"] == other
    assert bm.as_("admin").get("user/subscription", query={"uid": other}).json["resolved"]["plan"] == "premium"


def test_missing_user_for_admin_is_404(bm):
    response = bm.with_admin_key(ADMIN_KEY).get("user", query={"uid": "ghost"})
    assert response.status == 404


def test_token_for_user_without_document_provisions_it(bm, firestore, manager):
    manager.services["auth_admin"].add("fresh-uid", "fresh@example.com")
    token = emulator_id_token("fresh-uid", email="fresh@example.com", name="Ada Lovelace")
    response = bm.as_(token).get("user")
    assert response.status == 200
    stored = firestore.get("users/fresh-uid")
    assert stored["auth"] == {"uid": "fresh-uid", "email": "fresh@example.com", "temporary": False}
    assert stored["personal"]["name"] == {"first": "Ada", "last": "Lovelace"}
    assert stored["subscription"]["product"]["id"] == "basic"


def test_user_subscription_route(bm):
    response = bm.as_("premium-cancelling").get("user/subscription")
    assert response.status == 200
    assert response.json["resolved"] == {"plan": "premium", "active": True, "trialing": False, "cancelling": True, "ever_paid": True}
    assert response.json["subscription"]["cancellation"]["pending"] is True


def test_token_of_a_deleted_account_does_not_bring_the_document_back(bm, firestore):
    token = emulator_id_token("deleted-uid", email="gone@example.com")
    response = bm.as_(token).get("user")
    assert response.status == 401
    assert response.error == "This account no longer exists"
    assert not firestore.exists("users/deleted-uid")
