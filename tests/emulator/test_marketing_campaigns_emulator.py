"""Campaigns on the Emulator Suite: created over HTTP, sent by the real marketing-campaigns job (run through
admin/cron, twice at once) as exactly one SendGrid Single Send (the fake the emulator tier runs on a fixed
port), with BEM's history document; a campaign due now is sent by POST itself."""

import secrets
import time

import pytest

from functions.testing.concurrency import all_at_once
from functions.testing.unit import ADMIN_KEY

pytestmark = pytest.mark.emulator


def single_sends(sendgrid_fake, subject):
    return [s for s in sendgrid_fake.single_sends().values() if s["body"]["email_config"]["subject"] == subject]


def test_recurring_campaign_sent_once_by_overlapping_job_runs(bm, firestore, run_cron, sendgrid_fake):
    admin = bm.with_admin_key(ADMIN_KEY)
    subject = f"Weekly {secrets.token_hex(4)}"
    created = admin.post("marketing/campaign", {"name": "Weekly digest", "subject": subject, "content": "<p>This week</p>",
                                                "sendAt": int(time.time()) + 3600, "providers": ["campaigns"],
                                                "recurrence": {"pattern": "weekly", "day": 3, "hour": 17, "minute": 30}})
    assert created.status == 200 and created.json["status"] == "pending", created.text
    campaign_id = created.json["id"]
    assert admin.put("marketing/campaign", {"id": campaign_id, "sendAt": "now"}).status == 200
    runs = all_at_once(2, lambda: run_cron("marketing-campaigns"))
    assert all(run["ok"] for run in runs), runs
    assert sum(run["results"][0]["result"]["sent"] for run in runs) == 1
    [single_send] = single_sends(sendgrid_fake, subject)
    assert "This week" in single_send["body"]["email_config"]["html_content"]
    history = [d for d in firestore.list("marketing-campaigns").values() if d.get("recurringId") == campaign_id]
    assert [h["status"] for h in history] == ["sent"] and history[0]["results"]["campaigns"]["id"] == single_send["id"]
    campaign = admin.get("marketing/campaign", query={"id": campaign_id}).json["campaign"]
    assert campaign["status"] == "pending" and campaign["sendAt"] > time.time()
    run_cron("marketing-campaigns")
    assert len(single_sends(sendgrid_fake, subject)) == 1


def test_campaign_due_now_is_sent_by_post(bm, firestore, sendgrid_fake):
    subject = f"Now {secrets.token_hex(4)}"
    response = bm.with_admin_key(ADMIN_KEY).post("marketing/campaign", {"name": "Flash", "subject": subject, "providers": ["campaigns"],
                                                                        "content": "<p>Today only</p>", "sendAt": "now"})
    assert response.status == 200, response.text
    assert response.json["status"] == "sent" and response.json["providers"]["campaigns"]["success"] is True
    assert len(single_sends(sendgrid_fake, subject)) == 1
    assert firestore.get(f"marketing-campaigns/{response.json['id']}")["status"] == "sent"
