"""``mgr mail list | show ID | open ID``: read the local mailbox (``emails-mailbox``).

In development and under the emulator, without ``SENDGRID_API_KEY``, every e-mail is delivered
there fully rendered. By default the commands read the running Firestore emulator
(``--no-emulator``: whatever Firestore the environment selects). ``open`` writes the HTML to a
temporary file, prints its path and opens it in the browser when one is available.
"""

from __future__ import annotations

import os
import tempfile
import webbrowser
from pathlib import Path
from typing import Any

import typer

from functions.cli.project import load_manager, project_root

app = typer.Typer(help="Read the local mailbox (e-mails sent in development).", no_args_is_help=True, add_completion=False)
COLLECTION = "emails-mailbox"


def _db(emulator: bool) -> Any:
    root = project_root()
    if emulator:
        from functions.emulator.urls import read_ports

        host, port = read_ports(root)["firestore"]
        os.environ.setdefault("FIRESTORE_EMULATOR_HOST", f"{host}:{port}")
        os.environ.setdefault("GCLOUD_PROJECT", "demo-bem")
    return load_manager(root).db


def _message(db: Any, message_id: str) -> dict:
    snapshot = db.collection(COLLECTION).document(message_id).get()
    if not snapshot.exists:
        typer.secho(f"No message {message_id} in {COLLECTION}.", fg="red", err=True)
        raise typer.Exit(code=1)
    return snapshot.to_dict() or {}


def _addresses(entries: Any) -> str:
    return ", ".join(e.get("email", "") for e in entries or [] if isinstance(e, dict))


EMULATOR = typer.Option(True, "--emulator/--no-emulator", help="Read the running Firestore emulator (default)")


@app.command("list")
def list_messages(limit: int = typer.Option(20, "--limit", "-n"), emulator: bool = EMULATOR) -> None:
    """The newest messages: id, time, recipient, subject."""
    docs = [s.to_dict() or {} for s in _db(emulator).collection(COLLECTION).get()]
    docs.sort(key=lambda d: (d.get("created") or {}).get("timestamp", ""), reverse=True)
    if not docs:
        typer.echo("The mailbox is empty.")
    for doc in docs[:limit]:
        when = (doc.get("created") or {}).get("timestamp", "")[:19].replace("T", " ")
        typer.echo(f"{doc.get('id', ''):<34} {when}  {_addresses(doc.get('to')):<32} {doc.get('subject', '')}")


@app.command("show")
def show(message_id: str, emulator: bool = EMULATOR) -> None:
    """Headers and the plain-text part of one message."""
    doc = _message(_db(emulator), message_id)
    for label, value in (("From", _addresses([doc.get("from")])), ("To", _addresses(doc.get("to"))), ("Cc", _addresses(doc.get("cc"))),
                         ("Subject", doc.get("subject", "")), ("Template", doc.get("template") or "(raw html)"),
                         ("Categories", ", ".join(doc.get("categories") or []))):
        typer.echo(f"{label + ':':<12}{value}")
    for name, value in (doc.get("headers") or {}).items():
        typer.echo(f"{name + ':':<12}{value}")
    typer.echo("")
    typer.echo(doc.get("text", ""))


@app.command("open")
def open_message(message_id: str, emulator: bool = EMULATOR,
                 browser: bool = typer.Option(True, "--browser/--no-browser", help="Also open it in a browser")) -> None:
    """Write the HTML part to a temporary file, print its path and open it."""
    doc = _message(_db(emulator), message_id)
    path = Path(tempfile.gettempdir()) / f"bem-mail-{message_id}.html"
    path.write_text(doc.get("html", ""), encoding="utf-8")
    typer.echo(str(path))
    if browser:
        webbrowser.open(path.as_uri())
