"""``mgr payments``: operate the payments webhook log.

    mgr payments retry EVENT_ID               # set back to pending and process it here (in-process)
    mgr payments retry EVENT_ID --emulator    # only set it back to pending; the emulator's trigger runs it
    mgr payments process EVENT_ID             # process a record that is already pending
"""

from __future__ import annotations

import os
from typing import Any

import typer

from functions.cli.project import load_manager, project_root

app = typer.Typer(help="Payments webhook log: retry and process events", no_args_is_help=True)


def _manager(emulator: bool) -> Any:
    if emulator:
        os.environ.setdefault("FIRESTORE_EMULATOR_HOST", "127.0.0.1:8080")
    return load_manager(project_root())


def _report(outcome: Any) -> None:
    if outcome is None:
        typer.echo("Not processed: the event was not pending (already claimed by another run).")
        raise typer.Exit(code=1)
    typer.echo(f"{outcome.status} transition={outcome.transition} orderId={outcome.order_id}")
    if outcome.status != "completed":
        raise typer.Exit(code=1)


@app.command()
def retry(event_id: str, emulator: bool = typer.Option(False, "--emulator", help="Let the emulator's trigger run it")) -> None:
    """Set a failed/parked/stuck event back to pending, then process it."""
    manager = _manager(emulator)
    ref = manager.db.collection("payments-webhooks").document(event_id)
    if not ref.get().exists:
        typer.secho(f"No payments-webhooks/{event_id}", fg="red", err=True)
        raise typer.Exit(code=2)
    ref.update({"status": "pending", "error": None})
    if emulator:
        typer.echo(f"payments-webhooks/{event_id} set to pending; the trigger will process it.")
        return
    from functions.payments.pipeline import process_webhook_event

    _report(process_webhook_event(manager, event_id))


@app.command()
def process(event_id: str, emulator: bool = typer.Option(False, "--emulator")) -> None:
    """Process a pending event in this process (no status change first)."""
    from functions.payments.pipeline import process_webhook_event

    _report(process_webhook_event(_manager(emulator), event_id))
