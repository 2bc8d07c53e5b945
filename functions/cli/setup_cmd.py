"""``mgr setup``: validate the config, create .env from the template, report what is missing."""

from __future__ import annotations

import shutil

import typer

from functions.cli.project import project_root


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
    import json

    index_file = root / "firestore.indexes.json"
    _, missing = merge_indexes(json.loads(index_file.read_text()) if index_file.exists() else {})
    if missing:
        typer.secho(f"warn  {len(missing)} required Firestore index(es) missing: run `mgr indexes`", fg="yellow")
    else:
        typer.secho("ok    firestore.indexes.json has every required index", fg="green")
    raise typer.Exit(code=1 if problems else 0)
