"""marketing-prune (daily, acts on the 1st): re-engagement, then removal of inactive contacts who never paid."""

from __future__ import annotations

import datetime as dt
from typing import Any

from functions.marketing.prune import run_prune

FIRST = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def seed(marketing: Any, brand_id: str) -> None:
    fakes = marketing.sendgrid
    for email in ("idle1@example.com", "idle2@example.com", "payer@example.com", "former@example.com", "other@example.com"):
        fakes.seed_contact(email, brand_id=brand_id if email != "other@example.com" else "another-brand")
        marketing.beehiiv.seed_subscription(marketing.publication, email)
    fakes.seed_contact("active@example.com", brand_id=brand_id)
    idle = ["idle1@example.com", "idle2@example.com", "payer@example.com", "former@example.com", "other@example.com"]
    fakes.set_segment_members("engagement_inactive_6m", idle)
    fakes.set_segment_members("subscription_paid", ["payer@example.com"])
    fakes.set_segment_members("subscription_ever_paid", ["former@example.com"])
    fakes.set_segment_members("engagement_inactive_5m", ["slipping@example.com"])


def test_the_first_of_the_month_reengages_then_removes_inactive_contacts_who_never_paid(manager: Any, marketing: Any,
                                                                                         firestore: Any) -> None:
    brand = manager.config.brand.id
    seed(marketing, brand)

    summary = run_prune(manager, FIRST)

    assert summary["count"] == 2 and summary["skippedPaid"] == 2 and summary["errors"] == []
    remaining = set(marketing.sendgrid.contacts())
    assert remaining == {"payer@example.com", "former@example.com", "other@example.com", "active@example.com"}
    assert set(marketing.beehiiv.subscriptions(marketing.publication)) == {"payer@example.com", "former@example.com",
                                                                          "other@example.com"}
    [reengage] = marketing.sendgrid.single_sends().values()
    assert reengage["body"]["name"] == "Re-engagement: Are you still with us?" and reengage["status"] == "scheduled"
    assert len(marketing.beehiiv.posts(marketing.publication)) == 1
    assert not any(s["name"].startswith("__temp_") for s in marketing.sendgrid.segments().values())
    log = firestore.get(f"marketing-prune-logs/{brand}/runs/2026-03")
    assert (log["status"], log["count"], sorted(log["emails"]), log["skippedPaid"]) == (
        "completed", 2, ["idle1@example.com", "idle2@example.com"], 2)


def test_a_second_run_in_the_same_month_does_nothing(manager: Any, marketing: Any) -> None:
    seed(marketing, manager.config.brand.id)
    run_prune(manager, FIRST)
    calls = len(marketing.sendgrid.marketing_calls())

    again = run_prune(manager, FIRST + dt.timedelta(minutes=5))

    assert again == {"skipped": "already ran this month", "month": "2026-03"}
    assert len(marketing.sendgrid.marketing_calls()) == calls and len(marketing.sendgrid.single_sends()) == 1


def test_other_days_and_a_disabled_prune_do_nothing(manager: Any, marketing: Any) -> None:
    from functions.testing.marketing_fixtures import set_marketing_config

    assert run_prune(manager, FIRST + dt.timedelta(days=1)) == {"skipped": "not the 1st of the month"}
    set_marketing_config(manager, prune={"enabled": False})
    assert run_prune(manager, FIRST) == {"skipped": "disabled"}
    assert marketing.sendgrid.marketing_calls() == []


def test_a_sendgrid_outage_is_logged_and_the_temporary_segment_still_removed(manager: Any, marketing: Any, firestore: Any) -> None:
    seed(marketing, manager.config.brand.id)
    marketing.sendgrid.fail_next(1, status=503, endpoint="/v3/marketing/contacts/exports")

    summary = run_prune(manager, FIRST)

    assert summary["count"] == 0 and "503" in summary["errors"][0]
    assert len(marketing.sendgrid.contacts()) == 6
    assert not any(s["name"].startswith("__temp_") for s in marketing.sendgrid.segments().values())
    assert firestore.get(f"marketing-prune-logs/{manager.config.brand.id}/runs/2026-03")["status"] == "completed"


def test_the_job_runs_through_the_daily_cron(manager: Any, marketing: Any, run_cron: Any) -> None:
    result = run_cron("marketing-prune")
    [job] = result["results"]
    assert job["status"] == "ok"
    if dt.datetime.now(dt.UTC).day != 1:
        assert job["result"] == {"skipped": "not the 1st of the month"}
