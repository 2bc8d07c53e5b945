"""``mgr deploy``: pre-flight checks, then ``firebase deploy`` with the pinned firebase-tools.

    mgr deploy                        # mgr setup's checks, then firebase deploy --project <.firebaserc default>
    mgr deploy --test                 # also run the unit tier first
    mgr deploy --only functions       # passed to firebase deploy
    mgr deploy --dry-run              # run the checks and print the command, deploy nothing

Exit codes: firebase deploy's own; 1 a pre-flight check failed; 2 usage (no project, no
firebase-tools, not logged in).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import typer

from functions.cli.project import project_root
from functions.cli.target import EXIT_FAILED, EXIT_USAGE, fail, note, production_project


def deploy_project(root: Path, explicit: str | None) -> str:
    """The project to deploy to: ``--project``, else ``.firebaserc``'s default (never a demo- project)."""
    project = explicit or production_project(root, environ={})
    if not project:
        raise fail("No Firebase project: create .firebaserc with `firebase use --add`, or pass --project.", EXIT_USAGE)
    if project.startswith("demo-"):
        raise fail(f'"{project}" is an emulator-only demo project: set your real project in .firebaserc.', EXIT_USAGE)
    return project


def firebase_login_problem(environ: dict[str, str] | os._Environ, home: Path) -> str | None:
    """Why firebase-tools would not be authenticated, or None (checked offline, before a slow failure)."""
    if environ.get("FIREBASE_TOKEN") or environ.get("GOOGLE_APPLICATION_CREDENTIALS"):
        return None
    config_home = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
    store = config_home / "configstore" / "firebase-tools.json"
    try:
        data = json.loads(store.read_text())
    except (OSError, ValueError):
        data = {}
    if isinstance(data, dict) and (data.get("tokens") or {}).get("refresh_token"):
        return None
    return ("Not logged in to Firebase: run `emulator/node_modules/.bin/firebase login` "
            "(or set GOOGLE_APPLICATION_CREDENTIALS to a service account key).")


def deploy_command(binary: Path, project: str, only: str | None, extra: list[str]) -> list[str]:
    command = [str(binary), "deploy", "--project", project, "--non-interactive"]
    if only:
        command += ["--only", only]
    return command + extra


def run_setup_checks() -> int:
    """``mgr setup``'s checks (the same function the command runs); their exit code."""
    from functions.cli.setup_cmd import setup

    try:
        setup(emulator=False)  # called as a function: pass every option (its default is a typer OptionInfo)
    except typer.Exit as done:
        return done.exit_code
    return 0


def deploy(
    ctx: typer.Context,
    only: str = typer.Option(None, "--only", help="What to deploy, e.g. functions or firestore:rules,functions"),
    project: str = typer.Option(None, "--project", "-P", help="Project id (default: .firebaserc's default)"),
    test: bool = typer.Option(False, "--test", help="Run the unit tier first; stop if it fails"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Run the checks and print the command only"),
    skip_checks: bool = typer.Option(False, "--skip-checks", help="Deploy even if `mgr setup` reports problems"),
) -> None:
    """Check the project, optionally test it, then run `firebase deploy` (extra arguments are passed on)."""
    from functions.emulator.provision import firebase_bin

    root = project_root()
    target = deploy_project(root, project)
    binary = firebase_bin(root)
    if not binary.exists():
        raise fail(f"firebase-tools is not installed at {binary}: run bin/setup (or `mgr emulator` once).", EXIT_USAGE)
    note(f"Deploying to {target}")
    typer.secho("── pre-flight: mgr setup ──", bold=True, err=True)
    if run_setup_checks() != 0 and not skip_checks:
        raise fail("Pre-flight failed: fix the errors above (or pass --skip-checks).", EXIT_FAILED)
    if test:
        typer.secho("── pre-flight: mgr test --tier unit ──", bold=True, err=True)
        code = subprocess.call([sys.executable, "-c", "from functions.cli import main; main()", "test", "--tier", "unit"],
                               cwd=root)
        if code != 0:
            raise fail(f"Unit tests failed (exit {code}): not deploying.", EXIT_FAILED)
    command = deploy_command(binary, target, only, list(ctx.args))
    login = firebase_login_problem(os.environ, Path.home())
    if dry_run:
        if login:
            typer.secho(f"warn  {login}", fg="yellow", err=True)
        typer.echo(shlex.join(command))
        return
    if login:
        raise fail(login, EXIT_USAGE)
    code = subprocess.call(command, cwd=root)
    if code != 0:
        typer.secho(f"firebase deploy failed (exit {code}).", fg="red", err=True)
    raise typer.Exit(code=code)
