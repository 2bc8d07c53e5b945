"""Which Firebase a data command (``mgr firestore``, ``mgr auth``) talks to, and how it prints.

- the local Emulator Suite by default, when one runs (found through its hub);
- production only with ``--production``, after a confirmation prompt (``--force`` skips it).

The production project id comes from ``service-account.json`` (BEM's ``functions/service-account.json``
or one at the project root), then ``.firebaserc``'s default, then ``GCLOUD_PROJECT``.
Credentials: that service account when present, else application default credentials.
The Google SDKs honour ``FIRESTORE_EMULATOR_HOST`` / ``FIREBASE_AUTH_EMULATOR_HOST`` even for the
production target: the tests point the production path at the emulators that way.

Exit codes every command shares: 0 ok, 1 not found or failed, 2 usage (bad arguments, no target).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

ProductionOption = typer.Option(False, "--production", help="Use the production project (asks for confirmation).")
EmulatorOption = typer.Option(False, "--emulator", help="Require the local emulator (the default when one runs).")
ForceOption = typer.Option(False, "--force", "-f", help="Skip confirmation prompts.")
JsonOption = typer.Option(False, "--json", help="Print JSON (indented) for scripts.")
RawOption = typer.Option(False, "--raw", help="Print compact one-line JSON (for jq).")


@dataclass(frozen=True)
class Target:
    """Where the command's SDK calls go."""

    kind: str  # "emulator" | "production"
    project: str
    env: dict[str, str] = field(default_factory=dict)
    credentials_file: Path | None = None

    def apply(self) -> None:
        """Export the emulator hosts (the Google SDKs read them from the environment)."""
        os.environ.update(self.env)

    def label(self) -> str:
        return f"{self.project} ({self.kind})"


def find_root(start: Path | None = None) -> Path:
    """The nearest folder holding ``firebase.json`` (the current folder if none)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "firebase.json").is_file():
            return folder
    return here


def service_account_file(root: Path) -> Path | None:
    for candidate in (root / "functions" / "service-account.json", root / "service-account.json"):
        if candidate.is_file():
            return candidate
    return None


def production_project(root: Path, environ: dict[str, str] | os._Environ | None = None) -> str | None:
    """The production project id: service account, then ``.firebaserc`` default, then the environment."""
    env = os.environ if environ is None else environ
    account = service_account_file(root)
    if account is not None:
        try:
            project = json.loads(account.read_text()).get("project_id")
        except (OSError, ValueError):
            project = None
        if project:
            return str(project)
    rc = root / ".firebaserc"
    if rc.is_file():
        try:
            project = (json.loads(rc.read_text()).get("projects") or {}).get("default")
        except (OSError, ValueError, AttributeError):
            project = None
        if project:
            return str(project)
    return env.get("GCLOUD_PROJECT") or env.get("GOOGLE_CLOUD_PROJECT") or None


def fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    """Print ``message`` in red on stderr; return the Exit to raise."""
    typer.secho(message, fg="red", err=True)
    return typer.Exit(code=code)


def note(message: str) -> None:
    """Status lines go to stderr so stdout stays clean for ``--json``."""
    typer.secho(message, fg="bright_black", err=True)


_SDK_MODULES = ("google.", "firebase_admin", "grpc", "requests", "urllib3")


def sdk_errors(command: Callable) -> Callable:
    """Report an SDK/network failure (permission denied, unreachable, invalid argument) as exit 1."""

    @functools.wraps(command)
    def run(*args: object, **kwargs: object) -> object:
        try:
            return command(*args, **kwargs)
        except Exception as error:
            if not type(error).__module__.startswith(_SDK_MODULES):
                raise
            raise fail(f"{type(error).__name__}: {error}", EXIT_FAILED) from None

    return run


def resolve_target(*, production: bool, emulator: bool, force: bool, root: Path | None = None) -> Target:
    """Pick the target from the flags (confirming production unless ``force``) and say which on stderr.

    Raises ``typer.Exit`` (2 without a usable target, 1 when the confirmation is declined)."""
    root = root or find_root()
    if production and emulator:
        raise fail("Choose one of --production and --emulator.", EXIT_USAGE)
    if production:
        project = production_project(root)
        if not project:
            raise fail("No production project: add service-account.json or a .firebaserc default, or set GCLOUD_PROJECT.", EXIT_USAGE)
        if not force and not typer.confirm(f"Use the PRODUCTION project {project}?", default=False, err=True):
            raise fail("Aborted.", EXIT_FAILED)
        target = Target("production", project, credentials_file=service_account_file(root))
        note(f"Target: {target.label()}")
        return target
    from functions.emulator import DEFAULT_PROJECT, detect_running

    urls = detect_running(os.environ.get("BEM_EMULATOR_PROJECT") or DEFAULT_PROJECT, root)
    if urls is None:
        raise fail("No emulator is running: start one with `mgr emulator`, or pass --production.", EXIT_USAGE)
    target = Target("emulator", urls.project, env=urls.as_env())
    note(f"Target: {target.label()}")
    return target


def confirm_destructive(target: Target, what: str, force: bool) -> None:
    """Production deletes ask again (naming what goes); the emulator never asks."""
    question = f"Delete {what} from PRODUCTION {target.project}?"
    if target.kind == "production" and not force and not typer.confirm(question, default=False, err=True):
        raise fail("Aborted.", EXIT_FAILED)


def to_jsonable(value: Any) -> Any:
    """Firestore/Auth values as JSON: timestamps in ISO 8601, references as paths, bytes as base64."""
    import base64
    import datetime

    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if hasattr(value, "latitude") and hasattr(value, "longitude"):
        return {"latitude": value.latitude, "longitude": value.longitude}
    if hasattr(value, "path") and hasattr(value, "parent"):  # DocumentReference
        return value.path
    return value


def emit(data: Any, *, as_json: bool, raw: bool, pretty: Any = None) -> None:
    """Print ``data``: compact JSON (``--raw``), indented JSON (``--json``), else ``pretty()`` or rich JSON."""
    data = to_jsonable(data)
    if raw:
        typer.echo(json.dumps(data, separators=(",", ":"), default=str))
    elif as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
    elif pretty is not None:
        pretty(data)
    else:
        from rich.console import Console

        Console().print_json(json.dumps(data, default=str))
