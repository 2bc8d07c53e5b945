"""Where the framework's built-in layer (routes, schemas, hooks, cron, templates) lives.

In this repository the built-ins are the root folders, so the repository is both the
framework and its own deployable project. An installed wheel carries a copy under
``functions/_builtins/`` (setup.py), which every other project gets as its last layer.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

BUILTIN_FOLDERS = ("routes", "schemas", "hooks", "cron", "templates")


CHECKOUT = Path(__file__).resolve().parent.parent


@functools.cache
def builtin_dir() -> Path | None:
    """``functions/_builtins`` of an installed wheel; for an editable install, this checkout's
    root (whose folders are the built-ins); None when neither is there."""
    path = Path(str(resources.files("functions") / "_builtins"))
    if path.is_dir():
        return path
    return CHECKOUT if is_framework_checkout(CHECKOUT) else None


def is_framework_checkout(root: Path) -> bool:
    """True when ``root`` is this repository (its root folders ARE the built-ins)."""
    return (root / "functions" / "manager.py").is_file() and (root / "setup.py").is_file()


@functools.cache
def builtin_layer(root: Path, kind: str) -> tuple[Path, ...]:
    """The built-in directory for ``kind`` to append after the project's own, once (cached)."""
    base = builtin_dir()
    if base is None or is_framework_checkout(root) or base == root.resolve():
        return ()
    return (base / kind,)


def framework_file(relative: str) -> Path:
    """A root file of the framework a new project starts from (config, rules, .env.example,
    ``emulator/package.json``): the wheel's copy, else this checkout's own file."""
    base = builtin_dir()
    if base is not None and (base / "root" / relative).is_file():
        return base / "root" / relative
    return CHECKOUT / relative
