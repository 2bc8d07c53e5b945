"""The bem tier's judge: BEM runner output → per-test results → verdict against the expected list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from functions.cli.bem_results import judge, load_expected, parse_output, reason_breakdown

FILES = [
    {"path": "routes/general/uuid.js", "description": "UUID route", "tests": ["v4-random-uuid", "v5-requires-name", "invalid-version-rejected"]},
    {"path": "routes/admin/stats.js", "description": "Admin stats", "tests": ["get-stats", "update-stats", "non-admin-rejected"]},
    {"path": "events/auth-delete-race.js", "description": "events/auth-delete-race.js", "tests": []},
]

OUTPUT = "\n".join([
    "  Creating test accounts... ✓ (52 created)",
    '{"severity":"INFO","message":"\\u001b[1m  BEM Core Tests\\u001b[22m"}',
    "\x1b[36m    ⤷ UUID route\x1b[39m",
    "      ✓ v4-random-uuid\x1b[90m (12ms)\x1b[39m",
    "      ✗ v5-requires-name (8ms)",
    "        UUID v5 without name should return 400",
    "      ⚠ a warning line is not the message",
    "      ○ invalid-version-rejected (skipped: not today)",
    "    ⤷ Admin stats",
    "      ✗ get-stats (30ms)",
    "        Expected 200, got 404",
    "        Skipping 2 remaining test(s) in suite",
    "    ✓ events/auth-delete-race.js (900ms)",
    "",
    "  Results",
    "    1 passing",
])


def test_parse_names_each_test_by_file_and_keeps_failure_messages():
    results = {t.name: t for t in parse_output(OUTPUT, FILES)}
    assert {name: t.result for name, t in results.items()} == {
        "routes/general/uuid.js :: v4-random-uuid": "pass",
        "routes/general/uuid.js :: v5-requires-name": "fail",
        "routes/general/uuid.js :: invalid-version-rejected": "skip",
        "routes/admin/stats.js :: get-stats": "fail",
        "routes/admin/stats.js :: update-stats": "skip",
        "routes/admin/stats.js :: non-admin-rejected": "skip",
        "events/auth-delete-race.js": "pass",
    }
    assert results["routes/general/uuid.js :: v5-requires-name"].message == "UUID v5 without name should return 400"
    assert results["routes/admin/stats.js :: get-stats"].message == "Expected 200, got 404"


def test_judge_fails_on_an_unlisted_failure_and_on_a_listed_test_that_passes():
    results = parse_output(OUTPUT, FILES)
    expected = {"routes/admin/stats.js :: get-stats": "issue-15", "routes/general/uuid.js :: v4-random-uuid": "difference-x"}
    verdict = judge(results, expected)
    assert (verdict.passed, verdict.expected, verdict.skipped) == (2, 1, 3)
    assert [t.name for t in verdict.unexpected_failures] == ["routes/general/uuid.js :: v5-requires-name"]
    assert verdict.now_passing == ["routes/general/uuid.js :: v4-random-uuid"]
    assert not verdict.ok
    assert verdict.line() == "bem: 2 passed, 1 failed, 1 expected-failures, 3 skipped, 1 now-passing"


def test_judge_passes_when_every_failure_is_listed():
    results = parse_output(OUTPUT, FILES)
    expected = {"routes/admin/stats.js :: get-stats": "issue-15", "routes/general/uuid.js :: v5-requires-name": "difference-x",
                "routes/other.js :: gone": "issue-13"}
    verdict = judge(results, expected, ["routes/general/", "routes/admin/"])
    assert verdict.ok
    assert verdict.not_run == []  # a listed test outside the targets that ran is not "missing"
    assert judge(results, expected, ["routes/"]).not_run == ["routes/other.js :: gone"]


def test_an_order_dependent_entry_may_pass_without_breaking_the_tier():
    results = parse_output(OUTPUT, FILES)
    expected = {"routes/admin/stats.js :: get-stats": "issue-15", "routes/general/uuid.js :: v5-requires-name": "issue-15",
                "routes/general/uuid.js :: v4-random-uuid": "no-issue-bem-order-dependent"}
    verdict = judge(results, expected)
    assert verdict.ok and verdict.now_passing == [] and verdict.passed == 2
    failing = [t if t.name != "routes/general/uuid.js :: v4-random-uuid" else type(t)(t.name, "fail") for t in results]
    assert judge(failing, expected).ok  # and its failure is expected


def test_expected_list_must_name_known_reasons(tmp_path):
    path = tmp_path / "expected.json"
    path.write_text(json.dumps({"reasons": {"issue-13": "e-mail"}, "expected": {"a :: b": "issue-13", "c :: d": "because"}}))
    with pytest.raises(ValueError, match="unknown reasons: because"):
        load_expected(path)


def test_the_checked_in_list_is_valid_and_every_reason_is_used():
    from functions.cli.bem_tier import BEM_DIR
    from functions.testing.unit import find_project_root

    tests, reasons = load_expected(find_project_root(Path(__file__)) / BEM_DIR / "expected-failures.json")
    used = reason_breakdown(tests)
    assert set(used) == set(reasons), "a reason with no test left: remove it"
    for key, text in reasons.items():
        assert key.startswith(("issue-", "no-issue-", "difference-")), key
        assert text.strip()
        if key.startswith("difference-"):
            assert "bem-differences.md" in text, key


def test_mgr_test_refuses_an_unknown_tier():
    from typer.testing import CliRunner

    from functions.cli import _register, app

    _register()
    result = CliRunner().invoke(app, ["test", "--tier", "everything"])
    assert result.exit_code == 2
    assert "unknown tier" in result.output


def test_runner_env_has_the_test_keys_and_never_bems_extended_mode(monkeypatch, tmp_path):
    from functions.cli.bem_tier import runner_env
    from functions.testing.test_env import ADMIN_KEY, PROJECT

    monkeypatch.setenv("TEST_EXTENDED_MODE", "true")
    env = runner_env(tmp_path)
    assert (env["BACKEND_MANAGER_KEY"], env["GCLOUD_PROJECT"]) == (ADMIN_KEY, PROJECT)
    assert "TEST_EXTENDED_MODE" not in env


def test_runner_config_is_the_projects_own_with_a_firebase_project(tmp_path):
    from functions.cli.bem_tier import write_runner_config

    (tmp_path / "backend-manager-config.json").write_text('{brand: {id: "x"}, // json5\n payment: {products: []}}')
    written = json.loads(write_runner_config(tmp_path, tmp_path).read_text())
    assert written == {"brand": {"id": "x"}, "payment": {"products": []}, "firebaseConfig": {"projectId": "demo-bem"}}


def test_a_skip_reason_with_parentheses_keeps_the_file_name():
    files = [{"path": "routes/admin/post.js", "description": "Admin post", "tests": []}]
    text = "  BEM Core Tests\n    ○ Admin post (skipped: TEST_EXTENDED_MODE env var not set (skipping GitHub tests))\n  Results\n"
    assert [(t.name, t.result) for t in parse_output(text, files)] == [("routes/admin/post.js", "skip")]
