"""``mgr init DIR``: a new Firebase project that depends on the framework.

It writes main.py, firebase.json (BEM's Hosting rewrites), the config, rules and the
required indexes (functions/indexes.py), .env.example, requirements.txt pinning the
framework, pytest config, an example route + schema + test, the pinned firebase-tools
manifest in emulator/ and bin/setup. The built-in routes come from the installed
framework (its last layer), so upgrading is ``pip install -U`` plus ``mgr doctor``.
"""

from __future__ import annotations

import json
import re
import shutil
from importlib import resources
from pathlib import Path

import typer

from functions import __version__
from functions.builtins import framework_file
from functions.cli.project_files import new_firebase_json
from functions.indexes import merge_indexes

PACKAGE_NAME = "backend-manager-py"
# Template files whose names cannot be package data as-is (dotfiles).
RENAMES = {"dot-gitignore": ".gitignore"}
# Text files whose ``{name}`` / ``{version}`` placeholders are filled in.
RENDERED = {"README.md", "public/index.html"}
# Copied from the framework's own root (the wheel's copy, or this checkout's files).
FRAMEWORK_FILES = ("firestore.rules", ".env.example", "emulator/package.json", "emulator/package-lock.json")


def init(
    directory: Path = typer.Argument(..., help="Folder of the new project (created; must be empty)"),
    force: bool = typer.Option(False, "--force", help="Write into a non-empty folder (existing files are overwritten)"),
    framework: str = typer.Option(None, "--framework", help="requirements.txt line for the framework (a path or wheel); default: pinned version"),
    name: str = typer.Option(None, "--name", help="Brand id (default: the folder name)"),
) -> None:
    """Create a new project on the framework: main.py, firebase.json, config, rules, indexes, example route + test."""
    target = directory.resolve()
    if target.exists() and any(target.iterdir()) and not force:
        typer.secho(f"{target} is not empty: choose an empty folder or pass --force.", fg="red", err=True)
        raise typer.Exit(code=2)
    written = create_project(target, framework=framework, brand_id=name)
    typer.secho(f"Created {target} ({len(written)} files) on backend-manager-py {__version__}.", fg="green")
    typer.echo(f"Next: cd {directory} && bin/setup && venv/bin/mgr test")


def create_project(target: Path, framework: str | None = None, brand_id: str | None = None) -> list[Path]:
    """Write the project files into ``target``; returns the paths written."""
    brand = _slug(brand_id or target.name)
    values = {"name": brand, "version": __version__}
    written = _copy_template(target, values)
    files = {
        "firebase.json": json.dumps(new_firebase_json(), indent=2) + "\n",
        "firestore.indexes.json": json.dumps(merge_indexes({})[0], indent=2) + "\n",
        "backend-manager-config.json": json.dumps(_config(brand), indent=2) + "\n",
        "requirements.txt": _requirements(framework),
        ".firebaserc": json.dumps({"projects": {"default": brand}}, indent=2) + "\n",
    }
    for relative, text in files.items():
        written.append(_write(target / relative, text))
    for relative in FRAMEWORK_FILES:
        source = framework_file(relative)
        if source.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            written.append(Path(shutil.copyfile(source, target / relative)))
    return written


def _copy_template(target: Path, values: dict[str, str]) -> list[Path]:
    template = Path(str(resources.files("functions") / "project_template"))
    written = []
    for source in sorted(template.rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        relative = source.relative_to(template).as_posix()
        destination = target / RENAMES.get(relative, relative)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if relative in RENDERED:
            text = source.read_text()
            for key, value in values.items():
                text = text.replace("{" + key + "}", value)
            written.append(_write(destination, text))
        else:
            written.append(Path(shutil.copy2(source, destination)))
    return written


def _config(brand: str) -> dict:
    """The framework's demo config with this project's brand (products stay as examples to edit)."""
    config = json.loads(framework_file("backend-manager-config.json").read_text())
    config["brand"].update({"id": brand, "name": brand.replace("-", " ").title(), "url": f"https://{brand}.web.app"})
    return config


def _requirements(framework: str | None) -> str:
    line = framework or f"{PACKAGE_NAME}=={__version__}"
    return (
        "# What firebase-tools installs on deploy (and bin/setup locally). The framework brings its own\n"
        "# pinned dependencies; upgrade it with `pip install -U` and then run `mgr doctor`.\n"
        f"{line}\n"
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-") or "my-project"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
