"""Credentials on public routes (BEM): a stale or bad token reads as anonymous where no user is
required, and stays 401 where one is. Malformed and over-long credentials never reach Firestore."""

from __future__ import annotations

import time

import pytest

from functions.testing.tokens import emulator_id_token
from functions.testing.unit import ADMIN_KEY

ANONYMOUS = {"authenticated": False, "uid": None}


def expired(accounts) -> str:
    return emulator_id_token(accounts["basic"].uid, issued_at=int(time.time()) - 7200, expires_in=3600)


def test_an_expired_token_on_a_public_route_is_anonymous(public_probe, accounts):
    response = public_probe.as_(expired(accounts)).get("whoami")
    assert response.status == 200, response.text
    assert response.json == ANONYMOUS


def test_an_expired_token_where_a_user_is_required_is_401(public_probe, accounts):
    response = public_probe.as_(expired(accounts)).get("user")
    assert response.status == 401
    assert response.error == "Invalid or expired ID token"


def test_an_unknown_api_key_on_a_public_route_is_anonymous_and_401_where_required(public_probe):
    assert public_probe.get("whoami", query={"apiKey": "unknown-key"}).json == ANONYMOUS
    response = public_probe.get("user", query={"apiKey": "unknown-key"})
    assert (response.status, response.error) == (401, "Invalid API key")


def test_a_token_of_a_deleted_account_on_a_public_route_is_anonymous(public_probe, manager, accounts):
    manager.services["auth_admin"].delete_user(accounts["basic"].uid)
    manager.db.document(f"users/{accounts['basic'].uid}").delete()
    assert public_probe.as_(accounts["basic"].token).get("whoami").json == ANONYMOUS


@pytest.mark.parametrize(
    "credential",
    [
        {"headers": {"Authorization": "Bearer " + "k" * 5000}},
        {"headers": {"Authorization": "Bearer " + "a" * 3000 + "." + "b" * 3000 + ".c"}},
        {"query": {"apiKey": "x" * 5000}},
        {"query": {"authenticationToken": "key with spaces and <html>"}},
        {"query": {"apiKey": "ключ"}},
        {"headers": {"Authorization": "Bearer a.b.c$"}},
    ],
    ids=["bearer-5000", "jwt-6000", "apiKey-5000", "token-charset", "apiKey-unicode", "jwt-charset"],
)
def test_malformed_or_over_long_credentials_never_reach_firestore(public_probe, manager, credential):
    before = dict(getattr(manager.db, "stats", {}))

    public = public_probe.get("whoami", **credential)
    required = public_probe.get("user", **credential)

    assert public.status == 200 and public.json == ANONYMOUS
    assert required.status == 401
    assert manager.db.stats["scanned"] == before["scanned"]  # no query ran


def test_a_wrong_admin_key_stays_401_even_on_a_public_route(public_probe):
    response = public_probe.get("whoami", query={"backendManagerKey": "wrong"})
    assert (response.status, response.error) == (401, "Invalid backendManagerKey")
    assert public_probe.get("whoami", query={"backendManagerKey": "k" * 5000}).status == 401
    assert public_probe.get("whoami", query={"backendManagerKey": ADMIN_KEY}).json == {"authenticated": True, "uid": None}
