"""A project on the framework gets the built-ins as its last layer and overrides any of them;
this repository (whose root folders are the built-ins) does not get them twice."""

from __future__ import annotations

import shutil
from pathlib import Path

from functions.builtins import builtin_dir, builtin_layer
from functions.cli.init_cmd import create_project
from functions.testing import unit
from functions.testing.client import ApiClient, InProcessTransport
from functions.wsgi import api_app
from tests.unit.conftest import write

REPO = Path(__file__).resolve().parents[2]


def _client(root: Path, monkeypatch, accounts) -> tuple:
    unit.apply_unit_env(monkeypatch)
    manager = unit.make_manager(root)
    return manager, ApiClient(InProcessTransport(api_app(manager)), accounts=accounts)


def test_framework_checkout_lists_each_builtin_folder_once(manager):
    assert manager.options.layers("routes") == [REPO / "routes"]
    assert builtin_layer(REPO, "hooks") == ()


def test_new_project_gets_builtins_last_and_overrides_them(tmp_path, monkeypatch, accounts):
    root = tmp_path / "acme"
    create_project(root)
    write(root / "routes/test/health/get.py", """
        from functions.api import RouteOptions

        OPTIONS = RouteOptions(authenticate=False, setup_usage=False, setup_settings=False)


        def main():
            return {"status": "from the project"}
    """)
    manager, client = _client(root, monkeypatch, accounts)
    assert manager.options.layers("routes") == [root / "routes", builtin_dir() / "routes"]
    assert client.get("test/health").json == {"status": "from the project"}
    brand = client.get("brand")  # a built-in the project does not override
    assert brand.status == 200, brand.text
    assert manager.find_file("hooks", "auth/before_create.py") == builtin_dir() / "hooks/auth/before_create.py"
    cron_jobs = manager.list_files("cron", "daily")
    assert cron_jobs and all(path.is_relative_to(builtin_dir() / "cron") for path in cron_jobs)


def test_project_without_its_own_folders_still_serves_builtins(tmp_path, monkeypatch, accounts):
    root = tmp_path / "bare"
    create_project(root)
    shutil.rmtree(root / "routes")
    shutil.rmtree(root / "schemas")  # a schema without its route would (rightly) stop the start-up check
    manager, client = _client(root, monkeypatch, accounts)
    assert manager.options.layers("routes") == [root / "routes", builtin_dir() / "routes"]
    health = client.get("test/health")
    assert health.status == 200 and health.json["status"] in ("ok", "healthy")
    assert client.get("hello").status == 404
