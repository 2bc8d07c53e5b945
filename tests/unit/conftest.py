"""Unit-tier helpers shared by the framework's own tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from functions.testing import unit
from functions.testing.client import ApiClient, InProcessTransport
from functions.wsgi import api_app


def write(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip())
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project layer (routes/, schemas/, hooks/) laid over the built-ins."""
    for name in ("routes", "schemas", "hooks", "cron"):
        (tmp_path / name).mkdir()
    return tmp_path


@pytest.fixture
def layered(manager, project, accounts):
    """Build a Manager with the ``project`` layer first and a client for it."""

    def build(**options):
        layered_manager = unit.make_manager(
            manager.options.root,
            routes=[project / "routes"],
            schemas=[project / "schemas"],
            hooks=[project / "hooks"],
            **options,
        )
        return layered_manager, ApiClient(InProcessTransport(api_app(layered_manager)), accounts=accounts)

    return build


@pytest.fixture
def auth_admin(manager, accounts):
    """The in-memory Auth admin the unit-tier manager uses, with the seeded accounts registered."""
    return manager.services["auth_admin"]
