"""Project auth hooks: ``hooks/auth/{before_create,before_sign_in,on_create,on_delete}.py``.

A hook module defines ``main(...)``; its parameters are injected by name from
``manager, user, event, log, config, db`` (unknown parameter names without a default
fail with a ``SetupError`` naming the known ones). Blocking hooks (before_*) may raise
``functions.auth.Blocked`` (or the SDK's ``HttpsError``) to refuse; any other exception
also refuses (fails closed). Non-blocking hooks (on_*) have their errors logged, never raised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from functions.api import inject
from functions.api.modules import import_file
from functions.errors import SetupError
from functions.hook_names import AUTH_HOOKS

if TYPE_CHECKING:
    from functions.auth.events import AuthUser
    from functions.manager import Manager

HOOK_EVENTS = AUTH_HOOKS
INJECTABLE = ("manager", "user", "event", "log", "config", "db")


def find_hook(manager: Manager, event: str) -> Callable[..., Any] | None:
    if event not in HOOK_EVENTS:
        raise ValueError(f"unknown auth hook '{event}' (known: {', '.join(HOOK_EVENTS)})")
    path = manager.find_file("hooks", f"auth/{event}.py")
    if path is None:
        return None
    main = getattr(import_file(path, "hook"), "main", None)
    if not callable(main):
        raise SetupError(f"{path}: an auth hook must define main(...)")
    return main


def run_blocking(manager: Manager, event: str, user: AuthUser, payload: Any, log: Any) -> None:
    """Run a before_* hook; whatever it raises propagates and refuses the operation."""
    main = find_hook(manager, event)
    if main is not None:
        _call(main, _available(manager, user, payload, log))


def run_background(manager: Manager, event: str, user: AuthUser, payload: Any, log: Any) -> bool:
    """Run an on_* hook; an error is logged with its traceback and reported as False."""
    try:
        main = find_hook(manager, event)
        if main is not None:
            _call(main, _available(manager, user, payload, log))
        return True
    except Exception:
        log.exception("auth hook %s failed for %s", event, user.uid)
        return False


def _available(manager: Manager, user: AuthUser, payload: Any, log: Any) -> dict[str, Any]:
    return {"manager": manager, "user": user, "event": payload, "log": log, "config": manager.config, "db": manager.db}


def _call(main: Callable[..., Any], available: dict[str, Any]) -> Any:
    return inject.call(main, inject.plan(main, "auth hook", INJECTABLE), available)
