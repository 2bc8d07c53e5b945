"""pytest plugin (entry point ``bem``): fixtures for testing a backend-manager project.

Unit tier (default): ``manager``, ``firestore``, ``accounts``, ``bm`` run in-process on the
in-memory Firestore. Emulator tier (tests marked ``emulator``, run by ``mgr test``): the
same fixture names talk to the Firebase Emulator Suite over HTTP.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from functions.testing import unit
from functions.testing.ai_fixtures import _anthropic_fake_server, _openai_fake_server, ai, ai_config, anthropic_fake, openai_fake  # noqa: F401 (fixtures)
from functions.testing.chargebee_fixtures import _chargebee_fake_server, chargebee_fake  # noqa: F401 (fixtures)
from functions.testing.fcm_fixtures import _fcm_fake_server, fcm_fake  # noqa: F401 (fixtures)
from functions.testing.marketing_fixtures import _beehiiv_fake_server, beehiiv_fake, marketing  # noqa: F401 (fixtures)
from functions.testing.paypal_fixtures import _paypal_fake_server, paypal_fake  # noqa: F401 (fixtures)
from functions.testing.sendgrid_fixtures import _sendgrid_fake_server, mailbox, sendgrid_fake  # noqa: F401 (fixtures)
from functions.testing.stripe_fixtures import _stripe_fake_server, signed_stripe_event, stripe_fake  # noqa: F401 (fixtures)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "emulator: needs the Firebase Emulator Suite (run through `mgr test`)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests under a folder named ``emulator`` belong to the emulator tier."""
    for item in items:
        if "emulator" in Path(str(item.fspath)).parts[:-1]:
            item.add_marker(pytest.mark.emulator)


def _is_emulator(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("emulator") is not None


@pytest.fixture(autouse=True)
def _emulator_marketing_fakes(request: pytest.FixtureRequest) -> None:
    """Emulator tier: the SendGrid and Beehiiv fakes run for the whole session on the fixed ports the
    test-mode functions call (``functions/testing/test_env.py``), whether or not a test asks for them."""
    if _is_emulator(request):
        request.getfixturevalue("_sendgrid_fake_server")
        request.getfixturevalue("_beehiiv_fake_server")


@pytest.fixture
def bem_root(pytestconfig: pytest.Config) -> Any:
    return unit.find_project_root(pytestconfig.rootpath)


@pytest.fixture
def manager(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, bem_root: Any) -> Any:
    if _is_emulator(request):
        from functions.testing.emulator import emulator_manager

        return emulator_manager(monkeypatch, bem_root)
    unit.apply_unit_env(monkeypatch)
    return unit.make_manager(bem_root)


@pytest.fixture
def firestore(manager: Any) -> Any:
    from functions.testing.firestore_helper import FirestoreHelper

    return FirestoreHelper(manager.db)


@pytest.fixture
def accounts(request: pytest.FixtureRequest, manager: Any, firestore: Any) -> Any:
    if _is_emulator(request):
        from functions.testing.emulator import emulator_accounts

        return emulator_accounts()
    return unit.seed_accounts(firestore, manager=manager)


@pytest.fixture
def bm(request: pytest.FixtureRequest, manager: Any, accounts: Any) -> Any:
    if _is_emulator(request):
        from functions.testing.emulator import emulator_client

        return emulator_client(accounts)
    return unit.unit_client(manager, accounts)


@pytest.fixture
def auth_emulator(bem_root: Any) -> Any:
    """The Auth emulator's REST API (emulator tier): sign_up, sign_in, create_user_admin, delete_user."""
    from functions.testing.emulator import auth_emulator as make

    return make(bem_root)


@pytest.fixture
def rules(request: pytest.FixtureRequest, bem_root: Any, manager: Any, accounts: Any) -> Any:
    """Act as an account through the Firestore emulator's rules engine (emulator tier)."""
    from functions.testing.emulator import emulator_urls
    from functions.testing.rules import Rules

    return Rules(emulator_urls(bem_root).firestore, unit.PROJECT, accounts)


@pytest.fixture
def run_cron(bm: Any) -> Callable[[str], Any]:
    """``run_cron("reset-usage")`` or ``run_cron("daily")``: run jobs on demand through ``admin/cron``."""
    from functions.testing.test_env import ADMIN_KEY

    def run(job: str) -> Any:
        response = bm.with_admin_key(ADMIN_KEY).post("admin/cron", {"id": job})
        assert response.status == 200, response.text
        return response.json

    return run


@pytest.fixture
def wait_for() -> Callable[..., Any]:
    """``wait_for(condition, timeout=10)``: poll until ``condition()`` is truthy; return its value."""

    def wait(condition: Callable[[], Any], timeout: float = 10.0, interval: float = 0.1, message: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(message or f"condition not met within {timeout}s")
            time.sleep(interval)

    return wait
