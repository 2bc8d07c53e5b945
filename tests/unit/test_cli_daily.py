"""``mgr firestore|auth`` argument handling and target choice, ``mgr deploy`` and ``mgr stripe listen``
without the emulators: usage errors (exit 2), the production confirmation, and the external CLIs
(firebase-tools, the Stripe CLI) replaced by recording executables at their process boundary."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from functions.cli import _register, app, auth_cmd, deploy_cmd, firestore_cmd
from functions.cli.firestore_cmd import Where, coerce_value, parse_order_by, parse_where
from functions.cli.target import production_project

_register()

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder where no emulator can be found (its hub port is closed, no hub locator)."""
    for name in ("backend-manager-config.json", "firestore.indexes.json", ".env.example", "main.py"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "firebase.json").write_text(json.dumps({"emulators": {"hub": {"port": _free_port()}}}))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    for name in ("FIREBASE_EMULATOR_HUB", "GCLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT", "FIREBASE_TOKEN",
                 "GOOGLE_APPLICATION_CREDENTIALS", "STRIPE_WEBHOOK_SECRET", "STRIPE_SECRET_KEY", "STRIPE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


# --- pure helpers ---

@pytest.mark.parametrize(("clause", "expected"), [
    ("subscription.status==active", Where("subscription.status", "==", "active")),
    ("n>=3", Where("n", ">=", 3)), ("n>3", Where("n", ">", 3)), ("price<=9.5", Where("price", "<=", 9.5)),
    ("flag!=true", Where("flag", "!=", True)), ("x==null", Where("x", "==", None)),
    ('name=="a==b"', Where("name", "==", "a==b")), ("id=='007'", Where("id", "==", "007")),
])
def test_parse_where(clause, expected):
    assert parse_where(clause) == expected


@pytest.mark.parametrize("bad", ["status", "==active", "status~active"])
def test_parse_where_rejects(bad):
    with pytest.raises(ValueError, match="--where"):
        parse_where(bad)


def test_coerce_and_order_by():
    assert coerce_value("-12") == -12 and coerce_value("false") is False and coerce_value("abc") == "abc"
    assert parse_order_by("created") == ("created", "asc") and parse_order_by("created:DESC") == ("created", "desc")
    with pytest.raises(ValueError):
        parse_order_by("created:sideways")


def test_production_project_prefers_service_account_then_firebaserc_then_env(tmp_path):
    env = {"GCLOUD_PROJECT": "from-env"}
    assert production_project(tmp_path, env) == "from-env"
    (tmp_path / ".firebaserc").write_text(json.dumps({"projects": {"default": "from-rc"}}))
    assert production_project(tmp_path, env) == "from-rc"
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "service-account.json").write_text(json.dumps({"project_id": "from-sa"}))
    assert production_project(tmp_path, env) == "from-sa"


# --- target choice and usage errors (no SDK call is made) ---

def test_without_an_emulator_the_commands_refuse_and_name_the_flags(project):
    result = runner.invoke(firestore_cmd.app, ["get", "users/abc"])
    assert result.exit_code == 2
    assert "No emulator is running" in result.stderr and "--production" in result.stderr
    assert runner.invoke(auth_cmd.app, ["list"]).exit_code == 2


def test_production_asks_and_a_no_aborts_with_exit_1(project):
    (project / ".firebaserc").write_text(json.dumps({"projects": {"default": "acme-prod"}}))
    result = runner.invoke(firestore_cmd.app, ["get", "users/abc", "--production"], input="n\n")
    assert result.exit_code == 1
    assert "Use the PRODUCTION project acme-prod?" in result.output and "Aborted" in result.stderr
    assert runner.invoke(auth_cmd.app, ["delete", "a@b.co", "--production"], input="\n").exit_code == 1


def test_production_without_a_project_is_a_usage_error(project):
    result = runner.invoke(firestore_cmd.app, ["get", "users/abc", "--production", "--force"])
    assert result.exit_code == 2 and "No production project" in result.stderr


@pytest.mark.parametrize("args", [
    ["get", "users"], ["set", "users/a", "{not json"], ["set", "users/a", "[1, 2]"], ["set", "users", "{}"],
    ["query", "users/a"], ["query", "users", "--where", "bad"], ["query", "users", "--order-by", "a:b"],
    ["delete", "users"], ["get", "users/a", "--production", "--emulator"],
])
def test_firestore_usage_errors_exit_2(project, args):
    result = runner.invoke(firestore_cmd.app, args)
    assert result.exit_code == 2, result.output


