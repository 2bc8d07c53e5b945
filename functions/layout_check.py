"""Check the project's routes, schemas and hook files when the Manager starts.

A misspelled hook (``hooks/payments/transitions/subscription/new-subscriptoin.py``) would
never run, and a route module without ``main`` would fail only on its first request (500).
So the Manager refuses to start, with one message listing every problem and the known
names. Cold start matters: nothing is imported; file names are listed and route/schema
sources are searched for their entry point as text (a regular expression over a few KB).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from functions.api.routes import HANDLER_STEMS, RouteTable
from functions.errors import SetupError
from functions.hook_names import AUTH_HOOKS, CRON_SCHEDULES, ONE_TIME_TRANSITIONS, SUBSCRIPTION_TRANSITIONS

if TYPE_CHECKING:
    from functions.manager import Manager

_DEFINES_MAIN = re.compile(r"^(?:async\s+)?def\s+main\s*\(|^main\s*[:=]|^from\s+\S+\s+import\s+(?:.*[\s,(])?main\b", re.M)
_DEFINES_SCHEMA = re.compile(r"^class\s+Schema\b|^def\s+schema\s*\(|^Schema\s*[:=]|^from\s+\S+\s+import\s+(?:.*[\s,(])?(?:Schema|schema)\b", re.M)
HOOK_NAMES = {
    "auth": AUTH_HOOKS,
    "payments/transitions/subscription": SUBSCRIPTION_TRANSITIONS,
    "payments/transitions/one-time": ONE_TIME_TRANSITIONS,
}


def check_layout(manager: Manager) -> None:
    """Raise ``SetupError`` listing every misnamed or incomplete route, schema or hook file."""
    problems = [
        *route_problems(manager.routes),
        *schema_problems(manager.options.layers("schemas"), manager.routes),
        *hook_problems(manager.options.layers("hooks")),
    ]
    if problems:
        raise SetupError("The project layout has problems:\n  - " + "\n  - ".join(problems))


def route_problems(table: RouteTable) -> list[str]:
    files = [file for methods in table.routes.values() for file in methods.values()]
    return [f"{file.path}: a route module must define a function main(...)"
            for file in [*files, *table.commands.values()] if not _DEFINES_MAIN.search(_source(file.path))]


def schema_problems(layers: Iterable[Path], table: RouteTable) -> list[str]:
    problems = []
    commands = {name.replace(":", "/") for name in table.commands}
    for layer, path in _python_files(layers):
        relative = path.relative_to(layer)
        route = "/".join(relative.parts[:-1])
        if path.stem not in HANDLER_STEMS:
            problems.append(f"{path}: a schema file must be named one of {', '.join(HANDLER_STEMS)}.py")
        elif route not in table.routes and route not in commands:
            problems.append(f"{path}: no route '{route}' for this schema (routes: {', '.join(sorted(table.routes))})")
        elif not _DEFINES_SCHEMA.search(_source(path)):
            problems.append(f"{path}: a schema module must define class Schema(BaseModel) or def schema(...)")
    return problems


def hook_problems(layers: Iterable[Path]) -> list[str]:
    problems = []
    for layer, path in _python_files(layers):
        folder = "/".join(path.relative_to(layer).parts[:-1])
        family = folder.split("/", 1)[0]
        if folder in HOOK_NAMES:
            known = HOOK_NAMES[folder]
            if path.stem not in known:
                problems.append(f"{path}: unknown hook '{path.stem}' (known in {folder}/: {', '.join(known)})")
        elif family == "cron":
            if folder.count("/") != 1 or folder.split("/")[1] not in CRON_SCHEDULES:
                problems.append(f"{path}: cron jobs live in hooks/cron/{{{','.join(CRON_SCHEDULES)}}}/")
        elif family in ("auth", "payments"):
            problems.append(f"{path}: not a hook location (known: {', '.join(f'hooks/{name}/' for name in HOOK_NAMES)})")
    return problems


def _python_files(layers: Iterable[Path]) -> list[tuple[Path, Path]]:
    found = []
    for layer in layers:
        if layer.is_dir():
            for path in sorted(layer.rglob("*.py")):
                if not any(part.startswith(("_", ".")) for part in path.relative_to(layer).parts):
                    found.append((layer, path))
    return found


def _source(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
