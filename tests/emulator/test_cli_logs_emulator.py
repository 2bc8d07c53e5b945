"""``mgr logs read --emulator`` reads what the functions emulator logged (``logs/emulator.log``,
written by ``mgr test`` / ``mgr emulator``), credited to the function that ran."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from typer.testing import CliRunner

from functions.auth.disposable import DISPOSABLE_MESSAGE
from functions.cli import logs_cmd
from functions.testing.auth_emulator import AuthEmulatorError

pytestmark = pytest.mark.emulator
runner = CliRunner()


def _refusals(bem_root) -> list[dict]:
    result = runner.invoke(logs_cmd.app, [
        "read", "--emulator", "--log-file", str(bem_root / "logs" / "emulator.log"),
        "--fn", "bm_authBeforeCreate", "--search", "refused disposable domain", "--severity", "INFO",
        "--raw", "--limit", "1000",
    ])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_a_refused_sign_up_appears_in_the_functions_log(bem_root, auth_emulator, manager, wait_for):
    before = len(_refusals(bem_root))
    with pytest.raises(AuthEmulatorError, match=re.escape(DISPOSABLE_MESSAGE)):
        auth_emulator.sign_up(f"logs-{uuid.uuid4().hex[:8]}@mailinator.com", "emulator-password-1")
    entries = wait_for(lambda: (lambda e: e if len(e) > before else None)(_refusals(bem_root)), timeout=15,
                       message="the refusal was not logged by bm_authBeforeCreate")
    newest = entries[0]  # newest first
    assert newest["resource"]["labels"]["function_name"] == "bm_authBeforeCreate"
    assert newest["severity"] == "INFO"
    assert "refused disposable domain for" in (newest.get("textPayload") or newest["jsonPayload"]["message"])
