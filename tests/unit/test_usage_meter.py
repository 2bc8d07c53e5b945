"""The usage meter against the in-memory Firestore: counting, limits, proxies, whitelists, races."""

import contextlib
import datetime as dt
import json
import time

import pytest

from functions.errors import Forbidden, NotFound, TooManyRequests
from functions.testing import unit
from functions.testing.concurrency import all_at_once
from functions.usage import Usage

CONFIG = {
    "brand": {"id": "demo", "name": "Demo", "url": "https://example.com"},
    "payment": {
        "products": [
            {"id": "basic", "limits": {"requests": 100, "tests": 20, "open": "unlimited"}},
            {"id": "premium", "limits": {"requests": 1000, "tests": 20}, "rateLimit": "monthly", "prices": {"monthly": 5}},
        ]
    },
}


class Clock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


@pytest.fixture
def meter_manager(manager, bem_root, tmp_path):
    path = tmp_path / "backend-manager-config.json"
    path.write_text(json.dumps(CONFIG))
    return unit.make_manager(bem_root, config_path=path)


@pytest.fixture
def clock():
    return Clock(dt.datetime(2024, 4, 15, 12, tzinfo=dt.UTC))


def test_increment_update_writes_counts_last_and_marker(meter_manager, accounts, firestore, clock):
    uid = accounts["basic"].uid
    usage = Usage.for_user(meter_manager, uid, clock=clock)
    usage.validate("requests")
    usage.increment("requests", 2, id="job-1").update()

    stored = firestore.get(f"users/{uid}")
    assert stored["usage"]["requests"] == {
        "monthly": 2, "daily": 2, "total": 2,
        "last": {"id": "job-1", "timestamp": "2024-04-15T12:00:00.000Z", "timestampUNIX": 1713182400},
    }
    assert stored["usageActive"] == {"day": "2024-04-15", "month": "2024-04"}
    assert usage.report() == {
        "current": {"open": {"monthly": 0, "daily": 0, "total": 0}, "requests": {"monthly": 2, "daily": 2, "total": 2},
                    "tests": {"monthly": 0, "daily": 0, "total": 0}},
        "limits": {"requests": 100, "tests": 20, "open": "unlimited"},
    }


def test_daily_cap_refuses_with_429_and_writes_nothing(meter_manager, accounts, firestore, clock):
    uid = accounts["basic"].uid
    usage = Usage.for_user(meter_manager, uid, clock=clock)
    for _ in range(4):  # ceil(100/30) = 4 per day in April
        usage.consume("requests")
    with pytest.raises(TooManyRequests) as refused:
        usage.consume("requests")
    assert "daily cap of 4" in refused.value.message and "2024-04-16T00:00:00Z" in refused.value.message
    assert firestore.get(f"users/{uid}")["usage"]["requests"]["daily"] == 4
    assert usage.report()["current"]["requests"]["daily"] == 4


def test_counters_roll_over_at_midnight_utc_without_the_reset_job(meter_manager, accounts, firestore, clock):
    uid = accounts["basic"].uid
    for _ in range(4):
        Usage.for_user(meter_manager, uid, clock=clock).consume("requests")
    clock.moment = dt.datetime(2024, 4, 16, 0, 0, 1, tzinfo=dt.UTC)
    Usage.for_user(meter_manager, uid, clock=clock).consume("requests")
    assert firestore.get(f"users/{uid}")["usage"]["requests"] | {"last": None} == {
        "monthly": 5, "daily": 1, "total": 5, "last": None
    }
    clock.moment = dt.datetime(2024, 5, 1, 0, 0, 1, tzinfo=dt.UTC)
    Usage.for_user(meter_manager, uid, clock=clock).consume("requests")
    assert firestore.get(f"users/{uid}")["usage"]["requests"]["monthly"] == 1


