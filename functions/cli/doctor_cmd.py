"""``mgr doctor``: is this project ready to run and deploy on the installed framework?

Runs the checks of functions/cli/doctor_checks.py (tools, config, secrets, project id,
firebase.json entries, rules/indexes files, Hosting rewrites, required indexes). After a
framework upgrade it lists what the project must change; ``--fix`` applies the safe fixes
(adds what is missing, keeps the project's own). Exit code 1 when an error-level check fails.
"""

from __future__ import annotations

import json

import typer

from functions.cli.doctor_checks import run_checks
from functions.cli.project import project_root

STYLES = {"ok": "green", "warn": "yellow", "error": "red"}


def doctor(
    fix: bool = typer.Option(False, "--fix", help="Apply the safe fixes (missing indexes, firebase.json entries)"),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also list the checks that pass"),
) -> None:
    """Check the project (tools, config, secrets, project id, firebase.json, rules, indexes); --fix what is safe."""
    root = project_root()
    results = run_checks(root)
    fixed = []
    if fix:
        fixes = {id(check.fix): check.fix for check in results if check.level != "ok" and check.fix is not None}
        fixed = [apply() for apply in fixes.values()]  # one fix may serve several checks (firebase.json)
        if fixed:
            results = run_checks(root)
    failed = any(check.level == "error" for check in results)
    if as_json:
        typer.echo(json.dumps({"ok": not failed, "fixed": fixed, "checks": [check.to_dict() for check in results]}, indent=2))
    else:
        for line in fixed:
            typer.secho(f"fixed {line}", fg="cyan")
        for check in results:
            if check.level == "ok" and not verbose:
                continue
            typer.secho(f"{check.level:<5} {check.id}: {check.message}", fg=STYLES[check.level])
            if check.hint:
                typer.echo(f"      → {check.hint}")
        counts = {level: sum(c.level == level for c in results) for level in STYLES}
        typer.echo(f"{counts['ok']} ok, {counts['warn']} warning(s), {counts['error']} error(s)")
    raise typer.Exit(code=1 if failed else 0)
