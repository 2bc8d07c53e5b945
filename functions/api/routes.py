"""Route discovery by path: ``routes/{path}/{method}.py``, fallback ``index.py``.

Directories are listed when the Manager starts (cheap, and a misnamed file fails
then); a route module is imported the first time it is hit. Layers are searched in
order and the first layer that has a route directory owns that route, so a
project's ``routes/user/`` replaces the built-in one, as in BEM. ``routes/api/``
holds legacy commands (``routes/api/{group}/{name}.py``), not REST routes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from functions.api import inject
from functions.api.modules import import_file
from functions.api.options import DEFAULT_OPTIONS, RouteOptions
from functions.errors import MethodNotAllowed, NotFound, SetupError

METHODS = ("get", "post", "put", "patch", "delete")
HANDLER_STEMS = (*METHODS, "index")
LEGACY_DIR = "api"


@dataclass
class RouteFile:
    path: Path
    route: str
    method: str  # a METHOD or "index"
    loaded: LoadedRoute | None = None  # the imported module's handler, after the first request
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    """Held while this file loads: concurrent first requests wait for it; other routes do not."""


@dataclass
class LoadedRoute:
    name: str  # e.g. "user/subscription/get"
    main: Callable
    params: tuple[str, ...]
    options: RouteOptions
    file: Path


@dataclass
class RouteTable:
    routes: dict[str, dict[str, RouteFile]] = field(default_factory=dict)
    commands: dict[str, RouteFile] = field(default_factory=dict)

    @classmethod
    def discover(cls, layers: list[Path]) -> RouteTable:
        table = cls()
        for layer in layers:
            if not layer.is_dir():
                continue
            for route, files in _scan_layer(layer).items():
                table.routes.setdefault(route, files)
            for command, file in _scan_commands(layer).items():
                table.commands.setdefault(command, file)
        return table

    def resolve(self, route: str, method: str) -> LoadedRoute:
        route = route.strip("/")
        files = self.routes.get(route)
        if files is None:
            raise NotFound(f"Route '/{route}' not found")
        method = method.lower()
        file = files.get(method) or files.get("index")
        if file is None:
            allowed = ", ".join(sorted(m.upper() for m in files))
            raise MethodNotAllowed(f"Method {method.upper()} not allowed on '/{route}' (allowed: {allowed})")
        return file.loaded or self.load(file)

    def command(self, name: str) -> LoadedRoute | None:
        file = self.commands.get(name)
        return self.load(file) if file else None

    def load(self, file: RouteFile) -> LoadedRoute:
        if file.loaded is None:
            with file.lock:
                if file.loaded is None:
                    file.loaded = _load(file)
        return file.loaded


def _scan_layer(layer: Path) -> dict[str, dict[str, RouteFile]]:
    found: dict[str, dict[str, RouteFile]] = {}
    for path in sorted(layer.rglob("*.py")):
        relative = path.relative_to(layer)
        if relative.parts[0] == LEGACY_DIR or any(part.startswith(("_", ".")) for part in relative.parts):
            continue
        if path.stem not in HANDLER_STEMS:
            raise SetupError(f"{path}: a route file must be named one of {', '.join(HANDLER_STEMS)}.py")
        route = "/".join(relative.parts[:-1])
        found.setdefault(route, {})[path.stem] = RouteFile(path, route, path.stem)
    return found


def _scan_commands(layer: Path) -> dict[str, RouteFile]:
    base = layer / LEGACY_DIR
    if not base.is_dir():
        return {}
    commands = {}
    for path in sorted(base.glob("*/*.py")):
        if path.stem.startswith("_"):
            continue
        group = path.parent.name
        command = f"{group}:{path.stem.replace('_', '-')}"
        commands[command] = RouteFile(path, command, "index")
    return commands


def _load(file: RouteFile) -> LoadedRoute:
    module = import_file(file.path, "route")
    main = getattr(module, "main", None)
    if not callable(main):
        raise SetupError(f"{file.path}: a route module must define a function main(...)")
    options = getattr(module, "OPTIONS", DEFAULT_OPTIONS)
    if not isinstance(options, RouteOptions):
        raise SetupError(f"{file.path}: OPTIONS must be a functions.api.RouteOptions")
    name = f"{file.route}/{file.method}" if file.method != "index" or ":" not in file.route else file.route
    return LoadedRoute(name=name, main=main, params=inject.plan(main, str(file.path)), options=options, file=file.path)
