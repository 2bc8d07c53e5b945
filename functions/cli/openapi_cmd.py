"""``mgr openapi``: write the OpenAPI 3.1 document of bm_api (functions/api/openapi.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from functions.cli.project import load_manager, project_root

ENVIRONMENTS = ("production", "development", "testing")


def openapi(
    output: Path = typer.Option(None, "--output", "-o", help="Write to this file (default: stdout)"),
    environment: str = typer.Option("production", "--environment", "-e", help="Describe the routes served in: production | development | testing"),
) -> None:
    """Write the OpenAPI 3.1 document of bm_api, from routes/ and schemas/ (no Firestore, no network)."""
    if environment not in ENVIRONMENTS:
        typer.secho(f"--environment must be one of {', '.join(ENVIRONMENTS)}", fg="red", err=True)
        raise typer.Exit(code=2)
    os.environ.setdefault("BEM_FIRESTORE", "memory")  # nothing is read; never reach for credentials
    manager = load_manager(project_root())
    from functions.api.openapi import build_document

    text = json.dumps(build_document(manager, environment=environment), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output} ({environment}: {text.count(chr(10))} lines)")
