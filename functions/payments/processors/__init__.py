"""Payment processors. ``get_processor("stripe" | "test")``; interface in ``base.py``."""

from functions.payments.processors.base import Category, ParsedWebhook, Processor
from functions.payments.processors.registry import PROCESSORS, get_processor

__all__ = ["PROCESSORS", "Category", "ParsedWebhook", "Processor", "get_processor"]
