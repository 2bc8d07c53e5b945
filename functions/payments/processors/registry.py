"""``get_processor(name)`` → the processor object; unknown names raise ``BadRequest``."""

from __future__ import annotations

import importlib

from functions.errors import BadRequest
from functions.payments.processors.base import Processor

# name → "module:attribute"; modules load on first use (cold start). PayPal slots in here.
PROCESSORS: dict[str, str] = {
    "stripe": "functions.payments.processors.stripe:STRIPE",
    "test": "functions.payments.processors.test:TEST",
}


def get_processor(name: str | None) -> Processor:
    target = PROCESSORS.get((name or "").strip().lower())
    if target is None:
        raise BadRequest(f"Unknown payment processor '{name}' (known: {', '.join(sorted(PROCESSORS))})")
    module_name, attribute = target.split(":")
    return getattr(importlib.import_module(module_name), attribute)
