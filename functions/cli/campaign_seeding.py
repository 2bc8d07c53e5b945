"""The ``mgr setup`` step and ``mgr doctor`` check for BEM's recurring campaigns (functions/marketing/campaigns/seeds.py).

Which Firestore: the one the environment selects (``FIRESTORE_EMULATOR_HOST``, ``BEM_FIRESTORE=memory``),
the running emulator with ``mgr setup --emulator``, else production when the project has a
``service-account.json`` (as BEM's setup). Without any of them the step is skipped and says so.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

CHECK_ID = "marketing.campaigns-seeded"


def connect(root: Path, *, emulator: bool = False) -> tuple[Any | None, str]:
    """(Firestore client or None, where it points / why there is none)."""
    from functions.cli.target import service_account_file
    from functions.store import backend

    if emulator and not os.environ.get("FIRESTORE_EMULATOR_HOST"):
        from functions.emulator.urls import read_ports

        host, port = read_ports(root)["firestore"]
        os.environ["FIRESTORE_EMULATOR_HOST"] = f"{host}:{port}"
        os.environ.setdefault("GCLOUD_PROJECT", "demo-bem")
    if backend() == "production":
        account = service_account_file(root)
        if account is None:
            return None, "no Firestore to reach (start the emulator and pass --emulator, or add service-account.json)"
        os.environ.setdefault("GOOGLE_APPLICATION_CREDENTIALS", str(account))
    from functions.cli.project import load_manager

    manager = load_manager(root)
    return manager.db, f"{backend()} Firestore, project {manager.project_id}"


def seed(root: Path, *, emulator: bool = False) -> int:
    """Print what seeding did; 1 when Firestore could not be written, else 0."""
    from functions.marketing.campaigns import seeds
    from functions.timestamps import utcnow

    db, where = connect(root, emulator=emulator)
    if db is None:
        typer.secho(f"skip  recurring campaigns not seeded: {where}", fg="yellow")
        return 0
    try:
        changes = seeds.apply(db, utcnow())
    except Exception as error:
        typer.secho(f"error recurring campaigns not seeded ({where}): {type(error).__name__}: {error}", fg="red")
        return 1
    for change in changes:
        if change.action == "created":
            typer.secho(f"fixed marketing-campaigns/{change.id} created", fg="yellow")
        elif change.action == "updated":
            typer.secho(f"fixed marketing-campaigns/{change.id}: {', '.join(change.paths)} restored", fg="yellow")
    if all(change.action == "unchanged" for change in changes):
        typer.secho(f"ok    recurring campaigns seeded ({where})", fg="green")
    return 0


def check(root: Path) -> list:
    from functions.cli.doctor_checks import Check
    from functions.marketing.campaigns import seeds
    from functions.timestamps import utcnow

    try:
        db, where = connect(root)
        if db is None:
            return [Check(CHECK_ID, "ok", f"recurring campaigns not checked: {where}")]
        pending = [c for c in seeds.apply(db, utcnow(), dry_run=True) if c.action != "unchanged"]
    except Exception as error:
        return [Check(CHECK_ID, "warn", f"recurring campaigns not checked: {type(error).__name__}: {error}")]
    if not pending:
        return [Check(CHECK_ID, "ok", "recurring campaigns seeded")]
    detail = "; ".join(f"{c.id} {'missing' if c.action == 'created' else 'differs at ' + ', '.join(c.paths)}" for c in pending)

    def fix() -> str:
        changes = seeds.apply(db, utcnow())
        return f"marketing-campaigns: {sum(c.action != 'unchanged' for c in changes)} recurring campaign(s) seeded"

    return [Check(CHECK_ID, "warn", f"recurring campaigns not seeded: {detail}", "run `mgr setup` or `mgr doctor --fix`", fix)]
