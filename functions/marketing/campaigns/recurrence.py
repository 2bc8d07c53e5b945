"""Recurring campaigns: BEM's ``recurrence`` object and the next occurrence after a fire time.

``recurrence = {pattern, hour?, minute?, day?, nth?, month?}`` with ``pattern`` one of
``daily | weekly | monthly | monthly-weekday | quarterly | yearly``:

- ``day``   weekly / monthly-weekday: the weekday, 0 = Sunday … 6 = Saturday (BEM's moment ``day()``);
            monthly / quarterly / yearly: the day of the month, 1–31, clamped to the month's last day
            (day 31 → Feb 28/29 → Mar 31: the anchor is kept, not the clamped day);
- ``nth``   monthly-weekday: 1–4 (2 + day 2 = "the 2nd Tuesday");
- ``month`` yearly: 1–12.

Fields left out are taken from the current ``sendAt`` (its time, weekday, day or month), so an
occurrence of the rule follows on from the one before, as BEM's interval arithmetic does. Every
computation is in UTC: no daylight-saving shift ever moves a campaign.
``next_future_occurrence`` skips occurrences that are already past (no catch-up burst after an outage).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from functions.errors import ValidationError

PATTERNS = ("daily", "weekly", "monthly", "monthly-weekday", "quarterly", "yearly")
_BOUNDS = {"hour": (0, 23), "minute": (0, 59), "nth": (1, 4), "month": (1, 12)}
_WEEKDAY_PATTERNS = ("weekly", "monthly-weekday")


def validate(value: Any, field: str = "recurrence") -> dict | None:
    """The recurrence as stored, or a ValidationError naming the bad key (``recurrence.pattern``)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValidationError(f"{field} must be an object {{pattern, hour, minute, day, nth, month}}", field=field)
    pattern = value.get("pattern")
    if pattern not in PATTERNS:
        raise ValidationError(f"{field}.pattern must be one of {', '.join(PATTERNS)} (got {pattern!r})", field=f"{field}.pattern")
    bounds = dict(_BOUNDS, day=(0, 6) if pattern in _WEEKDAY_PATTERNS else (1, 31))
    for key, (low, high) in bounds.items():
        number = value.get(key)
        if number is None:
            continue
        if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
            raise ValidationError(f"{field}.{key} must be an integer from {low} to {high} for pattern {pattern}",
                                  field=f"{field}.{key}")
    if pattern == "monthly-weekday" and value.get("day") is None:
        raise ValidationError(f"{field}.day (the weekday, 0 = Sunday) is required for pattern monthly-weekday", field=f"{field}.day")
    return dict(value)


def next_occurrence(current: int, recurrence: dict) -> int:
    """The first occurrence of the rule strictly after ``current`` (unix seconds)."""
    return _next_after(_utc(current), _utc(current), recurrence)


def next_future_occurrence(current: int, recurrence: dict, now: int) -> int:
    """The first occurrence strictly after both ``current`` and ``now``: missed ones are skipped."""
    return _next_after(_utc(current), _utc(max(current, now)), recurrence)


def next_weekday(day: int, hour: int, minute: int = 0, *, now: dt.datetime) -> int:
    """The next ``day`` (0 = Sunday) at ``hour:minute`` UTC after ``now`` (BEM's ``nextWeekday``)."""
    return _next_after(now, now, {"pattern": "weekly", "day": day, "hour": hour, "minute": minute})


def next_nth_weekday(nth: int, day: int, hour: int, minute: int = 0, *, now: dt.datetime) -> int:
    """The next ``nth`` ``day`` of a month at ``hour:minute`` UTC after ``now`` (BEM's ``nextNthWeekday``)."""
    return _next_after(now, now, {"pattern": "monthly-weekday", "nth": nth, "day": day, "hour": hour, "minute": minute})


def _utc(seconds: int | float) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(seconds), dt.UTC)


def _next_after(anchor: dt.datetime, after: dt.datetime, rec: dict) -> int:
    """First occurrence > ``after``; keys missing from ``rec`` come from ``anchor`` (the current sendAt)."""
    pattern = rec.get("pattern")
    hour, minute = _get(rec, "hour", anchor.hour), _get(rec, "minute", anchor.minute)
    if pattern == "daily":
        candidate = _at(after.date(), hour, minute)
        return _ts(candidate if candidate > after else candidate + dt.timedelta(days=1))
    if pattern == "weekly":
        weekday = _get(rec, "day", _sunday_based(anchor))
        ahead = (weekday - _sunday_based(after)) % 7
        candidate = _at(after.date() + dt.timedelta(days=ahead), hour, minute)
        return _ts(candidate if candidate > after else candidate + dt.timedelta(days=7))
    if pattern == "monthly-weekday":
        nth, weekday = _get(rec, "nth", 1), _get(rec, "day", _sunday_based(anchor))
        year, month = after.year, after.month
        while True:
            candidate = _at(_nth_weekday(year, month, nth, weekday), hour, minute)
            if candidate > after:
                return _ts(candidate)
            year, month = _add_months(year, month, 1)
    step = {"monthly": 1, "quarterly": 3, "yearly": 12}.get(pattern, 1)  # unknown pattern: monthly (BEM's default)
    day = _get(rec, "day", anchor.day)
    if pattern == "yearly":
        year, month = after.year, _get(rec, "month", anchor.month)
    else:  # months in step with the anchor's month: quarterly from May is May, Aug, Nov, Feb
        year, month = after.year, after.month
        month_gap = (month - anchor.month) % step
        if month_gap:
            year, month = _add_months(year, month, step - month_gap)
    while True:
        candidate = _at(dt.date(year, month, min(day, calendar.monthrange(year, month)[1])), hour, minute)
        if candidate > after:
            return _ts(candidate)
        year, month = _add_months(year, month, step)


def _get(rec: dict, key: str, default: int) -> int:
    value = rec.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _sunday_based(moment: dt.datetime | dt.date) -> int:
    return (moment.weekday() + 1) % 7  # Python: Monday = 0; BEM (moment): Sunday = 0


def _nth_weekday(year: int, month: int, nth: int, weekday: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - _sunday_based(first)) % 7 + 7 * (nth - 1))


def _add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + count
    return index // 12, index % 12 + 1


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def _ts(moment: dt.datetime) -> int:
    return int(moment.timestamp())