def test_monthly_rate_limit_product_has_no_daily_cap(meter_manager, accounts, firestore, clock):
    uid = accounts["premium-active"].uid
    usage = Usage.for_user(meter_manager, uid, clock=clock)
    usage.consume("requests", 900)
    assert firestore.get(f"users/{uid}")["usage"]["requests"]["daily"] == 900
    with pytest.raises(TooManyRequests) as refused:
        usage.consume("requests", 101)
    assert "monthly limit of 1000 on plan 'premium'" in refused.value.message


def test_missing_limit_is_refused_and_unlimited_is_counted(meter_manager, accounts, firestore, clock):
    uid = accounts["basic"].uid
    usage = Usage.for_user(meter_manager, uid, clock=clock)
    with pytest.raises(Forbidden) as refused:
        usage.validate("exports")
    assert refused.value.message == "no limit configured for metric exports on plan basic"
    usage.consume("open", 500)
    assert firestore.get(f"users/{uid}")["usage"]["open"]["total"] == 500
    assert "exports" not in firestore.get(f"users/{uid}")["usage"]


def test_whitelisted_api_key_passes_but_is_counted(meter_manager, accounts, firestore, clock):
    uid = accounts["basic"].uid
    private_key = firestore.get(f"users/{uid}")["api"]["privateKey"]
    usage = Usage.for_user(meter_manager, uid, clock=clock, whitelist_keys=[private_key])
    usage.consume("requests", 50)
    usage.consume("exports")
    assert firestore.get(f"users/{uid}")["usage"]["requests"]["daily"] == 50
    other = Usage.for_user(meter_manager, accounts["admin"].uid, clock=clock, whitelist_keys=[private_key])
    with pytest.raises(TooManyRequests):
        other.consume("requests", 50)


def test_ip_meter_stores_in_usage_collection_and_enforces_a_plain_daily_limit(meter_manager, firestore, clock):
    for _ in range(2):
        Usage.for_ip(meter_manager, "203.0.113.7", clock=clock).consume("signups", daily_limit=2)
    with pytest.raises(TooManyRequests, match="daily limit of 2"):
        Usage.for_ip(meter_manager, "203.0.113.7", clock=clock).consume("signups", daily_limit=2)
    stored = firestore.get("usage/203.0.113.7")
    assert stored["signups"]["daily"] == 2 and stored["signups"]["total"] == 2
    Usage.for_ip(meter_manager, "198.51.100.1", clock=clock).consume("signups", daily_limit=2)
    assert firestore.get("usage/198.51.100.1")["signups"]["daily"] == 1


def test_set_user_bills_another_user_and_mirrors_receive_the_usage(meter_manager, accounts, firestore, clock):
    owner = accounts["premium-active"].uid
    usage = Usage.for_ip(meter_manager, "203.0.113.9", clock=clock)
    usage.set_user(owner).add_mirror("agents/agent-1")
    usage.consume("requests", 3)

    assert firestore.get(f"users/{owner}")["usage"]["requests"]["monthly"] == 3
    assert firestore.get("agents/agent-1")["usage"]["requests"]["monthly"] == 3
    assert not firestore.exists("usage/203.0.113.9")
    assert usage.report()["limits"] == {"requests": 1000, "tests": 20}  # the owner's plan now applies

    usage.set_mirrors(["agents/agent-2"]).consume("requests")
    assert firestore.get("agents/agent-2")["usage"]["requests"]["monthly"] == 4
    assert firestore.get("agents/agent-1")["usage"]["requests"]["monthly"] == 3

    with pytest.raises(NotFound):
        usage.set_user("no-such-user")


def test_set_overwrites_the_monthly_count(meter_manager, accounts, firestore, clock):
    uid = accounts["basic"].uid
    usage = Usage.for_user(meter_manager, uid, clock=clock)
    usage.consume("requests", 3)
    usage.set("requests", 40).update()
    assert firestore.get(f"users/{uid}")["usage"]["requests"] | {"last": None} == {
        "monthly": 40, "daily": 3, "total": 3, "last": None
    }


