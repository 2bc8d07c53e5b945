"""The one place processors are registered: ``PROCESSORS`` maps a name to ``"module:attribute"``.

Modules load on first use (cold start). Adding a processor = its folder under ``processors/`` + one
line here + its product ids in config (``payment.products[].{name}.productId``).

``register(name, "module:attribute")`` adds one at run time (a project's own processor, or a test's
fake one); ``unregister(name)`` takes it away again. Both hold a lock, so a lookup never sees a
half-made change.
"""

from __future__ import annotations

import importlib
import re
import threading

from functions.errors import BadRequest
from functions.payments.processors.base import Processor

PROCESSORS: dict[str, str] = {
    "stripe": "functions.payments.processors.stripe:PROCESSOR",
    "test": "functions.payments.processors.test:PROCESSOR",
    "chargebee": "functions.payments.processors.chargebee:PROCESSOR",
    "paypal": "functions.payments.processors.paypal:PROCESSOR",
}
DEFAULT_PROCESSOR = "stripe"  # BEM's default for payments/intent and for buyers without a subscription
NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
_lock = threading.Lock()


def register(name: str, target: str) -> None:
    """Register processor ``name`` as ``"package.module:ATTRIBUTE"`` (imported on first use)."""
    if not NAME.match(name or ""):
        raise ValueError(f"processor name {name!r} must be lowercase letters, digits and '-'")
    if not TARGET.match(target or ""):
        raise ValueError(f"processor target {target!r} must be 'package.module:ATTRIBUTE'")
    with _lock:
        PROCESSORS[name] = target


def unregister(name: str) -> None:
    with _lock:
        PROCESSORS.pop(name, None)


def processor_names() -> list[str]:
    with _lock:
        return sorted(PROCESSORS)


def find_processor(name: str | None) -> Processor | None:
    with _lock:
        target = PROCESSORS.get((name or "").strip().lower())
    if target is None:
        return None
    module_name, attribute = target.split(":")
    return getattr(importlib.import_module(module_name), attribute)  # Python's import lock makes this thread-safe


def get_processor(name: str | None) -> Processor:
    """The processor object; an unknown name is a 400 listing the known ones."""
    processor = find_processor(name)
    if processor is None:
        raise BadRequest(f"Unknown payment processor '{name}' (known: {', '.join(processor_names())})")
    return processor
