"""Webhooks stuck in ``processing`` (the instance died after the claim) are requeued by cron."""

import datetime as dt

from functions.cron import run_jobs
from functions.payments.recovery import MAX_ATTEMPTS, recover_stuck_webhooks

NOW = dt.datetime(2024, 4, 15, 12, 0, tzinfo=dt.UTC)


def stuck(firestore, event_id, minutes_ago, attempts=1, status="processing"):
    claimed = NOW - dt.timedelta(minutes=minutes_ago)
    firestore.set(f"payments-webhooks/{event_id}", {
        "status": status, "attempts": attempts, "processor": "test",
        "metadata": {"processing": {"timestamp": claimed.isoformat(), "timestampUNIX": int(claimed.timestamp())}},
    })


def test_a_webhook_processing_for_too_long_goes_back_to_pending(manager, firestore):
    stuck(firestore, "evt_old", minutes_ago=30)
    stuck(firestore, "evt_running", minutes_ago=1)
    stuck(firestore, "evt_done", minutes_ago=30, status="completed")

    summary = recover_stuck_webhooks(manager.db, NOW)

    assert summary == {"requeued": ["evt_old"], "failed": []}
    assert firestore.get("payments-webhooks/evt_old")["status"] == "pending"
    assert firestore.get("payments-webhooks/evt_running")["status"] == "processing"
    assert firestore.get("payments-webhooks/evt_done")["status"] == "completed"


def test_after_max_attempts_it_is_marked_failed_not_requeued(manager, firestore):
    stuck(firestore, "evt_poison", minutes_ago=30, attempts=MAX_ATTEMPTS)

    summary = recover_stuck_webhooks(manager.db, NOW)

    record = firestore.get("payments-webhooks/evt_poison")
    assert summary == {"requeued": [], "failed": ["evt_poison"]}
    assert record["status"] == "failed"
    assert record["error"] == f"Gave up after {MAX_ATTEMPTS} attempts that never finished"


def test_a_record_finished_between_the_query_and_the_write_is_left_alone(manager, firestore, monkeypatch):
    stuck(firestore, "evt_race", minutes_ago=30)
    query_class = type(manager.db.collection("payments-webhooks").where("status", "==", "processing"))
    real_stream = query_class.stream

    def stream_then_the_pipeline_finishes(self, *args, **kwargs):
        snapshots = list(real_stream(self, *args, **kwargs))
        firestore.db.document("payments-webhooks/evt_race").update({"status": "completed"})
        return iter(snapshots)

    monkeypatch.setattr(query_class, "stream", stream_then_the_pipeline_finishes)
    assert recover_stuck_webhooks(manager.db, NOW) == {"requeued": [], "failed": []}
    assert firestore.get("payments-webhooks/evt_race")["status"] == "completed"


def test_a_requeued_webhook_is_claimed_again_by_the_pipeline(manager, firestore, accounts):
    """End to end in-process: the requeued record is claimed again and completes."""
    from functions.payments.pipeline import process_webhook_event

    stuck(firestore, "evt_requeue", minutes_ago=30)
    run_jobs(manager, "frequent", now=NOW)
    assert firestore.get("payments-webhooks/evt_requeue")["status"] == "pending"
    outcome = process_webhook_event(manager, "evt_requeue")
    assert outcome is not None  # claimed again (it would be None while stuck in processing)
    assert firestore.get("payments-webhooks/evt_requeue")["attempts"] == 2