def test_update_rechecks_inside_the_transaction(meter_manager, accounts, firestore, clock):
    uid = accounts["premium-active"].uid  # tests: 20 a month
    first = Usage.for_user(meter_manager, uid, clock=clock)
    second = Usage.for_user(meter_manager, uid, clock=clock)  # both loaded at 0 before either writes
    first.validate("tests")
    second.validate("tests")
    first.increment("tests", 14).update()
    second.increment("tests", 7)
    with pytest.raises(TooManyRequests):
        second.update()
    assert firestore.get(f"users/{uid}")["usage"]["tests"]["monthly"] == 14


def another_instance(_path: str) -> contextlib.AbstractContextManager:
    """``Usage(instance_lock=...)``: no in-process queue, as a meter in another instance writes."""
    return contextlib.nullcontext()


@pytest.mark.parametrize("instances", ["one instance", "one instance per request"])
def test_fifty_threads_against_a_limit_of_twenty(meter_manager, accounts, firestore, clock, instances):
    """One instance queues on its per-document lock; separate instances (each meter without it)
    race for real: the store's reads take a round-trip, and the losers' conditional writes fail and retry."""
    lost_writes = []
    separate = instances == "one instance per request"
    options = {"clock": clock, **({"instance_lock": another_instance} if separate else {})}
    uid = accounts["premium-active"].uid  # premium: tests 20 a month, rateLimit monthly

    def consume() -> int:
        usage = Usage.for_user(meter_manager, uid, **options)
        try:
            usage.consume("tests")
            return 200
        except TooManyRequests:
            return 429

    def round_trip(_snapshot) -> None:  # a network round-trip: other instances run meanwhile
        time.sleep(0.001)

    with meter_manager.db.inject(after_read=round_trip if separate else None,
                                 on_conflict=lambda path, _error: lost_writes.append(path)):
        outcomes = all_at_once(50, consume)
    assert outcomes.count(200) == 20
    assert outcomes.count(429) == 30
    stored = firestore.get(f"users/{uid}")["usage"]["tests"]
    assert (stored["monthly"], stored["daily"], stored["total"]) == (20, 20, 20)
    if separate:
        assert lost_writes, "the instances never raced: the test proved nothing"
    else:
        assert lost_writes == []  # one instance queues its writers: none of its writes ever loses


def test_a_write_that_lost_the_race_re_reads_and_re_checks(meter_manager, accounts, firestore, clock):
    """Another instance writes between this meter's read and its write: the conditional write
    fails, the meter re-reads, counts on top of the other write and refuses past the limit."""
    uid = accounts["premium-active"].uid
    firestore.set(f"users/{uid}", {"usage": {"tests": {"monthly": 18, "daily": 18, "total": 18}},
                                   "usageActive": {"day": "2024-04-15", "month": "2024-04"}}, merge=True)
    first, second = (Usage.for_user(meter_manager, uid, clock=clock, instance_lock=another_instance) for _ in range(2))
    reads, conflicts = [], []

    def the_other_instance_commits_after_our_first_read(snapshot) -> None:
        reads.append(snapshot)
        if len(reads) == 1:
            second.consume("tests")

    with meter_manager.db.inject(after_read=the_other_instance_commits_after_our_first_read,
                                 on_conflict=lambda path, error: conflicts.append(path)):
        first.consume("tests")  # 18 -> other makes 19 -> ours re-reads and makes 20
    assert len(reads) == 3  # ours, the other instance's, our re-read after the failed write
    assert conflicts == [f"users/{uid}"]  # exactly our first write lost
    assert firestore.get(f"users/{uid}")["usage"]["tests"]["monthly"] == 20

    third = Usage.for_user(meter_manager, uid, clock=clock)
    with pytest.raises(TooManyRequests):
        third.consume("tests")
    assert firestore.get(f"users/{uid}")["usage"]["tests"]["monthly"] == 20
