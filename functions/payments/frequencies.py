"""The one frequency table: our billing frequencies, the processor interval each maps to, and its length.

``monthly`` ↔ ``month``/1 (30 days), ``annually`` ↔ ``year``/1 (365 days), ``weekly`` ↔ ``week``/1,
``daily`` ↔ ``day``/1. Processors that bill by interval (Stripe prices, PayPal plans) read
``interval``/``interval_count``; refunds and the test processor read ``seconds``.
"""

from __future__ import annotations

from dataclasses import dataclass

DAY = 86400


@dataclass(frozen=True)
class Frequency:
    name: str  # our name, as in config ``prices`` and ``subscription.payment.frequency``
    interval: str  # the processor's billing interval
    interval_count: int
    seconds: int  # the nominal length of one period


FREQUENCIES: dict[str, Frequency] = {
    f.name: f
    for f in (
        Frequency("monthly", "month", 1, 30 * DAY),
        Frequency("annually", "year", 1, 365 * DAY),
        Frequency("weekly", "week", 1, 7 * DAY),
        Frequency("daily", "day", 1, DAY),
    )
}
DEFAULT = FREQUENCIES["monthly"]


def frequency(name: str | None) -> Frequency:
    """The frequency called ``name``; monthly when unknown or missing."""
    return FREQUENCIES.get(name or "", DEFAULT)


def frequency_of_interval(interval: str | None, count: int = 1) -> str | None:
    """Our name for a processor interval (``month`` → ``monthly``); None when it is not one of ours."""
    return next((f.name for f in FREQUENCIES.values() if f.interval == interval and f.interval_count == count), None)


def interval_seconds(interval: str) -> int:
    """Length of one processor interval (``month`` → 30 days)."""
    return next((f.seconds for f in FREQUENCIES.values() if f.interval == interval), DEFAULT.seconds)
