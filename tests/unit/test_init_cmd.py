"""``mgr init DIR``: the files a new project needs, refusing to overwrite a non-empty folder."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from functions.cli import _register, app
from functions.cli.project_files import HOSTING_REWRITE_SOURCES, missing_firestore_entries, missing_rewrites
from functions.config import load_config
from functions.indexes import merge_indexes

_register()
runner = CliRunner()


def test_init_writes_a_complete_project(tmp_path):
    target = tmp_path / "My Shop"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    for name in ("main.py", ".gitignore", ".env.example", "firestore.rules", "pyproject.toml", "README.md",
                 "routes/hello/get.py", "schemas/hello/get.py", "tests/unit/test_hello.py",
                 "emulator/package.json", "emulator/package-lock.json", "bin/setup", "public/index.html"):
        assert (target / name).is_file(), name
    assert "Manager.init(globals())" in (target / "main.py").read_text()
    firebase = json.loads((target / "firebase.json").read_text())
    assert missing_rewrites(firebase) == [] and missing_firestore_entries(firebase) == []
    assert firebase["hosting"]["rewrites"][0] == {"source": "{" + ",".join(HOSTING_REWRITE_SOURCES) + "}", "function": "bm_api"}
    assert "venv" in firebase["functions"][0]["ignore"]
    assert merge_indexes(json.loads((target / "firestore.indexes.json").read_text()))[1] == []
    assert load_config(target / "backend-manager-config.json").brand.id == "my-shop"
    assert (target / "requirements.txt").read_text().splitlines()[-1] == "backend-manager-py==0.1.0"
    assert "# my-shop" in (target / "README.md").read_text()
    assert (target / "bin/setup").stat().st_mode & 0o100


def test_init_framework_option_replaces_the_pin(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path / "p"), "--framework", "/wheels/backend_manager_py-0.1.0-py3-none-any.whl"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p/requirements.txt").read_text().splitlines()[-1] == "/wheels/backend_manager_py-0.1.0-py3-none-any.whl"


def test_init_refuses_a_non_empty_folder_unless_forced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    refused = runner.invoke(app, ["init", str(tmp_path)])
    assert refused.exit_code == 2
    assert "not empty" in refused.output
    assert not (tmp_path / "main.py").exists()
    forced = runner.invoke(app, ["init", str(tmp_path), "--force"])
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "main.py").is_file() and (tmp_path / "notes.txt").read_text() == "mine"
