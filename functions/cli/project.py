"""Find and load the project a command runs in (the folder with main.py and the config)."""

from __future__ import annotations

from pathlib import Path

import typer

from functions.errors import SetupError


def project_root(start: Path | None = None) -> Path:
    start = (start or Path.cwd()).resolve()
    for candidate in (start, *start.parents):
        if (candidate / "main.py").is_file() and (candidate / "firebase.json").is_file():
            return candidate
    typer.secho(f"No project here: no main.py + firebase.json in {start} or above.", fg="red", err=True)
    raise typer.Exit(code=2)


def load_manager(root: Path):
    from functions.manager import Manager

    try:
        return Manager.create(root)
    except SetupError as error:
        typer.secho(f"Project failed to load: {error}", fg="red", err=True)
        raise typer.Exit(code=2) from None
