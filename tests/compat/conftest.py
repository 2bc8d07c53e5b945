"""Compatibility suite helpers: BEM's own artifacts as JSON fixtures, and a public probe route."""

from __future__ import annotations

import copy
import json
import textwrap
from functools import cache
from pathlib import Path

import pytest

from functions.testing import unit
from functions.testing.client import ApiClient, InProcessTransport
from functions.wsgi import api_app

FIXTURES = Path(__file__).parent / "fixtures"


@cache
def _load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def bem_fixture(name: str) -> dict:
    """A fresh copy of ``tests/compat/fixtures/{name}.json``."""
    return copy.deepcopy(_load(name))


WHOAMI = '''
from functions.api import RouteOptions

OPTIONS = RouteOptions()


def main(user):
    return {"authenticated": user.authenticated, "uid": user.uid}
'''


@pytest.fixture
def public_probe(manager, accounts, tmp_path):
    """A client whose project adds ``GET whoami``: a route with no ``require`` (like ``brand``)."""
    routes = tmp_path / "routes"
    (routes / "whoami").mkdir(parents=True)
    (routes / "whoami" / "get.py").write_text(textwrap.dedent(WHOAMI).lstrip())
    layered = unit.make_manager(manager.options.root, routes=[routes])
    return ApiClient(InProcessTransport(api_app(layered)), accounts=accounts)
