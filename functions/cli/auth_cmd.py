"""``mgr auth get|list|delete|set-claims``: inspect and fix Firebase Auth users.

    mgr auth get user@example.com            # uid or e-mail (an "@" means e-mail)
    mgr auth list [--limit 100] [--page-token T] [--all]
    mgr auth delete abc123uid [--force]
    mgr auth set-claims user@example.com '{"admin": true}'

Target and exit codes: see ``functions.cli.target``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import typer

from functions.cli.target import (
    EXIT_FAILED,
    EXIT_USAGE,
    EmulatorOption,
    ForceOption,
    JsonOption,
    ProductionOption,
    RawOption,
    Target,
    confirm_destructive,
    emit,
    fail,
    note,
    resolve_target,
    sdk_errors,
)

app = typer.Typer(help="Inspect and manage Firebase Auth users (emulator by default).", no_args_is_help=True)
MAX_PAGE = 1000  # the Admin SDK's largest page
_apps_lock = threading.Lock()


def auth_client(target: Target) -> Any:
    """``firebase_admin.auth`` bound to an app for the target (one named app per target)."""
    target.apply()
    import firebase_admin
    from firebase_admin import auth, credentials

    name = f"mgr-{target.kind}-{target.project}"
    with _apps_lock:
        try:
            app_ = firebase_admin.get_app(name)
        except ValueError:
            credential = credentials.Certificate(str(target.credentials_file)) if target.credentials_file else None
            app_ = firebase_admin.initialize_app(credential, {"projectId": target.project}, name=name)
    return auth.Client(app_)


def resolve_user(client: Any, identifier: str) -> Any | None:
    """The user for a uid or an e-mail address (anything with "@"), or None when there is none."""
    from firebase_admin import auth

    try:
        return client.get_user_by_email(identifier) if "@" in identifier else client.get_user(identifier)
    except auth.UserNotFoundError:
        return None


def user_summary(user: Any) -> dict[str, Any]:
    """BEM's ``auth:list`` row for a user record."""
    metadata = user.user_metadata
    return {
        "uid": user.uid,
        "email": user.email,
        "displayName": user.display_name,
        "disabled": user.disabled,
        "createdAt": _millis_iso(metadata.creation_timestamp),
        "lastSignIn": _millis_iso(metadata.last_sign_in_timestamp),
        "customClaims": user.custom_claims or {},
    }


def user_details(user: Any) -> dict[str, Any]:
    """Everything ``auth get`` shows: the summary plus providers and verification."""
    return {
        **user_summary(user),
        "emailVerified": user.email_verified,
        "phoneNumber": user.phone_number,
        "photoURL": user.photo_url,
        "providers": [p.provider_id for p in user.provider_data],
        "tokensValidAfter": _millis_iso(user.tokens_valid_after_timestamp),
    }


def _millis_iso(millis: int | None) -> str | None:
    import datetime

    if not millis:
        return None
    return datetime.datetime.fromtimestamp(millis / 1000, tz=datetime.UTC).isoformat().replace("+00:00", "Z")


def iterate_pages(client: Any, limit: int, page_token: str | None, every: bool) -> Iterator[tuple[list[Any], str | None]]:
    """Pages of users: one page of ``limit`` (or every page when ``every``), with the next page token."""
    while True:
        page = client.list_users(page_token=page_token, max_results=min(limit, MAX_PAGE))
        token = page.next_page_token or None
        yield list(page.users), token
        if not every or token is None:
            return
        page_token = token



def _user_or_exit(client: Any, identifier: str) -> Any:
    user = resolve_user(client, identifier)
    if user is None:
        raise fail(f"User not found: {identifier}", EXIT_FAILED)
    return user


@app.command("get")
@sdk_errors
def get(
    identifier: str = typer.Argument(..., help="uid or e-mail"),
    production: bool = ProductionOption, emulator: bool = EmulatorOption, force: bool = ForceOption,
    as_json: bool = JsonOption, raw: bool = RawOption,
) -> None:
    """Show one user. Exit 1 when there is none."""
    user = _user_or_exit(auth_client(resolve_target(production=production, emulator=emulator, force=force)), identifier)
    emit(user_details(user), as_json=as_json, raw=raw)


@app.command("list")
@sdk_errors
def list_(
    limit: int = typer.Option(100, "--limit", min=1, help=f"Users per page (at most {MAX_PAGE})"),
    page_token: str = typer.Option(None, "--page-token", help="Continue from this page token"),
    every: bool = typer.Option(False, "--all", help="Fetch every page (with a progress counter)"),
    production: bool = ProductionOption, emulator: bool = EmulatorOption, force: bool = ForceOption,
    as_json: bool = JsonOption, raw: bool = RawOption,
) -> None:
    """List users, one page (default 100) or --all; prints the next page token when there is one."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    client = auth_client(resolve_target(production=production, emulator=emulator, force=force))
    users: list[dict[str, Any]] = []
    next_token = None
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Listing users: 0", total=None)
        for page, token in iterate_pages(client, limit, page_token, every):
            next_token = token
            users.extend(user_summary(u) for u in page)
            bar.update(task, description=f"Listing users: {len(users)}")
    note(f"Found {len(users)} user(s)")
    if next_token:
        note(f"Next page: --page-token {next_token}")
    emit(users, as_json=as_json, raw=raw, pretty=_print_users)


def _print_users(users: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("uid", "email", "name", "disabled", "created", "last sign-in", "claims")
    for u in users:
        table.add_row(u["uid"], u["email"] or "", u["displayName"] or "", "yes" if u["disabled"] else "",
                      u["createdAt"] or "", u["lastSignIn"] or "", json.dumps(u["customClaims"]) if u["customClaims"] else "")
    Console().print(table)


@app.command("delete")
@sdk_errors
def delete(
    identifier: str = typer.Argument(..., help="uid or e-mail"),
    production: bool = ProductionOption, emulator: bool = EmulatorOption, force: bool = ForceOption,
) -> None:
    """Delete a user (production asks first unless --force). Exit 1 when there is none."""
    target = resolve_target(production=production, emulator=emulator, force=force)
    client = auth_client(target)
    user = _user_or_exit(client, identifier)
    note(f"User: {user.uid} ({user.email or 'no email'})")
    confirm_destructive(target, f'user "{user.uid}" ({user.email or "no email"})', force)
    client.delete_user(user.uid)
    typer.secho(f"User deleted: {user.uid}", fg="green", err=True)


@app.command("set-claims")
@sdk_errors
def set_claims(
    identifier: str = typer.Argument(..., help="uid or e-mail"),
    claims: str = typer.Argument(..., help='JSON object, e.g. \'{"admin": true}\''),
    production: bool = ProductionOption, emulator: bool = EmulatorOption, force: bool = ForceOption,
    as_json: bool = JsonOption, raw: bool = RawOption,
) -> None:
    """Replace a user's custom claims with the JSON object given."""
    try:
        parsed = json.loads(claims)
    except ValueError as error:
        raise fail(f"Invalid JSON: {error}", EXIT_USAGE) from None
    if not isinstance(parsed, dict):
        raise fail("Claims must be a JSON object", EXIT_USAGE)
    client = auth_client(resolve_target(production=production, emulator=emulator, force=force))
    user = _user_or_exit(client, identifier)
    client.set_custom_user_claims(user.uid, parsed)
    note(f"Custom claims set for {user.uid}")
    emit({"uid": user.uid, "customClaims": parsed}, as_json=as_json, raw=raw)