def test_auth_set_claims_rejects_bad_json_before_any_call(project):
    assert runner.invoke(auth_cmd.app, ["set-claims", "a@b.co", "{oops"]).exit_code == 2
    assert runner.invoke(auth_cmd.app, ["set-claims", "a@b.co", '"admin"']).exit_code == 2


def test_groups_are_registered_on_mgr():
    for group in ("firestore", "auth", "logs", "stripe"):
        result = runner.invoke(app, [group, "--help"])
        assert result.exit_code == 0, (group, result.output)
    assert runner.invoke(app, ["deploy", "--help"]).exit_code == 0
    assert "listen" in runner.invoke(app, ["stripe", "--help"]).output


# --- mgr deploy, with a recording firebase executable where the pinned one lives ---

def _executable(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def firebase(project):
    calls = project / "firebase-calls.txt"
    _executable(project / "emulator" / "node_modules" / ".bin" / "firebase",
                f'echo "$@" >> {calls}\nexit "${{FAKE_EXIT:-0}}"\n')
    (project / ".firebaserc").write_text(json.dumps({"projects": {"default": "acme-prod"}}))
    return calls


def test_deploy_runs_firebase_deploy_for_the_firebaserc_project(firebase, monkeypatch):
    monkeypatch.setenv("FIREBASE_TOKEN", "ci-token")
    result = runner.invoke(app, ["deploy", "--only", "functions", "--force"])
    assert result.exit_code == 0, result.output
    assert firebase.read_text().split() == ["deploy", "--project", "acme-prod", "--non-interactive", "--only",
                                             "functions", "--force"]
    assert "ok    backend-manager-config.json" in result.output


def test_deploy_passes_firebase_exit_code_through(firebase, monkeypatch):
    monkeypatch.setenv("FIREBASE_TOKEN", "ci-token")
    monkeypatch.setenv("FAKE_EXIT", "7")
    result = runner.invoke(app, ["deploy"])
    assert result.exit_code == 7 and "firebase deploy failed (exit 7)" in result.stderr


def test_deploy_dry_run_prints_the_command_and_runs_nothing(firebase, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(firebase.parent / "no-config"))
    result = runner.invoke(app, ["deploy", "--dry-run", "--project", "other-prod"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("firebase deploy --project other-prod --non-interactive")
    assert "Not logged in to Firebase" in result.stderr
    assert not firebase.exists()


def test_deploy_refuses_when_not_logged_in(firebase, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(firebase.parent / "no-config"))
    result = runner.invoke(app, ["deploy"])
    assert result.exit_code == 2 and "firebase login" in result.stderr
    assert not firebase.exists()


def test_firebase_login_is_read_from_firebase_tools_configstore(tmp_path):
    store = tmp_path / "configstore" / "firebase-tools.json"
    store.parent.mkdir()
    store.write_text(json.dumps({"tokens": {"refresh_token": "r"}}))
    assert deploy_cmd.firebase_login_problem({"XDG_CONFIG_HOME": str(tmp_path)}, tmp_path) is None
    store.write_text("{}")
    assert deploy_cmd.firebase_login_problem({"XDG_CONFIG_HOME": str(tmp_path)}, tmp_path)


@pytest.mark.parametrize(("rc", "message"), [(None, "No Firebase project"),
                                             ({"projects": {"default": "demo-bem"}}, "emulator-only demo project")])
def test_deploy_needs_a_real_project(project, rc, message):
    if rc:
        (project / ".firebaserc").write_text(json.dumps(rc))
    result = runner.invoke(app, ["deploy", "--dry-run"])
    assert result.exit_code == 2 and message in result.stderr


def test_deploy_stops_when_setup_reports_an_error(firebase, monkeypatch):
    monkeypatch.setenv("FIREBASE_TOKEN", "ci-token")
    (firebase.parent / "backend-manager-config.json").write_text('{"brand": 12}')
    result = runner.invoke(app, ["deploy"])
    assert result.exit_code == 1 and "Pre-flight failed" in result.stderr
    assert not firebase.exists()


def test_deploy_test_flag_stops_on_a_failing_unit_tier(firebase, monkeypatch):
    monkeypatch.setenv("FIREBASE_TOKEN", "ci-token")
    (firebase.parent / "tests").mkdir()
    (firebase.parent / "tests" / "test_broken.py").write_text("def test_broken():\n    assert 1 == 2\n")
    result = runner.invoke(app, ["deploy", "--test"])
    assert result.exit_code == 1 and "Unit tests failed" in result.stderr
    assert not firebase.exists()


# --- mgr stripe listen, with a recording `stripe` on PATH ---

@pytest.fixture
def stripe_cli(project, monkeypatch):
    bin_dir = project / "bin"
    calls = project / "stripe-calls.txt"
    _executable(bin_dir / "stripe", f"""echo "$@ key=$STRIPE_API_KEY" >> {calls}
if [ "$2" = "--print-secret" ]; then
  [ -n "$FAKE_NOT_LOGGED_IN" ] && {{ echo "You have not configured API keys yet. Run stripe login" >&2; exit 1; }}
  echo whsec_cli_secret_123; exit 0
fi
exit "${{FAKE_EXIT:-0}}"
""")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return calls


def test_listen_writes_the_cli_secret_to_env_and_forwards_to_the_local_webhook(stripe_cli, project, monkeypatch):
    (project / ".env").write_text("BACKEND_MANAGER_KEY=abc\nSTRIPE_WEBHOOK_SECRET=whsec_old\n")
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_123")
    result = runner.invoke(app, ["stripe", "listen", "--write-env", "--events", "invoice.paid"])
    assert result.exit_code == 0, result.output
    env_lines = (project / ".env").read_text().splitlines()
    assert env_lines == ["BACKEND_MANAGER_KEY=abc", "STRIPE_WEBHOOK_SECRET=whsec_cli_secret_123"]
    print_secret, forward = stripe_cli.read_text().splitlines()
    assert print_secret == "listen --print-secret key=sk_test_123"
    assert forward == ("listen --forward-to http://127.0.0.1:5002/backend-manager/payments/webhook?processor=stripe"
                       " --events invoice.paid key=sk_test_123")
    assert "whsec_cli_secret_123" not in result.output and "sk_test_123" not in result.output


def test_listen_without_write_env_warns_on_a_different_secret_and_leaves_env_alone(stripe_cli, project):
    (project / ".env").write_text("STRIPE_WEBHOOK_SECRET=whsec_old\n")
    result = runner.invoke(app, ["stripe", "listen", "--forward-to", "http://127.0.0.1:9/hook"])
    assert result.exit_code == 0, result.output
    assert "differs from the Stripe CLI's signing secret" in result.stderr
    assert (project / ".env").read_text() == "STRIPE_WEBHOOK_SECRET=whsec_old\n"
    assert "--forward-to http://127.0.0.1:9/hook key=" in stripe_cli.read_text()


def test_listen_passes_the_stripe_cli_exit_code(stripe_cli, monkeypatch):
    monkeypatch.setenv("FAKE_EXIT", "3")
    assert runner.invoke(app, ["stripe", "listen"]).exit_code == 3


def test_listen_live_keys_are_never_handed_to_the_cli(stripe_cli, monkeypatch):
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_live_zzz")
    runner.invoke(app, ["stripe", "listen"])
    assert "sk_live_zzz" not in stripe_cli.read_text()


def test_listen_not_logged_in_exits_1_with_the_reason(stripe_cli, monkeypatch):
    monkeypatch.setenv("FAKE_NOT_LOGGED_IN", "1")
    result = runner.invoke(app, ["stripe", "listen"])
    assert result.exit_code == 1 and "stripe login" in result.stderr


def test_listen_without_the_stripe_cli_exits_2_with_install_hint(project, monkeypatch):
    monkeypatch.setenv("PATH", str(project / "empty-bin"))
    result = runner.invoke(app, ["stripe", "listen"])
    assert result.exit_code == 2 and "Stripe CLI is not installed" in result.stderr



def test_an_unreachable_service_is_reported_as_exit_1(project, monkeypatch):
    (project / ".firebaserc").write_text(json.dumps({"projects": {"default": "acme-prod"}}))
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", f"127.0.0.1:{_free_port()}")  # nothing listens there
    result = runner.invoke(auth_cmd.app, ["get", "someone@example.com", "--production", "--force"])
    assert result.exit_code == 1, result.output
    assert "Error" in result.stderr and "Traceback" not in result.output
