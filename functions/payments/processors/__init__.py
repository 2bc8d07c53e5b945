"""Payment processors: one folder each (``stripe/``, ``test/``, ...), registered in ``registry.py``.

``get_processor(name)`` → the processor object (400 when unknown); the interface is ``base.Processor``;
``register(name, "module:attribute")`` adds one at run time.
"""

from functions.payments.processors.base import Category, Checkout, ParsedWebhook, Processor, SubscriptionGone
from functions.payments.processors.registry import (
    DEFAULT_PROCESSOR,
    PROCESSORS,
    find_processor,
    get_processor,
    processor_names,
    register,
    unregister,
)

__all__ = ["DEFAULT_PROCESSOR", "PROCESSORS", "Category", "Checkout", "ParsedWebhook", "Processor", "SubscriptionGone",
           "find_processor", "get_processor", "processor_names", "register", "unregister"]
