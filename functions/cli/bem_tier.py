"""``mgr test --tier bem``: backend-manager's own test suite, run against this project's emulators.

BEM's runner (npm ``backend-manager`` pinned in ``tests/bem/functions/package-lock.json``,
installed by ``bin/setup``) drives the project's ``bm_api``, triggers and ``firestore.rules``
exactly as it drives a Node BEM project: ``tests/bem/`` is the consumer project it reads
(``firebase.json`` gives the ports and the ``bm_api`` base URL). The project's fake Stripe API
listens on 12111, where test mode points the functions. Results are judged against
``tests/bem/expected-failures.json`` (:mod:`functions.cli.bem_results`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import IO

import typer

from functions.cli.bem_results import BemTest, Verdict, judge, load_expected, parse_output

BEM_DIR = Path("tests") / "bem"
DEFAULT_TARGETS = ("bem:routes/", "bem:rules/", "bem:events/", "bem:mcp/", "bem:functions/", "bem:email/transactional")
RUN_TIMEOUT_S = 900


def ensure_installed(root: Path) -> Path:
    """The pinned BEM runner's folder; ``npm ci`` it from the lockfile if ``bin/setup`` has not."""
    functions_dir = root / BEM_DIR / "functions"
    if not (functions_dir / "node_modules" / ".bin" / "mgr").exists():
        typer.echo("bem: installing the pinned backend-manager test runner (tests/bem/functions/package-lock.json)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=functions_dir, check=True)
    return functions_dir


def write_runner_config(root: Path, functions_dir: Path) -> Path:
    """BEM's runner reads ``functions/backend-manager-config.json`` of its consumer project: the
    project's own config (so products, prices and limits never drift), with a ``firebaseConfig``
    naming the emulator's project when the project has none."""
    import json5

    from functions.testing.test_env import PROJECT

    config = json5.loads((root / "backend-manager-config.json").read_text())
    firebase = dict(config.get("firebaseConfig") or {})
    firebase.setdefault("projectId", PROJECT)
    config["firebaseConfig"] = firebase
    target = functions_dir / "backend-manager-config.json"
    target.write_text(json.dumps(config, indent=2) + "\n")
    return target


def runner_env(logs: Path) -> dict[str, str]:
    """The keys BEM's runner signs requests with: the project's test-mode keys."""
    from functions.testing.test_env import ADMIN_KEY, FUNCTIONS_TEST_ENV, PROJECT, WEBHOOK_KEY

    # BEM's "extended" tests call real SendGrid/GitHub/OpenAI; the tier always runs BEM's normal
    # mode, so its results do not depend on how the suite was started (mgr test --extended)
    inherited = {k: v for k, v in os.environ.items() if k != "TEST_EXTENDED_MODE"}
    return {
        **inherited,
        "BACKEND_MANAGER_KEY": ADMIN_KEY,
        "BACKEND_MANAGER_WEBHOOK_KEY": WEBHOOK_KEY,
        # BEM's account wipe uses it for the Auth emulator's bulk-delete URL.
        "GCLOUD_PROJECT": PROJECT,
        # BEM's e-mail-preference tests sign unsubscribe links with it: the key the functions verify with.
        "UNSUBSCRIBE_HMAC_KEY": FUNCTIONS_TEST_ENV["UNSUBSCRIBE_HMAC_KEY"],
        "FORCE_COLOR": "0",
        "BEM_TIER_LOGS": str(logs),
    }


def list_tests(functions_dir: Path) -> list[dict]:
    """BEM's test files, descriptions and test names (``list_tests.js``), to name each result."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "tests.json"
        subprocess.run(
            ["node", str(functions_dir.parent / "list_tests.js"), str(out)],
            cwd=functions_dir.parent,
            capture_output=True,
            check=True,
            env={**os.environ, "BEM_TEST_RUNNER": "1"},
        )
        return json.loads(out.read_text())


def run_bem_tier(root: Path, targets: list[str] | None = None) -> Verdict:
    """Run BEM's suite against the already-running emulator suite and judge its results.

    The caller provides the running suite (test mode); this starts the fake Stripe API and the
    marketing fakes (SendGrid Marketing, Beehiiv: the functions' ``SENDGRID_API_HOST`` /
    ``BEEHIIV_API_BASE`` in test mode) for the run and stops them afterwards.
    """
    from functions.testing.stripe_fake import StripeFake
    from functions.testing.test_env import STRIPE_FAKE_PORT

    typer.secho("── bem tier ──", bold=True)
    functions_dir = ensure_installed(root)
    expected, _reasons = load_expected(root / BEM_DIR / "expected-failures.json")
    logs = root / "logs"
    logs.mkdir(exist_ok=True)
    write_runner_config(root, functions_dir)
    files = list_tests(functions_dir)
    chosen = list(targets or DEFAULT_TARGETS)
    from functions.cli.bem_warmup import warm_auth_triggers
    from functions.testing.test_env import PROJECT

    try:
        typer.echo(warm_auth_triggers(PROJECT))
    except Exception as error:  # the warm-up only helps; BEM's own setup still runs and retries
        typer.secho(f"bem: warm-up incomplete ({type(error).__name__}: {error}); running BEM's setup anyway", fg="yellow")
    output_path = logs / "bem-test.out"
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fake's request log would drown the tier's output
    from functions.emulator.local_marketing import start_local_marketing

    marketing = start_local_marketing(root)
    try:
        fake = StripeFake(port=STRIPE_FAKE_PORT).start()
    except OSError:
        marketing.stop()
        raise
    started = time.monotonic()
    try:
        with open(output_path, "w") as output:
            code = _run_runner(functions_dir, chosen, logs, output)
    finally:
        fake.stop()
        marketing.stop()
    text = output_path.read_text(errors="replace")
    results = parse_output(text, files)
    prefixes = [t.removeprefix("bem:") for t in chosen]
    verdict = judge(results, expected, prefixes)
    _write_results(logs / "bem-results.json", results, expected)
    for test in verdict.unexpected_failures:
        typer.secho(f"  FAILED (not in expected-failures): {test.name} — {test.message[:300]}", fg="red")
    for name in verdict.now_passing:
        typer.secho(f"  NOW PASSING (remove from tests/bem/expected-failures.json): {name}", fg="yellow")
    typer.echo(
        f"bem: runner exited {code} after {time.monotonic() - started:.0f} s; output logs/bem-test.out, "
        f"per-test results logs/bem-results.json; {len(verdict.not_run)} listed tests did not run"
    )
    if not results:
        verdict.unexpected_failures.append(BemTest("(runner)", "fail", f"no results in logs/bem-test.out (exit {code})"))
    return verdict


def _run_runner(functions_dir: Path, targets: list[str], logs: Path, output: IO[str]) -> int:
    """BEM's CLI in its own process group, so its runner subprocess stops with it (timeout, Ctrl-C)."""
    process = subprocess.Popen(
        [str(functions_dir / "node_modules" / ".bin" / "mgr"), "test", "--legacy", *targets],
        cwd=functions_dir,
        env=runner_env(logs),
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        return process.wait(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        typer.secho(f"bem: the runner did not finish in {RUN_TIMEOUT_S} s; stopped", fg="red")
        return -1
    finally:
        _stop_group(process)


def _stop_group(process: subprocess.Popen) -> None:
    """TERM, then KILL, the process group this tier started (the runner and its children)."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
        # the CLI is gone; its children may linger in the group until signalled
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return


def _write_results(path: Path, results: list, expected: dict[str, str]) -> None:
    path.write_text(
        json.dumps(
            [{"test": t.name, "result": t.result, "expected": expected.get(t.name), "message": t.message} for t in results],
            indent=1,
        )
    )
