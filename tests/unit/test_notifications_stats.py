"""bm_notificationsOnWrite's counter: create +1, delete -1, update nothing, and a redelivered
event (same id, also racing) changes meta/stats once; the daily prune drops old ledger records."""

import datetime as dt

from functions.cron import run_jobs
from functions.notifications.stats import EVENTS_COLLECTION, count_write
from functions.testing.concurrency import all_at_once


def total(firestore):
    return ((firestore.get("meta/stats") or {}).get("notifications") or {}).get("total")


def test_create_delete_update(manager, firestore):
    firestore.set("meta/stats", {"users": {"total": 4}})
    assert count_write(manager, "e1", "tok", before_exists=False, after_exists=True) == 1
    assert count_write(manager, "e2", "tok2", before_exists=False, after_exists=True) == 1
    assert count_write(manager, "e3", "tok", before_exists=True, after_exists=True) == 0
    assert count_write(manager, "e4", "tok", before_exists=True, after_exists=False) == -1
    assert total(firestore) == 1
    assert firestore.get("meta/stats")["users"] == {"total": 4}  # the rest of meta/stats is kept
    assert not firestore.exists(f"{EVENTS_COLLECTION}/e3")  # an update leaves no record


def test_counter_starts_without_a_stats_document(manager, firestore):
    count_write(manager, "e1", "tok", before_exists=False, after_exists=True)
    assert total(firestore) == 1


def test_a_redelivered_event_counts_once(manager, firestore):
    assert count_write(manager, "evt-dup", "tok", before_exists=False, after_exists=True) == 1
    assert count_write(manager, "evt-dup", "tok", before_exists=False, after_exists=True) == 0
    assert total(firestore) == 1
    assert firestore.get(f"{EVENTS_COLLECTION}/evt-dup")["type"] == "create"


def test_racing_duplicates_count_once(manager, firestore):
    results = all_at_once(8, lambda: count_write(manager, "evt-race", "tok", before_exists=True, after_exists=False))
    assert sorted(results) == [-1] + [0] * 7
    assert total(firestore) == -1


def test_daily_prune_drops_old_ledger_records(manager, firestore):
    now = dt.datetime.now(dt.UTC)
    for name, age in (("old", dt.timedelta(days=8)), ("recent", dt.timedelta(hours=2))):
        created = now - age
        firestore.set(f"{EVENTS_COLLECTION}/{name}", {"id": name, "created": {"timestamp": created.isoformat(),
                                                                              "timestampUNIX": int(created.timestamp())}})
    [result] = run_jobs(manager, "daily", only="prune-notification-events")
    assert result.ok and result.result == {"deleted": 1}
    assert not firestore.exists(f"{EVENTS_COLLECTION}/old") and firestore.exists(f"{EVENTS_COLLECTION}/recent")
