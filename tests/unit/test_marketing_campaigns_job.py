"""The marketing-campaigns frequent job: due or not, one send under overlapping runs, provider failure
retried then failed at the limit, history documents of recurring campaigns, generators that yield
nothing or raise, expired leases, and stored documents of any shape. Push campaigns go to the fake FCM
server (functions/testing/fcm_fake.py); the generator is a test module under functions.marketing.generators."""

from __future__ import annotations

import datetime as dt
import sys
import types

import pytest

from functions.marketing.campaigns import claim, runner
from functions.marketing.campaigns.recurrence import next_future_occurrence
from functions.testing.concurrency import all_at_once

NOW = dt.datetime(2026, 3, 4, 18, 0, tzinfo=dt.UTC)  # a Wednesday
T = int(NOW.timestamp())
WEEKLY = {"pattern": "weekly", "day": 3, "hour": 17, "minute": 30}


def push_campaign(firestore, campaign_id, *, send_at=T - 600, **fields):
    doc = {"type": "push", "status": "pending", "sendAt": send_at,
           "settings": {"name": "Spring sale", "subject": "30% off today", "filters": {"tags": ["news"]}}, **fields}
    firestore.set(f"marketing-campaigns/{campaign_id}", doc)
    return doc


def subscribers(firestore, count=3, tag="news"):
    for i in range(count):
        firestore.set(f"notifications/tok-{tag}-{i}", {"token": f"tok-{tag}-{i}", "tags": [tag], "owner": f"u-{i}"})


def run(manager, now=NOW):
    return runner.run(manager, now).dump()


@pytest.fixture
def generator(monkeypatch):
    """functions.marketing.generators.testgen: answers what ``behaviour`` says; records its calls."""
    module = types.ModuleType("functions.marketing.generators.testgen")
    module.calls, module.behaviour = [], {"answer": {"subject": "Issue #1", "preheader": "p", "content": "<p>news</p>",
                                                     "assets": {"htmlUrl": "https://x/1.html"}, "meta": {"tokens": 10},
                                                     "images": [b"png"]}}

    def generate(manager, campaign, *, now):
        module.calls.append((campaign["id"], now))
        if "raise" in module.behaviour:
            raise module.behaviour["raise"]
        return module.behaviour["answer"]

    module.generate = generate
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return module


def test_only_due_pending_campaigns_are_sent(manager, firestore, fcm_fake):
    subscribers(firestore)
    push_campaign(firestore, "due")
    push_campaign(firestore, "later", send_at=T + 60)
    push_campaign(firestore, "done", status="sent")
    summary = run(manager)
    assert summary["due"] == 1 and summary["sent"] == 1
    due = firestore.get("marketing-campaigns/due")
    assert due["status"] == "sent" and due["results"]["push"]["sent"] == 3 and due["results"]["push"]["success"] is True
    assert "processingStartedAt" in due and "attempts" not in due and "error" not in due
    assert sorted(fcm_fake.tokens_sent) == ["tok-news-0", "tok-news-1", "tok-news-2"]
    message = fcm_fake.sends[0].body["message"]["notification"]
    assert (message["title"], message["body"]) == ("Spring sale", "30% off today")
    assert firestore.get("marketing-campaigns/later")["status"] == "pending"
    assert run(manager)["due"] == 0 and len(fcm_fake.sends) == 3  # sent once


def test_overlapping_runs_send_each_campaign_once(manager, firestore, fcm_fake):
    subscribers(firestore, 4)
    for i in range(3):
        push_campaign(firestore, f"c{i}")
    summaries = all_at_once(4, lambda: run(manager))
    assert sum(s["sent"] for s in summaries) == 3
    assert sum(s["skipped"] for s in summaries) == sum(s["due"] for s in summaries) - 3
    assert len(fcm_fake.sends) == 3 * 4  # each campaign to each of the 4 tokens, once


