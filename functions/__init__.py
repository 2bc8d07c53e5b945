"""backend-manager for Python: a Firebase Cloud Functions backend framework.

Public names are imported lazily so ``import functions`` stays cheap (cold starts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "Manager": "functions.manager",
    "RouteOptions": "functions.api.options",
    "errors": "functions.errors",
}

if TYPE_CHECKING:
    from functions.api.options import RouteOptions
    from functions.manager import Manager


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(_LAZY[name])
        return module if name == "errors" else getattr(module, name)
    raise AttributeError(f"module 'functions' has no attribute {name!r}")


__all__ = ["Manager", "RouteOptions", "__version__", "errors"]
