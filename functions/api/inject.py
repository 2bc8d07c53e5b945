"""Inject handler parameters by name, planned once when the module loads (FastAPI style).

A route handler is ``def main(assistant, user, settings): ...``: each parameter names
something the request has. Unknown names fail at load with the list of known ones.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection
from typing import Any

from functions.errors import SetupError

INJECTABLE = {
    "manager": "the Manager (config, db, options)",
    "assistant": "the request's Assistant (respond, redirect, log, request info)",
    "request": "the raw flask/werkzeug request",
    "user": "the caller (CurrentUser: authenticated, uid, doc, is_admin)",
    "settings": "the validated schema model, or the sanitized data dict without a schema",
    "usage": "the caller's usage meter",
    "config": "the validated backend-manager-config.json",
    "db": "the Firestore client",
    "data": "body merged with query, before validation",
    "files": "uploaded multipart files by field name",
    "logger": "the structured logger",
    "email": "the e-mail library (manager.email: send, build)",
    "ai": "the AI library, charging config ai.metric on the caller's meter (functions/ai)",
}


def plan(func: Callable, where: str, known: Collection[str] = INJECTABLE) -> tuple[str, ...]:
    """The names ``func`` asks for, checked against ``known`` (routes by default; hooks and jobs pass theirs)."""
    names = []
    for parameter in inspect.signature(func).parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.name not in known:
            if parameter.default is not parameter.empty:
                continue
            raise SetupError(f"{where}: parameter '{parameter.name}' cannot be injected (known: {', '.join(known)})")
        names.append(parameter.name)
    return tuple(names)


def call(func: Callable, names: tuple[str, ...], available: dict[str, Any]) -> Any:
    return func(**dict(zip(names, map(available.__getitem__, names), strict=True)))
