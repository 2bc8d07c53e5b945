"""``mgr serve``: bm_api in-process on http://127.0.0.1:PORT, always able to start.

Firestore: the emulator when one runs (``FIRESTORE_EMULATOR_HOST``, or a suite found through
its hub), else the embedded in-memory store. Auth: the Auth emulator when one runs, else an
in-memory Auth (``LocalAuthAdmin``) that accepts emulator-format ID tokens, so ``user/sessions``,
``DELETE user`` and lazy provisioning work on a fresh clone; ``--accounts`` seeds the test
accounts and prints a token for each. The access log never shows credentials from the query
string, and errors the HTTP server answers itself (over-long URL or headers) are JSON in the
framework's error shape.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

import typer
from werkzeug.serving import WSGIRequestHandler

from functions.auth.admin import AuthAccount, MemoryAuthAdmin
from functions.cli.project import load_manager, project_root
from functions.logs import redact

LOCAL_AUTH_HOST = "127.0.0.1:9"
"""Where firebase-admin is told the Auth emulator is when none runs: a closed port, so nothing is
called, and ID tokens in the emulator's (unsigned) format verify; development only."""

@dataclass
class LocalAuthAdmin(MemoryAuthAdmin):
    """In-memory Auth for ``mgr serve`` without the Auth emulator.

    Without an Auth service nobody signs users up, so the holder of a verified ID token is an
    Auth user (as if the client had signed up) until deleted; a deleted user stays deleted."""

    deleted: set[str] = field(default_factory=set)

    def get_user(self, uid: str) -> AuthAccount | None:
        if uid not in self.accounts and uid not in self.deleted:
            self.add(uid)
        return super().get_user(uid)

    def delete_user(self, uid: str) -> bool:
        existed = uid not in self.deleted  # every uid is a user until deleted
        with self._lock:
            self.accounts.pop(uid, None)
            self.deleted.add(uid)
        self.calls.append(("delete_user", uid))
        return existed


class RedactingRequestHandler(WSGIRequestHandler):
    """werkzeug's handler with credentials redacted from every log line and JSON errors of its own."""

    def log(self, type: str, message: str, *args: Any) -> None:
        super().log(type, redact(message % args if args else message))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answers the server gives before bm_api runs (414 URI too long, 431 headers, 400 syntax)."""
        self.log_error("code %d, message %s", code, message)
        body = json.dumps({"error": {"message": message or "Bad request", "code": "bad-request", "status": code, "tag": "server"}}).encode()
        self.send_response(code, message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)


def serve(
    port: int = typer.Option(5002, help="Port to listen on"),
    host: str = typer.Option("127.0.0.1"),
    accounts: bool = typer.Option(False, "--accounts", help="Seed the test accounts (in-memory Auth) and print a token for each"),
    memory: bool = typer.Option(False, "--memory", help="In-memory Firestore and Auth even when an emulator suite runs"),
) -> None:
    """Run bm_api locally (in-memory Firestore and Auth unless emulators are running)."""
    os.environ.setdefault("ENVIRONMENT", "development")
    root = project_root()
    if memory:
        for name in ("FIRESTORE_EMULATOR_HOST", "FIREBASE_AUTH_EMULATOR_HOST"):
            os.environ.pop(name, None)
    else:
        _use_running_emulators(root)
    if not os.environ.get("FIRESTORE_EMULATOR_HOST"):
        os.environ["BEM_FIRESTORE"] = "memory"
    local_auth = not os.environ.get("FIREBASE_AUTH_EMULATOR_HOST")
    if local_auth:
        os.environ["FIREBASE_AUTH_EMULATOR_HOST"] = LOCAL_AUTH_HOST
    manager = load_manager(root)
    from functions.store import backend

    auth_name = "in-memory" if local_auth else f"emulator at {os.environ['FIREBASE_AUTH_EMULATOR_HOST']}"
    if local_auth:
        from functions.auth.admin import use_auth_admin

        use_auth_admin(manager, LocalAuthAdmin())
    if accounts:
        _seed_and_print_accounts(manager, local_auth)
    typer.echo(f"bm_api ({manager.environment}, firestore: {backend()}, auth: {auth_name}) on http://{host}:{port}/backend-manager/test/health")
    from werkzeug.serving import run_simple

    from functions.wsgi import api_app

    run_simple(host, port, api_app(manager), use_reloader=False, threaded=True, request_handler=RedactingRequestHandler)


def _use_running_emulators(root: Any) -> None:
    """A running suite (found through its hub) serves Firestore and Auth, unless told otherwise."""
    if os.environ.get("FIRESTORE_EMULATOR_HOST") or os.environ.get("FIREBASE_AUTH_EMULATOR_HOST"):
        return
    from functions.emulator import DEFAULT_PROJECT, detect_running

    running = detect_running(DEFAULT_PROJECT, root, timeout=0.5)
    if running is not None:
        os.environ.update({k: v for k, v in running.as_env().items() if k in ("FIRESTORE_EMULATOR_HOST", "FIREBASE_AUTH_EMULATOR_HOST")})


def _seed_and_print_accounts(manager: Any, local_auth: bool) -> None:
    if not local_auth:
        typer.secho("--accounts seeds the in-memory Auth only; with the Auth emulator use `mgr emulator`'s accounts.", fg="yellow")
        return
    from functions.auth.admin import auth_admin
    from functions.testing.accounts import default_accounts
    from functions.testing.tokens import emulator_id_token

    for account in default_accounts().values():
        manager.db.document(f"users/{account.uid}").set(account.document())
        auth_admin(manager).add(account.uid, account.email)
        token = emulator_id_token(account.uid, email=account.email, project=manager.project_id)
        typer.echo(f"  {account.uid:<28} Authorization: Bearer {token}")
