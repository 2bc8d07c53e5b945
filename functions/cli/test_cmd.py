"""``mgr test``: the unit tier in-process, then the emulator tier against the Emulator Suite.

The emulator tier reuses a suite that is already running in test mode, or starts one
(with the test-mode environment) and stops it afterwards. Each tier's counts are printed;
the last line is the total, ``total: N passed, N failed, N skipped``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import typer

from functions.cli.project import project_root


@dataclass
class TierResult:
    name: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    exit_code: int = 0

    @property
    def ok(self) -> bool:
        return self.exit_code in (0, 5) and self.failed == 0

    def line(self) -> str:
        return f"{self.name}: {self.passed} passed, {self.failed} failed, {self.skipped} skipped"


def test(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(None, help="Test files or folders (default: tests)"),
    extended: bool = typer.Option(False, "--extended", help="TEST_EXTENDED_MODE: also run transition handlers, emails"),
    keyword: str = typer.Option(None, "-k", help="Only tests matching this pytest -k expression"),
    tier: str = typer.Option("all", "--tier", help="all | unit | emulator"),
) -> None:
    """Run the tests: unit tier, then emulator tier (starting the emulator if needed)."""
    root = project_root()
    targets = paths or ["tests"]
    extra = [*(["-k", keyword] if keyword else []), *ctx.args]
    results = []
    if tier in ("all", "unit"):
        results.append(_pytest(root, "unit", targets, "not emulator", extra, {}))
    if tier in ("all", "emulator"):
        results.append(_emulator_tier(root, targets, extra, extended))
    for result in results:
        typer.echo(result.line())
    total = TierResult("total", *(sum(getattr(r, f) for r in results) for f in ("passed", "failed", "skipped")))
    typer.echo(total.line())
    raise typer.Exit(code=0 if all(r.ok for r in results) else 1)


def _pytest(root: Path, name: str, targets: list[str], marker: str, extra: list[str], env: dict[str, str]) -> TierResult:
    report = root / "logs" / f"test-{name}.xml"
    report.parent.mkdir(exist_ok=True)
    typer.secho(f"── {name} tier ──", bold=True)
    command = [sys.executable, "-m", "pytest", *targets, "-m", marker, "-q", "-rfE", f"--junitxml={report}", *extra]
    code = subprocess.call(command, cwd=root, env={**os.environ, **env})
    return _read_report(name, report, code)


def _read_report(name: str, report: Path, code: int) -> TierResult:
    result = TierResult(name, exit_code=code)
    if not report.exists():
        result.failed = 0 if code in (0, 5) else 1
        return result
    for suite in ElementTree.parse(report).getroot().iter("testsuite"):
        tests, failures, errors, skipped = (int(suite.get(key, 0)) for key in ("tests", "failures", "errors", "skipped"))
        result.failed += failures + errors
        result.skipped += skipped
        result.passed += tests - failures - errors - skipped
    return result


def _emulator_tier(root: Path, targets: list[str], extra: list[str], extended: bool) -> TierResult:
    from functions.emulator import DEFAULT_ONLY, DEFAULT_PROJECT, detect_running, running_emulators
    from functions.testing.test_env import FUNCTIONS_TEST_ENV, STRIPE_FAKE_PORT

    env = {**FUNCTIONS_TEST_ENV, "BEM_STRIPE_FAKE_PORT": str(STRIPE_FAKE_PORT)}
    if extended:
        env["TEST_EXTENDED_MODE"] = "true"
    running = detect_running(DEFAULT_PROJECT, root)
    if running is not None:
        typer.echo(f"Using the running emulator suite at {running.hub} (it must have been started in test mode).")
        return _pytest(root, "emulator", targets, "emulator", extra, env)
    typer.echo("Starting the Firebase Emulator Suite in test mode...")
    with running_emulators(root, DEFAULT_ONLY, DEFAULT_PROJECT, extra_env=env, ignore_dotenv=True):
        return _pytest(root, "emulator", targets, "emulator", extra, env)
