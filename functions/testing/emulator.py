"""Emulator-tier fixtures: the same names as the unit tier, talking to the Emulator Suite.

The suite is found through ``BEM_EMULATOR_HUB`` (set by ``mgr test``) or the hub's
discovery file. Once per session, before the first emulator test, emulator Firestore
and the Auth users are cleared and BEM's test accounts are seeded as real Auth users with
real ID tokens and their user documents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from functions.testing.accounts import Account, default_accounts
from functions.testing.auth_emulator import AuthEmulator
from functions.testing.client import ApiClient, HttpTransport
from functions.testing.test_env import FUNCTIONS_TEST_ENV, PROJECT

_state: dict[str, Any] = {}


def emulator_urls(root: Path) -> Any:
    if "urls" not in _state:
        from functions.emulator import detect_running

        urls = detect_running(PROJECT, root)
        if urls is None or not (urls.auth and urls.firestore and urls.functions):
            pytest.skip("the Firebase Emulator Suite is not running (run the emulator tier with `mgr test`)")
        _state["urls"] = urls
    return _state["urls"]


def apply_env(monkeypatch: pytest.MonkeyPatch, urls: Any) -> None:
    from functions.store import reset_clients

    monkeypatch.delenv("BEM_FIRESTORE", raising=False)
    for name, value in {**FUNCTIONS_TEST_ENV, **urls.as_env()}.items():
        monkeypatch.setenv(name, value)
    reset_clients()


def emulator_manager(monkeypatch: pytest.MonkeyPatch, root: Path) -> Any:
    from functions.manager import Manager

    urls = emulator_urls(root)
    apply_env(monkeypatch, urls)
    manager = Manager.create(root)
    _seed_once(manager, urls)
    return manager


def auth_emulator(root: Path) -> AuthEmulator:
    urls = emulator_urls(root)
    return AuthEmulator(urls.auth, PROJECT)


def emulator_accounts() -> dict[str, Account]:
    return _state["accounts"]


def emulator_client(accounts: dict[str, Account]) -> ApiClient:
    return ApiClient(HttpTransport(_state["urls"].function_url("bm_api")), accounts=accounts)


def clear_firestore(urls: Any) -> None:
    url = f"http://{urls.firestore}/emulator/v1/projects/{PROJECT}/databases/(default)/documents"
    requests.delete(url, timeout=30).raise_for_status()


def _seed_once(manager: Any, urls: Any) -> None:
    if "accounts" in _state:
        return
    auth = AuthEmulator(urls.auth, PROJECT)
    clear_firestore(urls)
    auth.clear()
    accounts = default_accounts()
    for account in accounts.values():
        # the document first: the on-create trigger then finds it and leaves it alone
        manager.db.document(f"users/{account.uid}").set(account.document())
        auth.create_user_admin(account.email, account.password, uid=account.uid)
        account.token = auth.sign_in(account.email, account.password)["idToken"]
    _state["accounts"] = accounts

