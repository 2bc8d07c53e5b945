"""The stored shape of one metric and the day/month marker that makes counters roll over at 00:00 UTC."""

from __future__ import annotations

import datetime as dt
from typing import Any

ACTIVE_FIELD = "usageActive"
"""Top-level marker set by every write: ``{"day": "YYYY-MM-DD", "month": "YYYY-MM"}`` (UTC).

Counters whose marker day (month) is before today (this month) count as 0 for checks and
writes, so limits roll over at 00:00 UTC even before the reset job runs; the reset job
queries the marker to touch only users with counters to zero (docs/usage.md)."""
COUNTERS = ("monthly", "daily", "total")


def blank_metric() -> dict[str, Any]:
    return {"monthly": 0, "daily": 0, "total": 0, "last": {"id": None, "timestamp": None, "timestampUNIX": 0}}


def day_key(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d")


def month_key(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m")


def effective_metrics(holder: dict | None, now: dt.datetime) -> dict[str, dict]:
    """Metrics in ``holder`` (``{metric: {...}, "usageActive": {...}}``) as of ``now``:
    daily (monthly) counts written on an earlier day (month) read as 0.

    The port's meter dates counters with the ``usageActive`` marker. Counters BEM wrote carry
    no marker: each is dated by its own ``last.timestampUNIX`` (BEM sets it on every
    increment), so a migrated user's counts from yesterday no longer count today even before
    the reset job runs. Without either date the counts are taken as today's (the next daily
    reset zeroes them)."""
    holder = holder or {}
    marker = holder.get(ACTIVE_FIELD) if isinstance(holder.get(ACTIVE_FIELD), dict) else {}
    marked = bool(marker.get("day") or marker.get("month"))
    stale_day = bool(marker.get("day")) and marker["day"] < day_key(now)
    stale_month = bool(marker.get("month")) and marker["month"] < month_key(now)
    metrics = {}
    for name, raw in holder.items():
        if name == ACTIVE_FIELD or not isinstance(raw, dict):
            continue
        metric = metric_of(raw)
        day_over, month_over = (stale_day, stale_month) if marked else _dated_by_last_use(metric, now)
        if day_over or month_over:
            metric["daily"] = 0
        if month_over:
            metric["monthly"] = 0
        metrics[name] = metric
    return metrics


def _dated_by_last_use(metric: dict, now: dt.datetime) -> tuple[bool, bool]:
    """(day over, month over) for a counter without marker, from its ``last.timestampUNIX``."""
    last = metric["last"].get("timestampUNIX")
    if not isinstance(last, (int, float)) or isinstance(last, bool) or last <= 0:
        return False, False
    used = dt.datetime.fromtimestamp(last, dt.UTC)
    return day_key(used) < day_key(now), month_key(used) < month_key(now)


def metric_of(raw: Any) -> dict[str, Any]:
    metric = blank_metric()
    if isinstance(raw, dict):
        for name in COUNTERS:
            value = raw.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                metric[name] = int(value)
        if isinstance(raw.get("last"), dict):
            metric["last"] = {**metric["last"], **raw["last"]}
    return metric
