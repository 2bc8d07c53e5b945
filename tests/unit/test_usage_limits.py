"""Cap arithmetic: flat daily cap, proportional monthly cap, monthly limit, in UTC."""

import datetime as dt

import pytest

from functions.errors import Forbidden, TooManyRequests
from functions.usage import limits

UTC = dt.UTC

# (year, month, days in month): 28, 29, 30 and 31-day months
MONTHS = [(2023, 2, 28), (2024, 2, 29), (2024, 4, 30), (2024, 1, 31)]

# limit 100: flat cap ceil(100/days); proportional cap ceil(100*day/days) on the 1st, the 15th, the last day
EXPECTED = {
    28: {"flat": 4, 1: 4, 15: 54, 28: 100},
    29: {"flat": 4, 1: 4, 15: 52, 29: 100},
    30: {"flat": 4, 1: 4, 15: 50, 30: 100},
    31: {"flat": 4, 1: 4, 15: 49, 31: 100},
}


def at(year, month, day, hour=12):
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


def allowed(**counts) -> bool:
    try:
        limits.check("requests", plan="basic", limit=counts.pop("limit", 100), rate_limit=counts.pop("rate_limit", "daily"),
                     value=counts.pop("value", 1), **counts)
    except TooManyRequests:
        return False
    return True


@pytest.mark.parametrize(("year", "month", "days"), MONTHS)
def test_days_in_month(year, month, days):
    assert limits.days_in_month(at(year, month, 1)) == days


@pytest.mark.parametrize(("year", "month", "days"), MONTHS)
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_caps_on_first_middle_and_last_day(year, month, days, where):
    day = {"first": 1, "middle": 15, "last": days}[where]
    now = at(year, month, day)
    flat, proportional = EXPECTED[days]["flat"], EXPECTED[days][day]
    assert limits.flat_daily_cap(100, now) == flat
    assert limits.proportional_cap(100, now) == proportional

    # the flat cap binds the daily count
    assert allowed(monthly=0, daily=flat - 1, now=now)
    assert not allowed(monthly=0, daily=flat, now=now)
    # the proportional cap binds the monthly count (daily count within its cap)
    if proportional < 100:
        assert allowed(monthly=proportional - 1, daily=0, now=now)
        assert not allowed(monthly=proportional, daily=0, now=now)
    # the monthly limit binds on the last day
    assert allowed(monthly=99, daily=0, now=at(year, month, days)) is True
    assert not allowed(monthly=100, daily=0, now=at(year, month, days))


def test_value_counts_against_the_cap():
    now = at(2024, 4, 15)
    assert allowed(monthly=0, daily=0, value=4, now=now)
    assert not allowed(monthly=0, daily=0, value=5, now=now)


def test_monthly_rate_limit_skips_both_daily_caps():
    first = at(2024, 4, 1)
    assert not allowed(monthly=50, daily=50, now=first)
    assert allowed(monthly=50, daily=50, now=first, rate_limit="monthly")
    assert allowed(monthly=99, daily=99, now=first, rate_limit="monthly")
    assert not allowed(monthly=100, daily=0, now=first, rate_limit="monthly")


def test_small_limits_allow_one_per_day_until_the_proportional_cap_catches_up():
    # 10/month in a 31-day month: flat cap 1/day; proportional cap 1 on days 1-3, 2 from day 4
    assert allowed(limit=10, monthly=0, daily=0, now=at(2024, 1, 1))
    assert not allowed(limit=10, monthly=1, daily=0, now=at(2024, 1, 3))
    assert allowed(limit=10, monthly=1, daily=0, now=at(2024, 1, 4))


def test_unlimited_always_passes_and_missing_limit_is_refused_with_403():
    limits.check("requests", plan="basic", limit="unlimited", rate_limit="daily", monthly=10**9, daily=10**9, value=1,
                 now=at(2024, 1, 1))
    with pytest.raises(Forbidden) as refused:
        limits.check("exports", plan="premium", limit=None, rate_limit="daily", monthly=0, daily=0, value=1, now=at(2024, 1, 1))
    assert refused.value.status == 403
    assert refused.value.message == "no limit configured for metric exports on plan premium"


def test_daily_cap_message_names_metric_cap_period_and_next_midnight():
    with pytest.raises(TooManyRequests) as refused:
        limits.check("requests", plan="basic", limit=100, rate_limit="daily", monthly=10, daily=4, value=1,
                     now=at(2024, 4, 15, 23))
    message = refused.value.message
    assert refused.value.status == 429
    assert "'requests'" in message and "daily cap of 4" in message and "monthly limit 100" in message
    assert "2024-04-16T00:00:00Z" in message


def test_monthly_message_names_the_month_and_the_first_of_next_month():
    with pytest.raises(TooManyRequests) as refused:
        limits.check("requests", plan="basic", limit=100, rate_limit="monthly", monthly=100, daily=0, value=1,
                     now=at(2024, 12, 20))
    message = refused.value.message
    assert "monthly limit of 100 on plan 'basic'" in message and "100/100 this month" in message
    assert "2025-01-01T00:00:00Z" in message and "1st of next month" in message


def test_proportional_message_says_when_more_becomes_available():
    # 10/month, January: proportional cap is 1 on days 1-3 and 2 from the 4th
    with pytest.raises(TooManyRequests) as refused:
        limits.check("requests", plan="basic", limit=10, rate_limit="daily", monthly=1, daily=0, value=1, now=at(2024, 1, 2))
    assert "so far this month is 1 by day 2 of 31" in refused.value.message
    assert "2024-01-04T00:00:00Z" in refused.value.message


def test_plain_daily_limit_message():
    with pytest.raises(TooManyRequests) as refused:
        limits.check_daily_limit("signups", limit=2, daily=2, value=1, now=at(2024, 2, 29, 8))
    assert "'signups'" in refused.value.message and "daily limit of 2" in refused.value.message
    assert "2024-03-01T00:00:00Z" in refused.value.message
