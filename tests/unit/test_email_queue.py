"""emails-queue: scheduling beyond the window, batching, BEM's retry rule, races, the jobs, pruning."""

import datetime as dt
import time

from functions.email.queue import MAX_RETRIES

HOUR = 3600


def later(hours):
    return int(time.time()) + hours * HOUR


def at(unix):
    return dt.datetime.fromtimestamp(unix, dt.UTC)


def queue_one(manager, to="ada@example.org", hours=100, **settings):
    return manager.email.send(to=to, subject="Reminder", data={"content": {"message": "Hello"}}, sendAt=later(hours), **settings)


def test_send_at_beyond_the_window_is_queued_and_sent_when_due(manager, firestore, sendgrid_fake):
    result = queue_one(manager, idempotency_key="reminder:ada")
    assert (result.status, result.where) == ("queued", f"emails-queue/{result.id}")
    assert sendgrid_fake.attempts() == [] and firestore.list("emails") == {}
    item = firestore.get(f"emails-queue/{result.id}")
    assert item["status"] == "pending" and item["settings"]["subject"] == "Reminder"
    assert queue_one(manager, idempotency_key="reminder:ada").duplicate  # the same cause queues once
    assert manager.email.drain_queue(dt.datetime.now(dt.UTC)).due == 0  # 100 h away: not due yet
    summary = manager.email.drain_queue(at(later(100 - 71) + 60))
    assert (summary.due, summary.sent) == (1, 1)
    [mail] = sendgrid_fake.sent()
    assert mail.recipients == ["ada@example.org"] and mail.body["send_at"] == item["sendAt"]
    assert firestore.get(f"emails/{result.id}")["status"] == "sent"
    assert firestore.get(f"emails-queue/{result.id}")["status"] == "claimed"
    assert manager.email.drain_queue(at(later(100))).due == 0 and len(sendgrid_fake.attempts()) == 1


def test_messages_with_the_same_body_go_in_one_request_one_personalization_each(manager, firestore, sendgrid_fake):
    ids = [queue_one(manager, to=f"user{i}@example.org", copy=False).id for i in range(3)]
    summary = manager.email.drain_queue(at(later(100)))
    assert summary.sent == 3
    [mail] = sendgrid_fake.sent()
    assert sorted(p["to"][0]["email"] for p in mail.body["personalizations"]) == [f"user{i}@example.org" for i in range(3)]
    links = {p["headers"]["List-Unsubscribe"] for p in mail.body["personalizations"]}
    assert len(links) == 3  # each recipient's own signed link
    records = [firestore.get(f"emails/{i}") for i in ids]
    assert {r["status"] for r in records} == {"sent"} and {r["providerMessageId"] for r in records} == {mail.message_id}


def test_5xx_is_retried_with_the_error_kept_then_dropped_and_recorded_after_5_attempts(manager, firestore, sendgrid_fake):
    result = queue_one(manager)
    sendgrid_fake.fail_next(10, status=503)
    for attempt in range(1, MAX_RETRIES):
        summary = manager.email.drain_queue(at(later(100)))
        assert summary.retried == 1
        item = firestore.get(f"emails-queue/{result.id}")
        assert (item["status"], item["retries"]) == ("pending", attempt) and "Simulated outage" in item["lastError"]
    summary = manager.email.drain_queue(at(later(100)))
    assert summary.dropped == 1 and len(sendgrid_fake.attempts()) == MAX_RETRIES
    assert firestore.get(f"emails-queue/{result.id}")["status"] == "dropped"
    record = firestore.get(f"emails/{result.id}")
    assert record["status"] == "failed" and "503" in record["error"] and record["attempts"] == MAX_RETRIES


def test_a_timeout_is_retried_and_the_next_drain_sends(manager, firestore, sendgrid_fake):
    result = queue_one(manager)
    sendgrid_fake.timeout_next(1)
    assert manager.email.drain_queue(at(later(100))).retried == 1
    assert manager.email.drain_queue(at(later(100))).sent == 1
    assert len(sendgrid_fake.sent()) == 1 and firestore.get(f"emails/{result.id}")["attempts"] == 2


def test_a_4xx_drops_the_item_at_once_and_records_the_reason(manager, firestore, sendgrid_fake):
    result = queue_one(manager)
    sendgrid_fake.fail_next(1, status=400)
    assert manager.email.drain_queue(at(later(100))).dropped == 1
    assert firestore.get(f"emails-queue/{result.id}")["status"] == "dropped"
    assert firestore.get(f"emails/{result.id}")["error"].startswith("400:")


def test_an_item_that_no_longer_builds_is_dropped_not_retried_forever(manager, firestore, sendgrid_fake):
    firestore.set("emails-queue/stale", {"id": "stale", "status": "pending", "sendAt": int(time.time()) - 10, "retries": 0,
                                         "settings": {"to": "gone-uid", "subject": "Hi", "template": "removed-template"}})
    summary = manager.email.drain_queue(dt.datetime.now(dt.UTC))
    assert summary.dropped == 1 and "no user 'gone-uid'" in summary.errors[0]
    assert sendgrid_fake.attempts() == [] and firestore.get("emails/stale")["status"] == "failed"
    assert firestore.get("emails-queue/stale")["status"] == "dropped"


def test_two_drains_at_once_send_each_item_once(manager, sendgrid_fake):
    from functions.testing.concurrency import all_at_once

    for i in range(20):
        queue_one(manager, to=f"user{i}@example.org")
    summaries = all_at_once(3, lambda: manager.email.drain_queue(at(later(100))))
    assert sum(s.sent for s in summaries) == 20
    assert sorted(sendgrid_fake.recipients()) == sorted(f"user{i}@example.org" for i in range(20))


def test_the_frequent_job_drains_the_queue(manager, firestore, run_cron, mailbox):
    firestore.set("emails-queue/due", {"id": "due", "key": None, "status": "pending", "sendAt": int(time.time()) - 10, "retries": 0,
                                       "settings": {"to": "ada@example.org", "subject": "Due now"}, "updated": int(time.time())})
    [job] = run_cron("email-queue")["results"]
    assert job["status"] == "ok" and job["result"]["sent"] == 1
    assert [m["subject"] for m in mailbox.to("ada@example.org")] == ["Due now"]


def test_the_daily_job_prunes_old_records_and_keeps_pending_items(manager, firestore, run_cron):
    old = {"timestamp": "2020-01-01T00:00:00.000Z", "timestampUNIX": 1577836800}
    firestore.set("emails/old", {"id": "old", "created": old})
    firestore.set("emails/new", {"id": "new", "created": {"timestampUNIX": int(time.time())}})
    firestore.set("emails-queue/done", {"status": "claimed", "updated": 1577836800})
    firestore.set("emails-queue/waiting", {"status": "pending", "updated": 1577836800, "sendAt": later(500)})
    firestore.set("emails-mailbox/old", {"created": old})
    [job] = run_cron("prune-emails")["results"]
    assert job["result"]["deleted"] == {"emails": 1, "emails-queue": 1, "emails-mailbox": 1}
    assert set(firestore.list("emails")) == {"new"} and set(firestore.list("emails-queue")) == {"waiting"}
