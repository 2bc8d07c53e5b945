"""The one place processors are registered: ``PROCESSORS`` maps a name to ``"module:attribute"``.

Modules load on first use (cold start). Adding a processor = its folder under ``processors/`` + one
line here + its product ids in config (``payment.products[].{name}.productId``).
"""

from __future__ import annotations

import importlib

from functions.errors import BadRequest
from functions.payments.processors.base import Processor

PROCESSORS: dict[str, str] = {
    "stripe": "functions.payments.processors.stripe:PROCESSOR",
    "test": "functions.payments.processors.test:PROCESSOR",
    "chargebee": "functions.payments.processors.chargebee:PROCESSOR",
}
DEFAULT_PROCESSOR = "stripe"  # BEM's default for payments/intent and for buyers without a subscription


def processor_names() -> list[str]:
    return sorted(PROCESSORS)


def find_processor(name: str | None) -> Processor | None:
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
