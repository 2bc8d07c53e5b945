"""``mgr setup``: validate the config, create .env from the template, report what is missing."""

from __future__ import annotations

import os
import shutil

import typer

from functions.cli.project import project_root
from functions.environment import detect


def setup() -> None:
    """Check the project: config, .env, secrets, indexes. Creates .env from .env.example if absent."""
    from functions.config import CONFIG_FILE, load_config, missing_secrets
    from functions.errors import ConfigError
    from functions.indexes import merge_indexes

    root = project_root()
    problems = 0
    try:
        config = load_config(root / CONFIG_FILE)
        typer.secho(f"ok    {CONFIG_FILE}: brand '{config.brand.id}', {len(config.payment.products)} product(s)", fg="green")
    except ConfigError as error:
        typer.secho(f"error {error}", fg="red")
        problems += 1
    env_file, template = root / ".env", root / ".env.example"
    if not env_file.exists() and template.exists():
        shutil.copy(template, env_file)
        typer.secho("fixed .env created from .env.example: fill in the values", fg="yellow")
    from functions.config import load_dotenv_for

    load_dotenv_for(root, "development")
    for name in missing_secrets():
        typer.secho(f"warn  {name} is not set (.env locally, environment in production)", fg="yellow")
    for warning in stripe_warnings(os.environ, detect()):
        typer.secho(f"warn  {warning}", fg="yellow")
    import json

    index_file = root / "firestore.indexes.json"
    _, missing = merge_indexes(json.loads(index_file.read_text()) if index_file.exists() else {})
    if missing:
        typer.secho(f"warn  {len(missing)} required Firestore index(es) missing: run `mgr indexes`", fg="yellow")
    else:
        typer.secho("ok    firestore.indexes.json has every required index", fg="green")
    raise typer.Exit(code=1 if problems else 0)


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
