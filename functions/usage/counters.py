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
    daily (monthly) counts written on an earlier day (month) read as 0."""
    holder = holder or {}
    marker = holder.get(ACTIVE_FIELD) if isinstance(holder.get(ACTIVE_FIELD), dict) else {}
    stale_day = bool(marker.get("day")) and marker["day"] < day_key(now)
    stale_month = bool(marker.get("month")) and marker["month"] < month_key(now)
    metrics = {}
    for name, raw in holder.items():
        if name == ACTIVE_FIELD or not isinstance(raw, dict):
            continue
        metric = metric_of(raw)
        if stale_day or stale_month:
            metric["daily"] = 0
        if stale_month:
            metric["monthly"] = 0
        metrics[name] = metric
    return metrics


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