def test_claim_admits_one_runner(manager, firestore):
    push_campaign(firestore, "c")
    reference = manager.db.document("marketing-campaigns/c")
    results = all_at_once(6, lambda: claim.claim(manager.db, reference, T))
    assert sum(r is not None for r in results) == 1
    doc = firestore.get("marketing-campaigns/c")
    assert doc["status"] == "processing" and doc["processingStartedAt"] == T and doc["processingOccurrence"] == T - 600


def test_provider_failure_is_retried_then_failed_at_the_limit(manager, firestore, fcm_fake):
    subscribers(firestore, 1)
    push_campaign(firestore, "c")
    fcm_fake.fail_next(runner.SEND_MAX_ATTEMPTS, status=503)
    for attempt in range(1, runner.SEND_MAX_ATTEMPTS):
        assert run(manager)["retried"] == 1
        doc = firestore.get("marketing-campaigns/c")
        assert (doc["status"], doc["attempts"], doc["sendAt"]) == ("pending", attempt, T - 600)
    assert run(manager)["failed"] == 1
    doc = firestore.get("marketing-campaigns/c")
    assert doc["status"] == "failed" and doc["results"]["push"]["sent"] == 0 and doc["error"].startswith("push: FCM delivered to none")
    assert run(manager)["due"] == 0
    assert len(fcm_fake.sends) == runner.SEND_MAX_ATTEMPTS  # tried, never delivered twice


def test_a_retry_that_succeeds_clears_the_failure(manager, firestore, fcm_fake):
    subscribers(firestore, 1)
    push_campaign(firestore, "c")
    fcm_fake.fail_next(1, status=503)
    assert run(manager)["retried"] == 1
    assert run(manager)["sent"] == 1
    doc = firestore.get("marketing-campaigns/c")
    assert doc["status"] == "sent" and "attempts" not in doc and "error" not in doc


def test_no_subscriber_is_a_final_failure_not_a_retry(manager, firestore, fcm_fake):
    push_campaign(firestore, "c")
    assert run(manager)["failed"] == 1
    doc = firestore.get("marketing-campaigns/c")
    assert doc["status"] == "failed" and "no subscriber" in doc["error"]


def test_recurring_campaign_writes_history_and_moves_to_the_next_future_occurrence(manager, firestore, fcm_fake):
    subscribers(firestore, 2)
    stalled = T - 5 * 7 * 86400 - 1800  # five weeks of missed Wednesdays at 17:30
    push_campaign(firestore, "weekly", send_at=stalled, recurrence=WEEKLY)
    assert run(manager)["sent"] == 1
    doc = firestore.get("marketing-campaigns/weekly")
    assert doc["status"] == "pending" and doc["sendAt"] == next_future_occurrence(stalled, WEEKLY, T)
    assert dt.datetime.fromtimestamp(doc["sendAt"], dt.UTC) == dt.datetime(2026, 3, 11, 17, 30, tzinfo=dt.UTC)
    history = firestore.get(f"marketing-campaigns/weekly-{stalled}")
    assert history["recurringId"] == "weekly" and history["status"] == "sent" and history["sendAt"] == stalled
    assert history["type"] == "push" and history["settings"]["name"] == "Spring sale"
    assert history["results"]["push"]["sent"] == 2 and history["metadata"]["created"]["timestampUNIX"] > 0
    assert len(fcm_fake.sends) == 2  # one send, no catch-up burst for the missed weeks
    assert run(manager)["due"] == 0
    later = NOW + dt.timedelta(days=7)
    assert run(manager, later)["sent"] == 1 and len(fcm_fake.sends) == 4
    assert firestore.get(f"marketing-campaigns/weekly-{doc['sendAt']}")["status"] == "sent"


def test_generator_overlay_is_sent_and_kept_in_the_history(manager, firestore, fcm_fake, generator):
    subscribers(firestore, 1)
    push_campaign(firestore, "news", recurrence=WEEKLY, generator="testgen")
    assert run(manager)["sent"] == 1
    assert generator.calls == [("news", NOW)]
    assert fcm_fake.sends[0].body["message"]["notification"]["body"] == "Issue #1"
    history = firestore.get(f"marketing-campaigns/news-{T - 600}")
    assert history["generatedFrom"] == "news" and history["recurringId"] == "news"
    assert history["settings"]["subject"] == "Issue #1" and "images" not in history["settings"]
    assert history["assets"] == {"htmlUrl": "https://x/1.html"} and history["meta"] == {"tokens": 10}
    assert firestore.get("marketing-campaigns/news")["settings"]["subject"] == "30% off today"  # the template is unchanged


