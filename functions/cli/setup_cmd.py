"""``mgr setup``: validate the config, write the development ``.env``, report what is missing, and
seed BEM's recurring campaigns (functions/cli/campaign_seeding.py; idempotent).

``.env`` is created from ``.env.example`` when absent; every secret the framework generates
itself gets a fresh random value (an existing value is never replaced). The secrets that need
the project's own keys are listed with what needs them and what works without them.
"""

from __future__ import annotations

import os

import typer

from functions.cli.project import project_root
from functions.environment import detect


def setup(
    emulator: bool = typer.Option(False, "--emulator", help="Seed the recurring campaigns into the running emulator"),
) -> None:
    """Check the project: config, .env (generated secrets filled in), secrets, indexes; seed BEM's recurring campaigns."""
    from functions.config import CONFIG_FILE, load_config
    from functions.errors import ConfigError

    root = project_root()
    problems = 0
    try:
        config = load_config(root / CONFIG_FILE)
        typer.secho(f"ok    {CONFIG_FILE}: brand '{config.brand.id}', {len(config.payment.products)} product(s)", fg="green")
    except ConfigError as error:
        typer.secho(f"error {error}", fg="red")
        problems += 1
    report_secrets(root)
    for warning in stripe_warnings(os.environ, detect()):
        typer.secho(f"warn  {warning}", fg="yellow")
    report_indexes(root)
    if not problems:
        from functions.cli.campaign_seeding import seed

        problems += seed(root, emulator=emulator)
    raise typer.Exit(code=1 if problems else 0)


def report_secrets(root: os.PathLike[str] | str) -> None:
    """Fill the generated secrets of ``.env`` and print which user secrets are still unset."""
    from pathlib import Path

    from dotenv import dotenv_values

    from functions.config.secrets import REGISTRY, fill_generated, missing_secrets

    root = Path(root)
    existed = (root / ".env").exists()
    filled = fill_generated(root / ".env", root / ".env.example")
    verb = "updated" if existed else "created"
    if filled:
        typer.secho(f"fixed .env {verb}: generated {', '.join(filled)}", fg="yellow")
    else:
        typer.secho("ok    .env has every generated secret", fg="green")
    missing = set(missing_secrets({**dotenv_values(root / ".env"), **os.environ}))
    user_missing = [item for item in REGISTRY if item.source == "user" and item.name in missing]
    if user_missing:
        typer.echo("info  these secrets need your own keys (in .env locally, environment variables in production):")
        for item in user_missing:
            typer.echo(f"      {item.name:<22} for {item.needed_for}; without it: {item.without}")
        typer.echo("info  without them, sign-ups, every API route and test-processor payments work locally.")


def report_indexes(root: os.PathLike[str] | str) -> None:
    import json
    from pathlib import Path

    from functions.indexes import merge_indexes

    index_file = Path(root) / "firestore.indexes.json"
    _, missing = merge_indexes(json.loads(index_file.read_text()) if index_file.exists() else {})
    if missing:
        typer.secho(f"warn  {len(missing)} required Firestore index(es) missing: run `mgr indexes`", fg="yellow")
    else:
        typer.secho("ok    firestore.indexes.json has every required index", fg="green")


def stripe_warnings(environ: dict | os._Environ, environment: str) -> list[str]:
    """Key/mode mismatches that silently break payments (live key in development, no webhook secret)."""
    key = environ.get("STRIPE_SECRET_KEY") or ""
    warnings = []
    if key.startswith(("sk_live_", "rk_live_")) and environment != "production":
        warnings.append(f"STRIPE_SECRET_KEY is a live key but the environment is {environment}")
    if key.startswith(("sk_test_", "rk_test_")) and environment == "production":
        warnings.append("STRIPE_SECRET_KEY is a test key in production")
    if key and not environ.get("STRIPE_WEBHOOK_SECRET"):
        warnings.append("STRIPE_WEBHOOK_SECRET is not set: Stripe webhooks are refused in production")
    return warnings
