"""Unit-tier fixtures: the Manager in-process on the in-memory Firestore.

ID tokens are minted in the Auth emulator's format and verified by firebase-admin's
own emulator path (``FIREBASE_AUTH_EMULATOR_HOST`` points at a closed port: nothing is called).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from functions.testing.accounts import Account, default_accounts
from functions.testing.client import ApiClient, InProcessTransport
from functions.testing.firestore_helper import FirestoreHelper
from functions.testing.test_env import ADMIN_KEY, PROJECT, WEBHOOK_KEY
from functions.testing.tokens import emulator_id_token

UNIT_ENV = {
    "BEM_TESTING": "true",
    "BEM_FIRESTORE": "memory",
    "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9",
    "GCLOUD_PROJECT": PROJECT,
    "BACKEND_MANAGER_KEY": ADMIN_KEY,
    "BACKEND_MANAGER_WEBHOOK_KEY": WEBHOOK_KEY,
}
CLEARED_ENV = ("FIRESTORE_EMULATOR_HOST", "ENVIRONMENT", "FUNCTIONS_EMULATOR", "TEST_EXTENDED_MODE", "STRIPE_WEBHOOK_SECRET")


def find_project_root(start: Path) -> Path:
    for candidate in (start, *start.parents):
        if (candidate / "main.py").is_file() and (candidate / "backend-manager-config.json").is_file():
            return candidate
    raise RuntimeError(f"no backend-manager project (main.py + backend-manager-config.json) above {start}")


def apply_unit_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from functions.store import reset_clients

    for name in CLEARED_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in UNIT_ENV.items():
        monkeypatch.setenv(name, value)
    reset_clients()


def make_manager(root: Path, **options: Any) -> Any:
    """A Manager on the in-memory store, with an in-memory Auth admin (no Auth emulator here)."""
    from functions.auth.admin import MemoryAuthAdmin, use_auth_admin
    from functions.manager import Manager

    manager = Manager.create(root, **options)
    use_auth_admin(manager, MemoryAuthAdmin())
    return manager


def seed_accounts(firestore: FirestoreHelper, accounts: dict[str, Account] | None = None, manager: Any = None) -> dict[str, Account]:
    accounts = accounts or default_accounts()
    auth = manager.services.get("auth_admin") if manager is not None else None
    for account in accounts.values():
        firestore.set(f"users/{account.uid}", account.document())
        if auth is not None and hasattr(auth, "add"):
            auth.add(account.uid, account.email)
        account.token = emulator_id_token(account.uid, email=account.email, project=PROJECT)
    return accounts


def unit_client(manager: Any, accounts: dict[str, Account]) -> ApiClient:
    from functions.wsgi import api_app

    return ApiClient(InProcessTransport(api_app(manager)), accounts=accounts)
