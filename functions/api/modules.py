"""Import a project file (route, schema, hook, job) by path, without making it a package.

Thread-safe, load-then-publish: requests run concurrently on threads, and a module is
registered in ``sys.modules`` while it executes (pydantic and dataclasses look it up
there). A second request must never take that half-executed module for a loaded one
(``must define class Schema`` → 500). So a module is *published* (``_loaded``) only
after it has run to the end, and a thread that finds it unpublished waits on that
path's lock for the thread that is loading it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType

from functions.errors import SetupError

_loaded: dict[str, ModuleType] = {}
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def module_name(path: Path, namespace: str) -> str:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    return f"_bem_{namespace}_{path.stem}_{digest}"


def import_file(path: Path, namespace: str) -> ModuleType:
    name = module_name(path, namespace)
    module = _loaded.get(name)
    if module is not None:
        return module
    with _locks_guard:
        lock = _locks.setdefault(name, threading.Lock())
    with lock:
        module = _loaded.get(name)
        if module is None:
            module = _execute(path, name)
            _loaded[name] = module
    return module


def _execute(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SetupError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
