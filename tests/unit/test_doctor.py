"""``mgr doctor``: what a project must change after an upgrade, --fix for the safe parts, --json, exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from functions.cli import _register, app
from functions.cli.init_cmd import create_project
from functions.cli.project_files import HOSTING_REWRITE_SOURCES
from functions.config.secrets import GENERATED
from functions.indexes import REQUIRED_INDEXES

_register()
runner = CliRunner()
FRAMEWORK_SECRETS = GENERATED  # the secrets mgr setup generates


@pytest.fixture
def project(tmp_path, monkeypatch, firestore):  # firestore: an empty in-memory store, so the campaign check starts unseeded
    root = tmp_path / "acme"
    create_project(root)
    for name in (*FRAMEWORK_SECRETS, "GCLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    (root / ".env").write_text("".join(f"{name}=value-{name}\n" for name in FRAMEWORK_SECRETS))
    monkeypatch.chdir(root)
    return root


def doctor(*args: str) -> tuple[int, dict[str, dict]]:
    result = runner.invoke(app, ["doctor", "--json", *args])
    body = json.loads(result.stdout)
    return result.exit_code, {check["id"]: check for check in body["checks"]} | {"_fixed": body["fixed"]}


def test_a_new_project_passes_every_project_check(project):
    code, checks = doctor()
    assert code == 0
    for check_id in ("config.valid", "project.id", "firebase.firestore-entries", "firebase.hosting-rewrites",
                     "firestore.rules-file", "firestore.indexes-file", "indexes.required", "secrets.development.BACKEND_MANAGER_KEY"):
        assert checks[check_id]["level"] == "ok", checks[check_id]


def test_after_an_upgrade_it_reports_and_fixes_indexes_and_firebase_json(project):
    own_index = {"collectionGroup": "things", "queryScope": "COLLECTION",
                 "fields": [{"fieldPath": "a", "order": "ASCENDING"}, {"fieldPath": "b", "order": "DESCENDING"}]}
    indexes = json.loads((project / "firestore.indexes.json").read_text())
    indexes["indexes"] = [*indexes["indexes"][:2], own_index]
    (project / "firestore.indexes.json").write_text(json.dumps(indexes))
    firebase = json.loads((project / "firebase.json").read_text())
    del firebase["firestore"]["indexes"]
    firebase["hosting"]["rewrites"] = [{"source": "**", "destination": "/index.html"}]
    (project / "firebase.json").write_text(json.dumps(firebase))

    code, checks = doctor()
    assert code == 1  # firebase.json would not deploy the indexes: an error
    assert checks["firebase.firestore-entries"]["level"] == "error" and checks["firebase.firestore-entries"]["fixable"]
    assert checks["firebase.hosting-rewrites"]["level"] == "warn"
    assert checks["indexes.required"]["message"].startswith(f"{len(REQUIRED_INDEXES) - 2} required index(es) missing")

    code, checks = doctor("--fix")
    assert code == 0, checks
    assert checks["_fixed"] == ["firebase.json: added firestore.indexes, " + ", ".join(f"hosting rewrite {s}" for s in HOSTING_REWRITE_SOURCES),
                               f"firestore.indexes.json: {len(REQUIRED_INDEXES) - 2} required index(es) added",
                               "marketing-campaigns: 5 recurring campaign(s) seeded"]
    assert all(checks[i]["level"] == "ok" for i in ("firebase.firestore-entries", "firebase.hosting-rewrites", "indexes.required"))
    fixed = json.loads((project / "firebase.json").read_text())
    assert fixed["firestore"]["indexes"] == "firestore.indexes.json"
    # the API paths (one rewrite, as BEM writes it) before the project's catch-all, which stays
    assert fixed["hosting"]["rewrites"] == [{"source": "{" + ",".join(HOSTING_REWRITE_SOURCES) + "}", "function": "bm_api"},
                                            {"source": "**", "destination": "/index.html"}]
    merged = json.loads((project / "firestore.indexes.json").read_text())["indexes"]
    assert own_index in merged and len(merged) == len(REQUIRED_INDEXES) + 1
    assert doctor("--fix")[1]["_fixed"] == []  # idempotent


def test_separate_rewrites_count_as_present_and_a_partial_set_is_completed(project):
    firebase = json.loads((project / "firebase.json").read_text())
    firebase["hosting"]["rewrites"] = [{"source": s, "function": {"functionId": "bm_api", "region": "us-central1"}}
                                       for s in HOSTING_REWRITE_SOURCES]
    (project / "firebase.json").write_text(json.dumps(firebase))
    assert doctor()[1]["firebase.hosting-rewrites"]["level"] == "ok"
    firebase["hosting"]["rewrites"] = firebase["hosting"]["rewrites"][2:]
    (project / "firebase.json").write_text(json.dumps(firebase))
    assert "/backend-manager, /backend-manager/** to bm_api" in doctor()[1]["firebase.hosting-rewrites"]["message"]
    doctor("--fix")
    rewrites = json.loads((project / "firebase.json").read_text())["hosting"]["rewrites"]
    assert rewrites[0] == {"source": "{/backend-manager,/backend-manager/**}", "function": "bm_api"} and len(rewrites) == 8


def test_invalid_config_and_disagreeing_project_ids_are_errors(project):
    config = json.loads((project / "backend-manager-config.json").read_text())
    config["firebaseConfig"] = {"projectId": "someone-else"}
    config["brand"] = "not an object"
    (project / "backend-manager-config.json").write_text(json.dumps(config))
    code, checks = doctor()
    assert code == 1
    assert checks["config.valid"]["level"] == "error" and "brand" in checks["config.valid"]["message"]
    assert checks["project.id"]["level"] == "error"
    assert "someone-else" in checks["project.id"]["message"] and "acme" in checks["project.id"]["message"]


def test_missing_framework_secret_is_a_warning_with_a_hint(project):
    (project / ".env").write_text("BACKEND_MANAGER_NAMESPACE=x\n")
    code, checks = doctor()
    assert code == 0
    assert checks["secrets.development.BACKEND_MANAGER_KEY"]["level"] == "warn"
    assert "mgr setup" in checks["secrets.development.BACKEND_MANAGER_KEY"]["hint"]
    assert checks["secrets.development.BACKEND_MANAGER_NAMESPACE"]["level"] == "ok"
    assert checks["secrets.development.STRIPE_SECRET_KEY"]["level"] == "ok"  # a service key is optional locally


def test_text_output_lists_problems_with_hints(project):
    (project / "firestore.rules").unlink()
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "error firestore.rules-file: firestore.rules is missing" in result.stdout
    assert "error(s)" in result.stdout.splitlines()[-1]
