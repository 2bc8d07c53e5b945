"""``mgr cron run daily|frequent [--job NAME] [--emulator]``: run cron jobs now.

Without ``--emulator`` the jobs use whatever Firestore the environment selects
(production credentials, or ``BEM_FIRESTORE=memory``); with it, the running
emulator from firebase.json.
"""

from __future__ import annotations

import json
import os

import typer

from functions.cli.project import load_manager, project_root

app = typer.Typer(help="Run cron jobs on demand.", no_args_is_help=True, add_completion=False)


@app.callback()
def cron() -> None:
    """Run cron jobs on demand (the scheduled functions run them at 00:00 UTC and every 10 minutes)."""


@app.command("run")
def run(
    schedule: str = typer.Argument(..., help="daily or frequent"),
    job: str | None = typer.Option(None, "--job", help="Run only this job (e.g. reset-usage)"),
    emulator: bool = typer.Option(False, "--emulator", help="Use the running Firestore emulator"),
) -> None:
    """Run a schedule's jobs (built-ins, then the project's hooks/cron jobs) and print their results."""
    if schedule not in ("daily", "frequent"):
        typer.secho(f"Unknown schedule '{schedule}': use daily or frequent.", fg="red", err=True)
        raise typer.Exit(code=2)
    root = project_root()
    if emulator:
        from functions.emulator.urls import read_ports

        host, port = read_ports(root)["firestore"]
        os.environ.setdefault("FIRESTORE_EMULATOR_HOST", f"{host}:{port}")
        os.environ.setdefault("GCLOUD_PROJECT", os.environ.get("GCLOUD_PROJECT") or "demo-bem")
    manager = load_manager(root)
    from functions.cron import run_jobs
    from functions.errors import BemError
    from functions.store import backend

    typer.echo(f"cron {schedule} (firestore: {backend()}, project: {manager.project_id})")
    try:
        results = run_jobs(manager, schedule, only=job)
    except BemError as error:
        typer.secho(error.message, fg="red", err=True)
        raise typer.Exit(code=2) from None
    for result in results:
        colour = "green" if result.ok else "red"
        typer.secho(f"{result.status:<5} {result.name} ({result.source}, {result.seconds:.2f}s)", fg=colour)
        detail = result.error if not result.ok else result.result
        if detail is not None:
            typer.echo("      " + json.dumps(detail, default=str))
    if not all(r.ok for r in results):
        raise typer.Exit(code=1)
