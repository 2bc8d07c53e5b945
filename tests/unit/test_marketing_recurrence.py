"""Recurrence: each BEM pattern's next occurrence, month-end clamping, missed occurrences skipped,
and UTC throughout (a daylight-saving change never moves a campaign)."""

import datetime as dt

import pytest

from functions.errors import ValidationError
from functions.marketing.campaigns.recurrence import (
    next_future_occurrence,
    next_nth_weekday,
    next_occurrence,
    next_weekday,
    validate,
)


def ts(*parts):
    return int(dt.datetime(*parts, tzinfo=dt.UTC).timestamp())


def iso(seconds):
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %a %H:%M")


@pytest.mark.parametrize(("current", "rule", "expected"), [
    (ts(2026, 3, 4, 17, 30), {"pattern": "daily"}, "2026-03-05 Thu 17:30"),
    (ts(2026, 3, 4, 17, 30), {"pattern": "daily", "hour": 9, "minute": 0}, "2026-03-05 Thu 09:00"),
    (ts(2026, 3, 4, 17, 30), {"pattern": "weekly", "day": 3, "hour": 17, "minute": 30}, "2026-03-11 Wed 17:30"),
    (ts(2026, 3, 4, 17, 30), {"pattern": "weekly"}, "2026-03-11 Wed 17:30"),  # BEM: + 1 week
    (ts(2026, 3, 4, 17, 30), {"pattern": "weekly", "day": 5}, "2026-03-06 Fri 17:30"),
    (ts(2026, 1, 15, 8, 0), {"pattern": "monthly"}, "2026-02-15 Sun 08:00"),
    (ts(2026, 1, 31, 8, 0), {"pattern": "monthly", "day": 31}, "2026-02-28 Sat 08:00"),  # clamped to the month's end
    (ts(2026, 2, 28, 8, 0), {"pattern": "monthly", "day": 31}, "2026-03-31 Tue 08:00"),  # the anchor is kept
    (ts(2028, 1, 31, 8, 0), {"pattern": "monthly", "day": 31}, "2028-02-29 Tue 08:00"),  # leap year
    (ts(2026, 3, 10, 17, 30), {"pattern": "monthly-weekday", "nth": 2, "day": 2, "hour": 17, "minute": 30},
     "2026-04-14 Tue 17:30"),  # the 2nd Tuesday
    (ts(2026, 3, 11, 17, 30), {"pattern": "monthly-weekday", "nth": 2, "day": 3, "hour": 17, "minute": 30},
     "2026-04-08 Wed 17:30"),  # BEM's sale campaigns: 2nd Wednesday
    (ts(2026, 3, 1, 12, 0), {"pattern": "monthly-weekday", "nth": 1, "day": 0}, "2026-04-05 Sun 12:00"),
    (ts(2026, 3, 1, 11, 0), {"pattern": "monthly-weekday", "nth": 1, "day": 0, "hour": 12}, "2026-03-01 Sun 12:00"),
    (ts(2026, 11, 30, 6, 0), {"pattern": "quarterly"}, "2027-02-28 Sun 06:00"),
    (ts(2026, 5, 20, 6, 0), {"pattern": "quarterly", "day": 1}, "2026-08-01 Sat 06:00"),
    (ts(2024, 2, 29, 10, 0), {"pattern": "yearly"}, "2025-02-28 Fri 10:00"),
    (ts(2026, 6, 1, 10, 0), {"pattern": "yearly", "month": 12, "day": 25, "hour": 7}, "2026-12-25 Fri 07:00"),
])
def test_next_occurrence_of_each_pattern(current, rule, expected):
    assert iso(next_occurrence(current, validate(rule))) == expected


def test_missed_occurrences_are_skipped_not_caught_up():
    weekly = {"pattern": "weekly", "day": 3, "hour": 17, "minute": 30}
    stalled = ts(2026, 1, 7, 17, 30)  # a Wednesday, 8 weeks before "now"
    now = ts(2026, 3, 4, 18, 0)  # Wednesday, just after this week's occurrence
    assert iso(next_future_occurrence(stalled, weekly, now)) == "2026-03-11 Wed 17:30"
    assert iso(next_future_occurrence(stalled, weekly, ts(2026, 3, 4, 17, 0))) == "2026-03-04 Wed 17:30"
    daily = {"pattern": "daily"}
    assert next_future_occurrence(ts(2020, 1, 1, 9, 0), daily, ts(2026, 3, 4, 10, 0)) == ts(2026, 3, 5, 9, 0)
    monthly_31 = {"pattern": "monthly", "day": 31}
    assert iso(next_future_occurrence(ts(2025, 10, 31, 8, 0), monthly_31, ts(2026, 2, 1))) == "2026-02-28 Sat 08:00"
    quarterly = {"pattern": "quarterly"}  # stays in step with its own months (May, Aug, Nov, Feb)
    assert iso(next_future_occurrence(ts(2025, 5, 20, 6, 0), quarterly, ts(2026, 3, 1))) == "2026-05-20 Wed 06:00"


def test_utc_only_daylight_saving_changes_never_move_a_campaign():
    weekly = {"pattern": "weekly", "day": 0, "hour": 1, "minute": 30}
    current = ts(2026, 3, 22, 1, 30)  # Sundays around the EU (29 Mar) and US (8 Mar) changes
    for _ in range(40):
        current = next_occurrence(current, weekly)
        moment = dt.datetime.fromtimestamp(current, dt.UTC)
        assert (moment.weekday(), moment.hour, moment.minute) == (6, 1, 30)
    daily = {"pattern": "daily"}
    start = ts(2026, 10, 24, 0, 30)  # across the end of summer time (25 Oct EU, 1 Nov US)
    assert next_occurrence(next_occurrence(start, daily), daily) - start == 2 * 86400


def test_seed_helpers_find_the_next_weekday_and_nth_weekday():
    now = dt.datetime(2026, 3, 4, 18, 0, tzinfo=dt.UTC)  # Wednesday 18:00
    assert iso(next_weekday(3, 17, 30, now=now)) == "2026-03-11 Wed 17:30"
    assert iso(next_weekday(3, 19, 0, now=now)) == "2026-03-04 Wed 19:00"
    assert iso(next_nth_weekday(2, 3, 17, 30, now=now)) == "2026-03-11 Wed 17:30"
    assert iso(next_nth_weekday(2, 3, 17, 30, now=dt.datetime(2026, 3, 12, tzinfo=dt.UTC))) == "2026-04-08 Wed 17:30"


@pytest.mark.parametrize(("rule", "field"), [
    ({"pattern": "hourly"}, "recurrence.pattern"),
    ({}, "recurrence.pattern"),
    ({"pattern": "weekly", "day": -1}, "recurrence.day"),
    ({"pattern": "monthly", "day": 0}, "recurrence.day"),
    ({"pattern": "monthly", "day": 32}, "recurrence.day"),
    ({"pattern": "daily", "minute": 60}, "recurrence.minute"),
    ({"pattern": "daily", "hour": "17"}, "recurrence.hour"),
    ({"pattern": "yearly", "month": 13}, "recurrence.month"),
    ({"pattern": "monthly-weekday", "day": 3, "nth": 0}, "recurrence.nth"),
    ({"pattern": "monthly-weekday"}, "recurrence.day"),
    ([], "recurrence"),
])
def test_invalid_recurrence_names_the_key(rule, field):
    with pytest.raises(ValidationError) as raised:
        validate(rule)
    assert raised.value.field == field
