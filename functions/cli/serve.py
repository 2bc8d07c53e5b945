"""``mgr serve``: bm_api in-process on http://127.0.0.1:PORT, always able to start.

With an emulator running (FIRESTORE_EMULATOR_HOST) it uses it; otherwise the
embedded in-memory Firestore, so a fresh clone answers requests at once.
"""

from __future__ import annotations

import os

import typer

from functions.cli.project import load_manager, project_root


def serve(port: int = typer.Option(5002, help="Port to listen on"), host: str = typer.Option("127.0.0.1")) -> None:
    """Run bm_api locally (in-memory Firestore unless an emulator is running)."""
    os.environ.setdefault("ENVIRONMENT", "development")
    if not os.environ.get("FIRESTORE_EMULATOR_HOST"):
        os.environ["BEM_FIRESTORE"] = "memory"
    root = project_root()
    manager = load_manager(root)
    from werkzeug.serving import run_simple

    from functions.store import backend
    from functions.wsgi import api_app

    typer.echo(f"bm_api ({manager.environment}, firestore: {backend()}) on http://{host}:{port}/backend-manager/test/health")
    run_simple(host, port, api_app(manager), use_reloader=False, threaded=True)
