"""Limit arithmetic for one metric: monthly limits with daily caps, in UTC.

Limits in the config are monthly. With ``rateLimit: "daily"`` (the default) two
daily caps also apply, so a month's quota cannot be burnt in a day:

- flat daily cap            ``ceil(limit / daysInMonth)``            vs the daily count
- proportional monthly cap  ``ceil(limit * dayOfMonth / daysInMonth)`` vs the monthly count

and then the monthly limit itself. ``rateLimit: "monthly"`` keeps only the last check.
A request for ``value`` uses is allowed when every count plus ``value`` stays within
its cap. Pure functions: no I/O, the moment is passed in.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Literal

from functions.errors import Forbidden, TooManyRequests
from functions.timestamps import iso

Limit = int | Literal["unlimited"] | None
UNLIMITED = "unlimited"


def days_in_month(moment: dt.datetime) -> int:
    return calendar.monthrange(moment.year, moment.month)[1]


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def flat_daily_cap(limit: int, moment: dt.datetime) -> int:
    return _ceil_div(limit, days_in_month(moment))


def proportional_cap(limit: int, moment: dt.datetime, day: int | None = None) -> int:
    return _ceil_div(limit * (day or moment.day), days_in_month(moment))


def next_midnight(moment: dt.datetime) -> dt.datetime:
    day = moment.astimezone(dt.UTC).date() + dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def next_month(moment: dt.datetime) -> dt.datetime:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return dt.datetime(year, month, 1, tzinfo=dt.UTC)


def _when(moment: dt.datetime) -> str:
    return iso(moment).replace(".000Z", "Z")


def _asked(value: int) -> str:
    return f", {value} requested" if value != 1 else ""


def no_limit_error(metric: str, plan: str) -> Forbidden:
    return Forbidden(f"no limit configured for metric {metric} on plan {plan}")


def check(
    metric: str,
    *,
    plan: str,
    limit: Limit,
    rate_limit: str,
    monthly: int,
    daily: int,
    value: int,
    now: dt.datetime,
) -> None:
    """Raise ``TooManyRequests`` (429) if ``value`` more uses would pass a cap, ``Forbidden`` (403) without a limit."""
    if limit is None:
        raise no_limit_error(metric, plan)
    if limit == UNLIMITED:
        return
    now = now.astimezone(dt.UTC)
    if monthly + value > limit:
        raise TooManyRequests(
            f"Usage limit reached for '{metric}': the monthly limit of {limit} on plan '{plan}' is used up "
            f"({monthly}/{limit} this month{_asked(value)}). "
            f"It resets at {_when(next_month(now))} (1st of next month, 00:00 UTC)."
        )
    if rate_limit == "monthly":
        return
    flat = flat_daily_cap(limit, now)
    if daily + value > flat:
        raise TooManyRequests(
            f"Usage limit reached for '{metric}': the daily cap of {flat} is used up ({daily}/{flat} today{_asked(value)}; "
            f"monthly limit {limit} on plan '{plan}'). It resets at {_when(next_midnight(now))} (next 00:00 UTC)."
        )
    allowance = proportional_cap(limit, now)
    if monthly + value > allowance:
        days = days_in_month(now)
        opens = next(d for d in range(now.day + 1, days + 1) if proportional_cap(limit, now, d) >= monthly + value)
        reopens = dt.datetime(now.year, now.month, opens, tzinfo=dt.UTC)
        raise TooManyRequests(
            f"Usage limit reached for '{metric}': the daily cap on use so far this month is {allowance} by day "
            f"{now.day} of {days} ({monthly}/{allowance} this month{_asked(value)}; monthly limit {limit} on plan '{plan}'). "
            f"It resets at {_when(reopens)} (00:00 UTC)."
        )


def check_daily_limit(metric: str, *, limit: int, daily: int, value: int, now: dt.datetime) -> None:
    """A plain per-day limit (e.g. sign-ups per IP): no monthly arithmetic."""
    if daily + value > limit:
        raise TooManyRequests(
            f"Usage limit reached for '{metric}': the daily limit of {limit} is used up ({daily}/{limit} today{_asked(value)}). "
            f"It resets at {_when(next_midnight(now))} (next 00:00 UTC)."
        )
