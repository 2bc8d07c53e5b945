"""The mgr CLI: version, indexes (idempotent, keeps the project's own), setup."""

import json

import pytest
from typer.testing import CliRunner

from functions.cli import _register, app
from functions.indexes import REQUIRED_INDEXES

_register()
runner = CliRunner()


@pytest.fixture
def project_dir(tmp_path, monkeypatch):
    (tmp_path / "main.py").write_text("")
    (tmp_path / "firebase.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_version():
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.output.strip() == "0.1.0"


def test_indexes_writes_required_and_keeps_own_and_is_idempotent(project_dir):
    own = {"collectionGroup": "things", "queryScope": "COLLECTION",
           "fields": [{"fieldPath": "a", "order": "ASCENDING"}, {"fieldPath": "b", "order": "DESCENDING"}]}
    (project_dir / "firestore.indexes.json").write_text(json.dumps({"indexes": [own], "fieldOverrides": []}))
    first = runner.invoke(app, ["indexes"])
    assert first.exit_code == 0
    assert f"{len(REQUIRED_INDEXES)} index(es) added" in first.output
    written = json.loads((project_dir / "firestore.indexes.json").read_text())
    assert written["indexes"][0] == own
    assert len(written["indexes"]) == len(REQUIRED_INDEXES) + 1
    assert {"fieldPath": "tags", "arrayConfig": "CONTAINS"} in written["indexes"][3]["fields"]
    second = runner.invoke(app, ["indexes"])
    assert "0 index(es) added" in second.output
    assert runner.invoke(app, ["indexes", "--check"]).exit_code == 0


def test_indexes_check_fails_when_missing(project_dir):
    assert runner.invoke(app, ["indexes", "--check"]).exit_code == 1


def test_setup_reports_a_bad_config_and_creates_env(project_dir):
    (project_dir / "backend-manager-config.json").write_text('{"payment": {"products": [{"id": "pro"}]}}')
    (project_dir / ".env.example").write_text("BACKEND_MANAGER_KEY=\n")
    result = runner.invoke(app, ["setup"])
    assert result.exit_code == 1
    assert "payment.products.0" in result.output
    assert (project_dir / ".env").exists()


def test_command_outside_a_project_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["indexes"])
    assert result.exit_code == 2
    assert "No project here" in result.output


def test_setup_warns_about_stripe_key_mode_mismatch():
    from functions.cli.setup_cmd import stripe_warnings

    assert stripe_warnings({"STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec"}, "development") == [
        "STRIPE_SECRET_KEY is a live key but the environment is development"
    ]
    assert "test key in production" in stripe_warnings({"STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "w"}, "production")[0]
    assert "STRIPE_WEBHOOK_SECRET is not set" in stripe_warnings({"STRIPE_SECRET_KEY": "sk_test_x"}, "development")[0]
    assert stripe_warnings({}, "production") == []
