"""``mgr test``: the unit tier in-process, the fuzz tier, then the emulator tier and BEM's own suite (bem tier).

The emulator and bem tiers reuse a suite that is already running in test mode, or start one
(with the test-mode environment), share it, and stop it afterwards. Each tier's counts are
printed; the last line is the total, ``total: N passed, N failed, N skipped``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
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
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code in (0, 5) and self.failed == 0

    def line(self) -> str:
        if self.detail:
            return self.detail
        return f"{self.name}: {self.passed} passed, {self.failed} failed, {self.skipped} skipped"


def test(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(None, help="Test files or folders (default: tests)"),
    extended: bool = typer.Option(False, "--extended", help="TEST_EXTENDED_MODE: also run transition handlers, emails"),
    keyword: str = typer.Option(None, "-k", help="Only tests matching this pytest -k expression"),
    tier: str = typer.Option("all", "--tier", help="all | unit | fuzz | emulator | bem"),
    bem_targets: list[str] = typer.Option(None, "--bem", help="bem tier: BEM runner filters (default: all areas)"),
) -> None:
    """Run the tests: unit tier, then emulator and bem tiers (starting the emulator if needed)."""
    if tier not in ("all", "unit", "fuzz", "emulator", "bem"):
        raise typer.BadParameter(f"unknown tier {tier!r}", param_hint="--tier")
    root = project_root()
    targets = paths or ["tests"]
    extra = [*(["-k", keyword] if keyword else []), *ctx.args]
    results = []
    if tier in ("all", "unit"):
        results.append(_pytest(root, "unit", targets, "not emulator and not fuzz", [*_workers(), *extra], {}))
    if tier in ("all", "fuzz"):  # schemathesis against bm_api in-process (tests/fuzz, docs/fuzzing.md)
        results.append(_pytest(root, "fuzz", targets, "fuzz", extra, {}))
    # `mgr test path/to/test.py` or `-k` picks tests: BEM's suite runs only with the whole run or --tier bem
    run_bem = tier == "bem" or (tier == "all" and not paths and not keyword and not ctx.args)
    if tier in ("all", "emulator"):
        with _suite(root, extended) as env:
            results.append(_pytest(root, "emulator", targets, "emulator", extra, env))
    if run_bem:
        # its own suite, never in extended mode: BEM's results must not depend on --extended
        with _suite(root, extended=False):
            results.append(_bem_tier(root, bem_targets))
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


def _workers() -> list[str]:
    """pytest-xdist options for the unit tier: one worker per CPU (``BEM_TEST_WORKERS`` = a number,
    ``auto`` or ``0`` for none). The unit tier is in-memory and every fake binds port 0, so its
    tests run in parallel; the slowest (the wheel test) then overlaps the rest."""
    import importlib.util

    workers = os.environ.get("BEM_TEST_WORKERS", "auto").strip() or "auto"
    if workers == "0" or (os.cpu_count() or 1) < 2 or importlib.util.find_spec("xdist") is None:
        return []
    return ["-n", workers]


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


@contextlib.contextmanager
def _suite(root: Path, extended: bool) -> Iterator[dict[str, str]]:
    """A running Emulator Suite in test mode (reused if one is up); yields the test environment."""
    from functions.emulator import DEFAULT_ONLY, DEFAULT_PROJECT, detect_running, running_emulators
    from functions.testing.test_env import BEEHIIV_FAKE_PORT, FUNCTIONS_TEST_ENV, PAYPAL_FAKE_PORT, SENDGRID_FAKE_PORT, STRIPE_FAKE_PORT

    env = {**FUNCTIONS_TEST_ENV, "BEM_STRIPE_FAKE_PORT": str(STRIPE_FAKE_PORT), "BEM_PAYPAL_FAKE_PORT": str(PAYPAL_FAKE_PORT),
           "BEM_SENDGRID_FAKE_PORT": str(SENDGRID_FAKE_PORT), "BEM_BEEHIIV_FAKE_PORT": str(BEEHIIV_FAKE_PORT)}
    # firebase-tools gives a new Python worker 30 s to answer its health check; a burst of
    # events (BEM's 52 test accounts) boots dozens at once, which takes longer on a small machine
    env.setdefault("FUNCTIONS_DISCOVERY_TIMEOUT", "180")
    if extended:
        env["TEST_EXTENDED_MODE"] = "true"
    running = detect_running(DEFAULT_PROJECT, root)
    if running is not None:
        typer.echo(f"Using the running emulator suite at {running.hub} (it must have been started in test mode).")
        yield env
        return
    typer.echo("Starting the Firebase Emulator Suite in test mode...")
    with running_emulators(root, DEFAULT_ONLY, DEFAULT_PROJECT, extra_env=env, ignore_dotenv=True):
        yield env


def _bem_tier(root: Path, targets: list[str] | None) -> TierResult:
    """BEM's own suite against the running suite, judged against tests/bem/expected-failures.json."""
    from functions.cli.bem_tier import run_bem_tier

    verdict = run_bem_tier(root, targets)
    result = TierResult(
        "bem",
        passed=verdict.passed,
        failed=len(verdict.unexpected_failures) + len(verdict.now_passing),
        skipped=verdict.skipped + verdict.expected,
        exit_code=0 if verdict.ok else 1,
    )
    result.detail = verdict.line()
    return result
