"""The reset-usage daily job: anonymous counters deleted, users' counters zeroed once."""

import datetime as dt

from functions.cron import run_jobs
from functions.usage import Usage

APRIL_15 = dt.datetime(2024, 4, 15, 0, 0, 5, tzinfo=dt.UTC)
MAY_1 = dt.datetime(2024, 5, 1, 0, 0, 5, tzinfo=dt.UTC)


def metric(monthly, daily, total):
    return {"monthly": monthly, "daily": daily, "total": total, "last": {"id": None, "timestamp": None, "timestampUNIX": 0}}


def seed(firestore):
    """Yesterday's users: one active yesterday, one active earlier this month, one idle; plus an IP."""
    firestore.set("users/active", {"usage": {"requests": metric(7, 3, 90), "tests": metric(2, 2, 2)},
                                   "usageActive": {"day": "2024-04-14", "month": "2024-04"}})
    firestore.set("users/earlier", {"usage": {"requests": metric(5, 0, 5)}, "usageActive": {"month": "2024-04"}})
    firestore.set("users/idle", {"usage": {"requests": metric(0, 0, 40)}})
    firestore.set("usage/203.0.113.5", {"requests": metric(1, 1, 1)})
    firestore.set("usage/203.0.113.6", {"signups": metric(2, 2, 2)})


def reset(manager, now):
    [result] = run_jobs(manager, "daily", only="reset-usage", now=now)
    assert result.ok, result.error
    return result.result


def test_other_days_zero_daily_counters_of_active_users_only(manager, firestore):
    seed(firestore)
    writes = manager.db.stats["writes"]
    summary = reset(manager, APRIL_15)

    assert firestore.list("usage") == {}
    active = firestore.get("users/active")
    assert active["usage"]["requests"] == metric(7, 0, 90)
    assert active["usage"]["tests"] == metric(2, 0, 2)
    assert active["usageActive"] == {"month": "2024-04"}
    assert firestore.get("users/earlier")["usage"]["requests"] == metric(5, 0, 5)
    assert firestore.get("users/idle")["usage"]["requests"] == metric(0, 0, 40)
    # BEM's usage.{metric}.daily > 0 queries run after the marker users are committed: they match no one more
    assert (summary["users_read"], summary["users_written"], summary["anonymous_deleted"]) == (1, 1, 2)
    assert manager.db.stats["writes"] - writes == 3  # 2 deletes + 1 user update


def test_the_first_of_the_month_also_zeroes_monthly(manager, firestore):
    seed(firestore)
    summary = reset(manager, MAY_1)

    assert firestore.get("users/active")["usage"] == {"requests": metric(0, 0, 90), "tests": metric(0, 0, 2)}
    assert "usageActive" not in firestore.get("users/active")
    assert firestore.get("users/earlier")["usage"]["requests"] == metric(0, 0, 5)
    assert firestore.get("users/idle")["usage"]["requests"] == metric(0, 0, 40)
    assert (summary["users_read"], summary["users_written"]) == (2, 2)


def test_running_twice_changes_nothing_more(manager, firestore):
    seed(firestore)
    for moment in (APRIL_15, MAY_1):
        reset(manager, moment)
        before = {"users": firestore.list("users"), "usage": firestore.list("usage")}
        writes = manager.db.stats["writes"]
        summary = reset(manager, moment)
        assert manager.db.stats["writes"] == writes
        assert summary["documents_written"] == 0
        assert {"users": firestore.list("users"), "usage": firestore.list("usage")} == before


def test_a_missed_first_is_caught_up_and_the_meter_ignores_last_months_counts(manager, firestore):
    seed(firestore)
    may_2 = MAY_1 + dt.timedelta(days=1)
    reset(manager, may_2)
    assert firestore.get("users/active")["usage"]["requests"] == metric(0, 0, 90)  # active on the last day
    assert "usageActive" not in firestore.get("users/active")
    # not active on the last day: its counts stay until the next 1st, but they count as 0
    assert firestore.get("users/earlier")["usage"]["requests"]["monthly"] == 5
    assert Usage.for_user(manager, "earlier", clock=lambda: may_2).get("requests")["monthly"] == 0


def test_meter_writes_are_found_by_the_next_reset(manager, accounts, firestore):
    uid = accounts["basic"].uid
    Usage.for_user(manager, uid, clock=lambda: APRIL_15 - dt.timedelta(hours=1)).consume("requests", 3)
    summary = reset(manager, APRIL_15)
    assert summary["users_written"] == 1
    assert firestore.get(f"users/{uid}")["usage"]["requests"]["daily"] == 0
    assert firestore.get(f"users/{uid}")["usage"]["requests"]["monthly"] == 3
