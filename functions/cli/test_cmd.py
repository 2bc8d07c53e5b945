"""``mgr test``: placeholder until the emulator tier lands (runs the unit tier)."""

from __future__ import annotations

import subprocess
import sys

import typer


def test(ctx: typer.Context) -> None:
    """Run the tests."""
    raise typer.Exit(code=subprocess.call([sys.executable, "-m", "pytest", "tests/unit", *ctx.args]))