@pytest.mark.parametrize("failure", ["none", "raise"])
def test_generator_yielding_nothing_or_raising_is_retried_then_the_occurrence_skipped(manager, firestore, fcm_fake, generator, failure):
    subscribers(firestore, 1)
    generator.behaviour = {"answer": None} if failure == "none" else {"raise": RuntimeError("feed down")}
    push_campaign(firestore, "news", recurrence=WEEKLY, generator="testgen")
    push_campaign(firestore, "once", generator="testgen", generatorAttempts=runner.GENERATOR_MAX_ATTEMPTS - 1)
    summary = run(manager)
    assert summary["retried"] == 1 and summary["failed"] == 1
    news = firestore.get("marketing-campaigns/news")
    assert (news["status"], news["generatorAttempts"], news["sendAt"]) == ("pending", 1, T - 600)
    assert ("feed down" in news["error"]) == (failure == "raise")
    once = firestore.get("marketing-campaigns/once")
    assert once["status"] == "failed" and f"after {runner.GENERATOR_MAX_ATTEMPTS} attempts" in once["error"]
    firestore.set("marketing-campaigns/news", {"generatorAttempts": runner.GENERATOR_MAX_ATTEMPTS - 1}, merge=True)
    assert run(manager)["skipped"] == 1
    news = firestore.get("marketing-campaigns/news")
    assert news["status"] == "pending" and news["sendAt"] == next_future_occurrence(T - 600, WEEKLY, T)
    assert "generatorAttempts" not in news and "skipped" in news["error"]
    assert fcm_fake.sends == []


def test_expired_leases_are_reclaimed_and_a_push_interrupted_mid_send_is_not_pushed_again(manager, firestore, fcm_fake):
    subscribers(firestore, 1)
    lease = {"status": "processing", "processingStartedAt": T - claim.LEASE_SECONDS - 1, "processingOccurrence": T - 600}
    push_campaign(firestore, "pushing", pushingOccurrence=T - 600, **lease)  # died while calling FCM
    push_campaign(firestore, "generating", **lease)  # died before sending anything
    push_campaign(firestore, "live", status="processing", processingStartedAt=T - 60, processingOccurrence=T - 600)
    summary = run(manager)
    assert summary["reclaimed"] == 2 and summary["failed"] == 1 and summary["sent"] == 1
    pushing = firestore.get("marketing-campaigns/pushing")
    assert pushing["status"] == "failed" and "interrupted" in pushing["error"]
    generating = firestore.get("marketing-campaigns/generating")
    assert generating["status"] == "sent" and "pushingOccurrence" not in generating
    assert firestore.get("marketing-campaigns/live")["status"] == "processing"
    assert len(fcm_fake.sends) == 1


def test_unknown_type_generator_or_recurrence_fails_without_retry_and_odd_documents_never_break_the_run(manager, firestore, fcm_fake):
    push_campaign(firestore, "sms", type="sms")
    push_campaign(firestore, "gen", generator="no_such_generator")
    push_campaign(firestore, "rec", recurrence={"pattern": "fortnightly"})
    firestore.set("marketing-campaigns/odd", {"status": "pending", "sendAt": T - 5, "settings": "x", "type": None})
    summary = run(manager)
    assert summary["failed"] == 4 and summary["errors"] == []
    assert firestore.get("marketing-campaigns/sms")["error"] == 'Unknown campaign type "sms"'
    assert firestore.get("marketing-campaigns/gen")["error"] == 'Unknown generator "no_such_generator"'
    assert firestore.get("marketing-campaigns/rec")["error"].startswith("Invalid recurrence")
    assert firestore.get("marketing-campaigns/odd")["error"] == "settings.subject is missing: nothing to send"
    assert run(manager)["due"] == 0


