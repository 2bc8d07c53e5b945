"""Marketing on the Emulator Suite, the parts the other marketing modules leave out: the campaign job through a
SendGrid outage (retried by the next admin/cron run, then one Single Send), a Beehiiv unsubscribe webhook
(consent revoked with source beehiiv, the contact removed from SendGrid, once even delivered twice), the
recurring newsletter generated and sent on two occurrences, and the monthly prune.

The last two run the real job in this process (``runner.run`` / ``run_prune`` with the ``manager`` fixture, as
the unit tier does) against the emulator's Firestore and the SendGrid/Beehiiv fakes on their fixed ports: the
emulated functions read ``marketing.newsletter`` from the project's backend-manager-config.json (disabled
there, and a feed they could reach would need a fixed port), and admin/cron runs jobs at the real time, when
the prune acts on the 1st only and the next weekly occurrence is days away. admin/cron still proves the
prune is wired into the emulated daily cron."""

import datetime as dt
import secrets
import time

import pytest

from functions.testing.test_env import WEBHOOK_KEY
from functions.testing.unit import ADMIN_KEY

pytestmark = pytest.mark.emulator


def single_sends(sendgrid_fake, subject):
    return [s for s in sendgrid_fake.single_sends().values() if s["body"]["email_config"]["subject"] == subject]


def test_a_sendgrid_outage_is_retried_by_the_next_run_and_sent_once(bm, firestore, run_cron, sendgrid_fake):
    admin = bm.with_admin_key(ADMIN_KEY)
    subject = f"Outage {secrets.token_hex(4)}"
    created = admin.post("marketing/campaign", {"name": "Spring news", "subject": subject, "content": "<p>Spring</p>",
                                                "sendAt": int(time.time()) + 3600, "providers": ["campaigns"]})
    assert created.status == 200, created.text
    campaign_id = created.json["id"]
    assert admin.put("marketing/campaign", {"id": campaign_id, "sendAt": "now"}).status == 200
    sendgrid_fake.fail_next(1, status=503, endpoint="/v3/marketing/singlesends")
    assert run_cron("marketing-campaigns")["ok"]
    stored = firestore.get(f"marketing-campaigns/{campaign_id}")
    assert stored["status"] == "pending" and stored["attempts"] == 1 and stored["error"].startswith("campaigns:"), stored
    assert single_sends(sendgrid_fake, subject) == []
    assert run_cron("marketing-campaigns")["ok"]
    stored = firestore.get(f"marketing-campaigns/{campaign_id}")
    [single_send] = single_sends(sendgrid_fake, subject)
    assert stored["status"] == "sent" and stored["results"]["campaigns"]["id"] == single_send["id"]
    assert "attempts" not in stored and "error" not in stored
    assert single_send["status"] == "scheduled" and "Spring" in single_send["body"]["email_config"]["html_content"]
    run_cron("marketing-campaigns")
    assert len(single_sends(sendgrid_fake, subject)) == 1


def test_a_beehiiv_unsubscribe_revokes_consent_and_removes_the_sendgrid_contact_once(bm, firestore, sendgrid_fake):
    uid, email = f"beehiiv-{secrets.token_hex(6)}", f"mia.stone.{secrets.token_hex(3)}@example.org"
    granted = {"timestamp": "2026-01-01T00:00:00.000Z", "timestampUNIX": 1767225600, "source": "signup", "ip": None, "text": None}
    firestore.set(f"users/{uid}", {"auth": {"uid": uid, "email": email}, "consent": {"marketing": {"status": "granted", "grantedAt": granted}}})
    sendgrid_fake.seed_contact(email)
    query = {"provider": "beehiiv", "key": WEBHOOK_KEY}
    # an event for another publication (a parent forwards every brand's events) changes nothing
    other = bm.post("marketing/webhook", {"id": "evt-other", "event": "subscription.unsubscribed", "email": email,
                                          "publication_id": "pub_other"}, query=query)
    assert other.status == 200 and firestore.get(f"users/{uid}")["consent"]["marketing"]["status"] == "granted"
    assert sendgrid_fake.contact(email) is not None
    event = {"id": f"evt-{secrets.token_hex(4)}", "event": "subscription.unsubscribed", "created_at": "2030-01-02T03:04:05.678Z",
             "data": {"email": email.upper()}}
    first = bm.post("marketing/webhook", event, query=query)
    assert first.status == 200 and first.json == {"received": True, "processed": 1, "skipped": 0, "failed": 0}, first.text
    stored = firestore.get(f"users/{uid}")
    revoked = stored["consent"]["marketing"]
    assert revoked["status"] == "revoked" and revoked["grantedAt"]["source"] == "signup"
    assert (revoked["revokedAt"]["source"], revoked["revokedAt"]["timestampUNIX"]) == ("beehiiv", 1893553445)
    assert sendgrid_fake.contact(email) is None
    deletions = len(sendgrid_fake.marketing_calls("DELETE"))
    again = bm.post("marketing/webhook", event, query=query)
    assert again.json == first.json and firestore.get(f"users/{uid}") == stored
    assert len(sendgrid_fake.marketing_calls("DELETE")) == deletions
    assert bm.post("marketing/webhook", event, query={**query, "key": "wrong"}).status == 401


