"""The daily prune of the auth-events ledger: old records go, recent ones stay."""

import datetime as dt

from functions.auth.prune import BATCH, KEEP, prune_auth_events
from functions.cron import run_jobs

NOW = dt.datetime(2024, 4, 15, 0, 0, 5, tzinfo=dt.UTC)


def record(firestore, event_id, age):
    created = NOW - age
    firestore.set(f"auth-events/{event_id}", {"id": event_id, "type": "created", "uid": "u1",
                                              "created": {"timestamp": created.isoformat(), "timestampUNIX": int(created.timestamp())}})


def test_records_older_than_the_window_are_deleted(manager, firestore):
    record(firestore, "old", KEEP + dt.timedelta(hours=1))
    record(firestore, "recent", dt.timedelta(hours=23))  # Eventarc may still redeliver this one
    assert prune_auth_events(manager.db, NOW) == {"deleted": 1}
    assert not firestore.exists("auth-events/old")
    assert firestore.exists("auth-events/recent")


def test_more_than_one_batch_and_a_second_run_deletes_nothing(manager, firestore):
    for index in range(BATCH + 5):
        record(firestore, f"e{index}", KEEP + dt.timedelta(days=1))
    assert prune_auth_events(manager.db, NOW) == {"deleted": BATCH + 5}
    assert prune_auth_events(manager.db, NOW) == {"deleted": 0}
    assert firestore.list("auth-events") == {}


def test_it_runs_with_the_daily_jobs(manager, firestore):
    record(firestore, "old", KEEP * 2)
    results = {r.name: r for r in run_jobs(manager, "daily", now=NOW)}
    assert results["prune-auth-events"].ok and results["prune-auth-events"].result == {"deleted": 1}
