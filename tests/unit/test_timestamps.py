"""BEM's ISO timestamps: UTC, milliseconds, ``Z``, whatever zone the moment came in."""

import datetime as dt

import pytest

from functions.timestamps import Stamp, iso


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2024, 4, 15, 12, 0, 0, tzinfo=dt.UTC), "2024-04-15T12:00:00.000Z"),
        (dt.datetime(2024, 4, 15, 12, 0, 0, 999_999, tzinfo=dt.UTC), "2024-04-15T12:00:00.999Z"),  # truncated, not rounded
        (dt.datetime(2024, 1, 1, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))), "2023-12-31T23:30:00.000Z"),
        (dt.datetime(2024, 2, 29, 23, 59, 59, 1_000, tzinfo=dt.timezone(dt.timedelta(hours=-5))), "2024-03-01T04:59:59.001Z"),
    ],
)
def test_iso_is_utc_with_milliseconds(moment, expected):
    assert iso(moment) == expected


def test_stamp_pairs_iso_and_unix_seconds():
    stamp = Stamp.at(1713182400)
    assert (stamp.timestamp, stamp.timestamp_unix) == ("2024-04-15T12:00:00.000Z", 1713182400)