def test_the_recurring_newsletter_is_generated_with_the_test_ai_and_sent_on_two_occurrences(manager, firestore, marketing):
    from functions.marketing.campaigns import runner
    from functions.marketing.campaigns.recurrence import next_future_occurrence
    from functions.testing.feed_fake import FeedFake, item
    from functions.testing.marketing_fixtures import set_marketing_config

    tag = secrets.token_hex(4)
    feed = FeedFake().start()
    try:
        url = feed.rss("/blog.xml", [item(f"{tag}-1", f"Marketing budgets move to video {tag}"),
                                     item(f"{tag}-2", f"Email marketing open rates climb {tag}")])
        set_marketing_config(manager, newsletter={"content": [{"sources": [f"$feed:{url}"], "categories": ["marketing"]}]})
        recurrence = {"pattern": "daily", "hour": 17, "minute": 30}
        now = int(time.time())
        first = next_future_occurrence(now - 2 * 86400, recurrence, now - 86400)  # the last occurrence, due now
        campaign_id = f"newsletter-{tag}"
        firestore.set(f"marketing-campaigns/{campaign_id}", {
            "settings": {"name": "{brand.name} Newsletter", "subject": "", "preheader": "", "sender": "newsletter",
                         "providers": ["newsletter"]},
            "sendAt": first, "status": "pending", "type": "email", "generator": "newsletter", "recurrence": recurrence})

        runner.run(manager, dt.datetime.fromtimestamp(first + 60, dt.UTC))
        posts = [p for p in marketing.beehiiv.posts(marketing.publication) if tag in str(p)]
        assert len(posts) == 1 and f"Marketing budgets move to video {tag}" in str(posts[0])
        history = firestore.get(f"marketing-campaigns/{campaign_id}-{first}")
        assert history["status"] == "sent" and history["generatedFrom"] == campaign_id and history["recurringId"] == campaign_id
        assert history["settings"]["subject"] and history["results"]["newsletter"]["success"] is True
        second = firestore.get(f"marketing-campaigns/{campaign_id}")["sendAt"]
        assert second == first + 86400 and firestore.get(f"marketing-campaigns/{campaign_id}")["status"] == "pending"

        feed.rss("/blog.xml", [item(f"{tag}-3", f"Marketing attribution gets simpler {tag}"),
                               item(f"{tag}-1", f"Marketing budgets move to video {tag}")])
        runner.run(manager, dt.datetime.fromtimestamp(second + 60, dt.UTC))
        posts = [p for p in marketing.beehiiv.posts(marketing.publication) if tag in str(p)]
        assert len(posts) == 2 and f"Marketing attribution gets simpler {tag}" in str(posts[1])
        assert "budgets" not in str(posts[1])  # a source already used is never used again
        assert firestore.get(f"marketing-campaigns/{campaign_id}-{second}")["status"] == "sent"
        reports = [m for m in marketing.sendgrid.sent() if "Newsletter generated" in str(m.body.get("subject")) and tag in str(m.body)]
        assert len(reports) == 2  # one report e-mail to the brand per occurrence
    finally:
        feed.stop()


def test_the_monthly_prune_reengages_then_removes_inactive_contacts_who_never_paid(manager, firestore, marketing, run_cron):
    from functions.marketing.prune import run_prune

    [job] = run_cron("marketing-prune")["results"]  # wired into the emulated daily cron; acts on the 1st only
    assert job["status"] == "ok"
    if dt.datetime.now(dt.UTC).day != 1:
        assert job["result"] == {"skipped": "not the 1st of the month"}
    brand = manager.config.brand.id
    tag = secrets.token_hex(3)
    idle, payer, former, active = (f"{name}.{tag}@example.org" for name in ("idle", "payer", "former", "active"))
    for email in (idle, payer, former, active):
        marketing.sendgrid.seed_contact(email, brand_id=brand)
        marketing.beehiiv.seed_subscription(marketing.publication, email)
    marketing.sendgrid.set_segment_members("engagement_inactive_6m", [idle, payer, former])
    marketing.sendgrid.set_segment_members("subscription_paid", [payer])
    marketing.sendgrid.set_segment_members("subscription_ever_paid", [former])
    marketing.sendgrid.set_segment_members("engagement_inactive_5m", [active])
    first = dt.datetime(2040 + secrets.randbelow(60), 3, 1, 9, 0, tzinfo=dt.UTC)

    summary = run_prune(manager, first)

    assert (summary["count"], summary["skippedPaid"], summary["errors"]) == (1, 2, [])
    assert marketing.sendgrid.contact(idle) is None and idle not in marketing.beehiiv.subscriptions(marketing.publication)
    assert all(marketing.sendgrid.contact(email) for email in (payer, former, active))
    [reengage] = [s for s in marketing.sendgrid.single_sends().values() if s["body"]["name"].startswith("Re-engagement")]
    assert reengage["status"] == "scheduled"
    assert not any(s["name"].startswith("__temp_") for s in marketing.sendgrid.segments().values())
    month = f"{first.year}-03"
    log = firestore.get(f"marketing-prune-logs/{brand}/runs/{month}")
    assert (log["status"], log["count"], log["emails"], log["skippedPaid"]) == ("completed", 1, [idle], 2)
    assert run_prune(manager, first + dt.timedelta(hours=2)) == {"skipped": "already ran this month", "month": month}
