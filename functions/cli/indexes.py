"""``mgr indexes``: write the framework's required composite indexes into firestore.indexes.json."""

from __future__ import annotations

import json

import typer

from functions.cli.project import project_root
from functions.indexes import merge_indexes


def indexes(check: bool = typer.Option(False, "--check", help="Only report; exit 1 if the file is out of date")) -> None:
    """Sync firestore.indexes.json with the required indexes (idempotent; keeps your own)."""
    path = project_root() / "firestore.indexes.json"
    current = json.loads(path.read_text()) if path.exists() else {}
    merged, added = merge_indexes(current)
    if check:
        typer.echo(f"{len(added)} required index(es) missing")
        raise typer.Exit(code=1 if added else 0)
    if added or not path.exists():
        path.write_text(json.dumps(merged, indent=2) + "\n")
    typer.echo(f"firestore.indexes.json: {len(added)} index(es) added, {len(merged['indexes'])} in total")
