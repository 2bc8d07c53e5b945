"""Charging AI use on the caller's usage meter (``functions/usage``), so a plan limits it.

A metric whose name ends in ``tokens`` (e.g. ``ai-tokens``) counts tokens; any other
(e.g. ``ai-requests``) counts requests. The charge is taken before the provider is called
(``consume``: refused with 429 before any network call when it does not fit) and settled
after: a token charge reserves an upper estimate (prompt characters / 2 + ``max_tokens``)
and gives back what the call did not use; a failed request gives back what it did not spend
(a request metric: the request; a token metric: the tokens no model call used).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from functions.errors import TooManyRequests

log = logging.getLogger("bem.ai")


class Charge:
    def __init__(self, usage: Any, metric: str) -> None:
        self.usage, self.metric = usage, metric
        self.per_token = metric.endswith("tokens")
        self.reserved = 0

    @classmethod
    def of(cls, usage: Any, metric: str | None) -> Charge | None:
        return cls(usage, metric) if usage is not None and metric else None

    def reserve(self, prompt_chars: int, max_tokens: int) -> None:
        amount = math.ceil(prompt_chars / 2) + max_tokens if self.per_token else 1
        self.usage.consume(self.metric, amount)
        self.reserved += amount

    def settle(self, tokens_used: int, failed: bool = False) -> None:
        """Keep what was used: the tokens (a token metric) or the request (a request metric, unless it failed)."""
        if self.per_token:
            self._adjust(tokens_used - self.reserved)
        elif failed:
            self._adjust(-self.reserved)

    def _adjust(self, delta: int) -> None:
        self.reserved = 0
        if delta == 0:
            return
        self.usage.increment(self.metric, delta)
        try:
            self.usage.update()
        except TooManyRequests:
            # used more than the upper estimate and the limit is now reached: the call is made,
            # the overshoot is not recorded (docs/ai.md)
            log.warning("ai: %s over its estimate by %d, not recorded (limit reached)", self.metric, delta)
