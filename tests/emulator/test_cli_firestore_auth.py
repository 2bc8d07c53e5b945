"""``mgr firestore`` and ``mgr auth`` against the real Firestore and Auth emulators.

The commands run in-process through typer's CliRunner and find the suite through its hub, as a
developer's shell does. The ``--production`` path is exercised against the same emulators: the
Google SDKs honour ``FIRESTORE_EMULATOR_HOST`` / ``FIREBASE_AUTH_EMULATOR_HOST`` (set by the
fixtures) and speak the production protocol to them, so only the target selection differs.
"""

from __future__ import annotations

import json
import uuid

import pytest
from typer.testing import CliRunner

from functions.cli import auth_cmd, firestore_cmd

pytestmark = pytest.mark.emulator


@pytest.fixture
def cli(manager):
    """Run ``mgr firestore|auth ...`` in-process (``manager`` points the environment at the emulators)."""
    runner = CliRunner()

    def run(group, *args, input=None):
        app = {"firestore": firestore_cmd.app, "auth": auth_cmd.app}[group]
        return runner.invoke(app, list(args), input=input)

    return run


def _path() -> str:
    return f"cli-tests/{uuid.uuid4().hex[:12]}"


def test_set_merges_by_default_and_get_returns_the_document(cli, firestore):
    path = _path()
    firestore.set(path, {"keep": 1, "name": "old"})
    result = cli("firestore", "set", path, '{"name": "new", "nested": {"a": true}}', "--json")
    assert result.exit_code == 0, result.output
    assert firestore.get(path) == {"keep": 1, "name": "new", "nested": {"a": True}}

    got = cli("firestore", "get", path, "--raw")
    assert got.exit_code == 0, got.output
    body = json.loads(got.stdout.strip().splitlines()[-1])
    assert body["id"] == path.split("/")[1] and body["data"]["keep"] == 1


def test_set_no_merge_overwrites(cli, firestore):
    path = _path()
    firestore.set(path, {"keep": 1})
    assert cli("firestore", "set", path, '{"only": 2}', "--no-merge").exit_code == 0
    assert firestore.get(path) == {"only": 2}


def test_get_missing_document_exits_1_and_collection_path_exits_2(cli):
    assert cli("firestore", "get", _path()).exit_code == 1
    assert cli("firestore", "get", "users").exit_code == 2


def test_query_where_order_and_limit(cli, firestore):
    collection = f"cli-query-{uuid.uuid4().hex[:8]}"
    for i, status in enumerate(["active", "cancelled", "active", "active"]):
        firestore.set(f"{collection}/d{i}", {"status": status, "n": i})
    result = cli("firestore", "query", collection, "--where", "status==active", "--where", "n>=1",
                 "--order-by", "n:desc", "--limit", "2", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["d3", "d2"]
    assert rows[0]["path"] == f"{collection}/d3" and rows[0]["data"] == {"status": "active", "n": 3}

    empty = cli("firestore", "query", collection, "--where", "status==nobody", "--json")
    assert empty.exit_code == 0 and json.loads(empty.stdout) == []
    assert cli("firestore", "query", collection, "--where", "status~active").exit_code == 2


def test_delete_on_the_emulator_needs_no_confirmation(cli, firestore):
    path = _path()
    firestore.set(path, {"x": 1})
    result = cli("firestore", "delete", path)
    assert result.exit_code == 0, result.output
    assert firestore.get(path) is None
    assert cli("firestore", "delete", path).exit_code == 1


def test_production_delete_asks_and_a_no_keeps_the_document(cli, firestore):
    path = _path()
    firestore.set(path, {"x": 1})
    refused = cli("firestore", "delete", path, "--production", input="y\nn\n")
    assert refused.exit_code == 1 and "PRODUCTION" in refused.output
    assert firestore.get(path) == {"x": 1}
    accepted = cli("firestore", "delete", path, "--production", input="y\ny\n")
    assert accepted.exit_code == 0, accepted.output
    assert firestore.get(path) is None


def test_production_read_with_force_skips_the_prompt(cli, firestore):
    path = _path()
    firestore.set(path, {"x": 1})
    result = cli("firestore", "get", path, "--production", "--force", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["data"] == {"x": 1}


def test_auth_get_by_uid_and_email_set_claims_and_delete(cli, auth_emulator, firestore):
    email = f"cli-{uuid.uuid4().hex[:10]}@example.com"
    uid = auth_emulator.create_user_admin(email, display_name="Cli User")

    by_email = cli("auth", "get", email, "--json")
    assert by_email.exit_code == 0, by_email.output
    user = json.loads(by_email.stdout)
    assert user["uid"] == uid and user["displayName"] == "Cli User" and user["customClaims"] == {}
    assert json.loads(cli("auth", "get", uid, "--json").stdout)["email"] == email

    claims = cli("auth", "set-claims", email, '{"admin": true}', "--json")
    assert claims.exit_code == 0, claims.output
    assert json.loads(auth_emulator.get_user(uid)["customAttributes"]) == {"admin": True}
    assert cli("auth", "set-claims", email, "[1]").exit_code == 2

    deleted = cli("auth", "delete", email)
    assert deleted.exit_code == 0, deleted.output
    assert auth_emulator.get_user(uid) is None
    assert cli("auth", "get", email).exit_code == 1
    assert cli("auth", "delete", uid).exit_code == 1


def test_auth_list_pages_with_tokens_and_all(cli, auth_emulator):
    for _ in range(3):
        auth_emulator.create_user_admin(f"cli-list-{uuid.uuid4().hex[:10]}@example.com")
    first = cli("auth", "list", "--limit", "2", "--json")
    assert first.exit_code == 0, first.output
    assert len(json.loads(first.stdout)) == 2
    token = first.stderr.split("--page-token ", 1)[1].split()[0]
    second = cli("auth", "list", "--limit", "2", "--page-token", token, "--json")
    assert second.exit_code == 0
    first_uids = {u["uid"] for u in json.loads(first.stdout)}
    assert not first_uids & {u["uid"] for u in json.loads(second.stdout)}

    everyone = json.loads(cli("auth", "list", "--limit", "2", "--all", "--json").stdout)
    assert len(everyone) >= 3 and first_uids <= {u["uid"] for u in everyone}
