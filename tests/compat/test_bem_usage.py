"""Usage counters BEM wrote (no ``usageActive`` marker): read, limited and reset like BEM's, unit tier."""

from __future__ import annotations

import datetime as dt

import pytest

from functions.errors import TooManyRequests
from functions.usage import Usage
from functions.usage.reset import reset_metrics, reset_usage
from tests.compat.conftest import bem_fixture

APRIL_14_LATE = dt.datetime(2024, 4, 14, 23, 30, tzinfo=dt.UTC)
APRIL_15 = dt.datetime(2024, 4, 15, 0, 0, 5, tzinfo=dt.UTC)
APRIL_15_NOON = dt.datetime(2024, 4, 15, 12, 0, tzinfo=dt.UTC)
MAY_1 = dt.datetime(2024, 5, 1, 0, 0, 5, tzinfo=dt.UTC)
CAP = 34  # premium: 1,000 requests a month, flat daily cap ceil(1000 / 30) in April


def counters(monthly: int, daily: int, total: int, last: dt.datetime) -> dict:
    return {"monthly": monthly, "daily": daily, "total": total,
            "last": {"id": "r", "timestamp": last.isoformat(), "timestampUNIX": int(last.timestamp())}}


@pytest.fixture
def bem_user_at_cap(firestore):
    """BEM's fully populated (premium) user who used its whole daily cap on April 14, as BEM writes it."""
    document = bem_fixture("bem-full-user")["document"]
    document["usage"] = {"requests": counters(CAP + 6, CAP, 400, dt.datetime(2024, 4, 14, 22, 0, tzinfo=dt.UTC))}
    uid = document["auth"]["uid"]
    firestore.set(f"users/{uid}", document)
    return uid


def run_reset(manager, now):
    return reset_usage(manager.db, now, metrics=reset_metrics(manager.config))


def test_a_migrated_user_at_its_cap_is_refused_that_day_and_reset_by_the_next_daily_run(manager, firestore, bem_user_at_cap):
    with pytest.raises(TooManyRequests):
        Usage.for_user(manager, bem_user_at_cap, clock=lambda: APRIL_14_LATE).consume("requests")

    summary = run_reset(manager, APRIL_15)

    stored = firestore.get(f"users/{bem_user_at_cap}")["usage"]["requests"]
    assert (stored["daily"], stored["monthly"], stored["total"]) == (0, CAP + 6, 400)
    assert summary.users_written == 1
    Usage.for_user(manager, bem_user_at_cap, clock=lambda: APRIL_15_NOON).consume("requests")
    assert firestore.get(f"users/{bem_user_at_cap}")["usage"]["requests"]["daily"] == 1
    assert run_reset(manager, APRIL_15).users_written == 0  # the meter's marker says today's


def test_yesterdays_bem_counts_no_longer_count_even_before_the_reset_runs(manager, bem_user_at_cap):
    today = Usage.for_user(manager, bem_user_at_cap, clock=lambda: APRIL_15_NOON).get("requests")
    assert (today["daily"], today["monthly"]) == (0, CAP + 6)
    next_month = Usage.for_user(manager, bem_user_at_cap, clock=lambda: MAY_1).get("requests")
    assert (next_month["daily"], next_month["monthly"]) == (0, 0)


def test_the_first_of_the_month_zeroes_bem_monthly_counters_once(manager, firestore, bem_user_at_cap):
    firestore.set(f"users/{bem_user_at_cap}", {"usage": {"requests": {"daily": 0}}}, merge=True)  # only monthly left

    assert run_reset(manager, MAY_1).users_written == 1

    stored = firestore.get(f"users/{bem_user_at_cap}")["usage"]["requests"]
    assert (stored["daily"], stored["monthly"], stored["total"]) == (0, 0, 400)
    assert run_reset(manager, MAY_1).users_written == 0


def test_every_product_limit_metric_is_covered(manager, firestore):
    assert set(reset_metrics(manager.config)) >= {"requests", "tests"}
    firestore.set("users/bem-tests-only", {"usage": {"tests": counters(5, 5, 5, APRIL_14_LATE)}})
    run_reset(manager, APRIL_15)
    assert firestore.get("users/bem-tests-only")["usage"]["tests"]["daily"] == 0


def test_a_malformed_counter_is_neither_a_crash_nor_rewritten(manager, firestore):
    firestore.set("users/bem-odd", {"usage": {"requests": {"daily": 2, "monthly": "many"}, "notes": "text"}})
    run_reset(manager, MAY_1)
    assert firestore.get("users/bem-odd")["usage"] == {"requests": {"daily": 0, "monthly": "many"}, "notes": "text"}