def test_test_mode_pushes_only_to_the_admin_who_created_it(manager, firestore, fcm_fake):
    subscribers(firestore, 3)
    push_campaign(firestore, "t", settings={"name": "n", "subject": "s", "test": True, "_testUid": "u-1"})
    push_campaign(firestore, "orphan", settings={"name": "n", "subject": "s", "test": True})
    run(manager)
    assert fcm_fake.tokens_sent == ["tok-news-1"]
    assert firestore.get("marketing-campaigns/orphan")["status"] == "failed"  # never to everyone


def test_job_reads_at_most_three_documents_per_due_campaign(manager, firestore, fcm_fake):
    for i in range(10):
        push_campaign(firestore, f"c{i}", settings={"name": "n", "subject": "s", "filters": {"token": f"tok-{i}"}})
    stats = manager.db.stats
    before = stats["reads"]
    assert run(manager)["sent"] == 10
    assert (stats["reads"] - before) / 10 <= 3


# e-mail campaigns: manager.marketing.send_campaign against the SendGrid fake -------------------------
def email_campaign(firestore, campaign_id, **fields):
    doc = {"type": "email", "status": "pending", "sendAt": T - 600,
           "settings": {"name": "March news", "subject": "What's new", "content": "<p>Hello</p>", "sender": "marketing",
                        "segments": ["subscription_free"], "providers": ["campaigns"]}, **fields}
    firestore.set(f"marketing-campaigns/{campaign_id}", doc)
    return doc


@pytest.fixture
def senders(marketing, manager):
    from functions.email import senders as email_senders

    address = email_senders.resolve(manager.config, sender="marketing", from_=None, group=None).address.email
    marketing.sendgrid.add_sender(address)
    return marketing


def test_email_campaign_is_one_single_send_with_the_occurrence_key(manager, firestore, senders):
    email_campaign(firestore, "news")
    assert run(manager)["sent"] == 1
    doc = firestore.get("marketing-campaigns/news")
    assert doc["status"] == "sent" and doc["results"]["campaigns"]["success"] is True
    [single_send] = senders.sendgrid.single_sends().values()
    assert single_send["body"]["email_config"]["subject"] == "What's new" and single_send["body"]["name"] == "March news"
    assert firestore.list("marketing-sends")  # the provider ledger keyed by campaign:{id}:{sendAt}
    [ledger] = firestore.list("marketing-sends").values()
    assert ledger["key"] == f"campaign:news:{T - 600}"


def test_email_provider_outage_is_retried_with_the_same_key_and_sent_once(manager, firestore, senders):
    email_campaign(firestore, "news")
    senders.sendgrid.fail_next(1, status=503, endpoint="marketing")
    assert run(manager)["retried"] == 1
    doc = firestore.get("marketing-campaigns/news")
    assert doc["status"] == "pending" and doc["attempts"] == 1 and doc["error"].startswith("campaigns:")
    assert run(manager)["sent"] == 1
    assert len(senders.sendgrid.single_sends()) == 1
    # the same occurrence claimed again (a reclaimed lease): the idempotency key makes the provider call a no-op
    firestore.set("marketing-campaigns/news", {"status": "pending"}, merge=True)
    assert run(manager)["sent"] == 1
    assert firestore.get("marketing-campaigns/news")["results"]["campaigns"]["duplicate"] is True
    assert len(senders.sendgrid.single_sends()) == 1


def test_a_provider_4xx_is_final_and_unsendable_settings_too(manager, firestore, senders):
    email_campaign(firestore, "refused")
    senders.sendgrid.fail_next(1, status=400, endpoint="marketing")
    email_campaign(firestore, "no-content", sendAt=T - 300, settings={"name": "n", "subject": "s", "providers": ["campaigns"]})
    summary = run(manager)
    assert summary["failed"] == 2 and summary["retried"] == 0
    assert firestore.get("marketing-campaigns/refused")["results"]["campaigns"]["status"] == 400
    assert "data.content.message" in firestore.get("marketing-campaigns/no-content")["error"]
    assert senders.sendgrid.single_sends() == {}
