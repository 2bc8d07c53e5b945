"""marketing/campaign GET/POST/PUT/DELETE (admin only): BEM's document and answers, strict input
(400 naming the field), only pending campaigns change, and a campaign due now is sent once."""

import datetime as dt
import time

import pytest

from functions.timestamps import utcnow

WEEK = 7 * 24 * 3600


def future(seconds=WEEK):
    return int(time.time()) + seconds


@pytest.fixture
def admin(bm):
    return bm.as_("admin")


def test_future_campaign_is_stored_pending_with_bem_fields(admin, firestore, accounts):
    send_at = dt.datetime.fromtimestamp(future(), dt.UTC).isoformat().replace("+00:00", "Z")
    response = admin.post("marketing/campaign", {"name": "Future", "subject": "Soon", "content": "Hello **all**",
                                                 "sendAt": send_at, "test": True})
    assert response.status == 200, response.text
    body = response.json
    assert body["success"] is True and body["status"] == "pending" and body["providers"] is None
    doc = firestore.get(f"marketing-campaigns/{body['id']}")
    assert doc["status"] == "pending" and doc["type"] == "email" and doc["sendAt"] == body["sendAt"]
    assert abs(doc["sendAt"] - future()) < 5
    settings = doc["settings"]
    assert settings["name"] == "Future" and settings["subject"] == "Soon" and settings["content"] == "Hello **all**"
    assert settings["template"] == "card" and settings["sender"] == "marketing" and settings["test"] is True
    assert settings["_testUid"] == accounts["admin"].uid
    assert "preheader" not in settings and "segments" not in settings  # BEM strips empty values
    assert doc["metadata"]["created"]["timestampUNIX"] > 0


@pytest.mark.parametrize(("send_at", "expected"), [
    (1900000000, 1900000000), ("1900000000", 1900000000), ("2030-03-10T17:30:00Z", 1899394200),
    ("2030-03-10T17:30:00", 1899394200), ("2030-03-10T18:30:00+01:00", 1899394200), ("2030-03-10", 1899331200),
])
def test_send_at_accepts_bem_formats(admin, send_at, expected):
    response = admin.post("marketing/campaign", {"name": "n", "subject": "s", "sendAt": send_at})
    assert response.status == 200 and response.json["sendAt"] == expected


@pytest.mark.parametrize(("change", "field"), [
    ({"sendAt": "next tuesday"}, "sendAt"),
    ({"sendAt": "2030-13-45"}, "sendAt"),
    ({"sendAt": -5}, "sendAt"),
    ({"type": "sms"}, "type"),
    ({"recurrence": {"pattern": "fortnightly"}}, "recurrence.pattern"),
    ({"recurrence": {"pattern": "weekly", "day": 7}}, "recurrence.day"),
    ({"recurrence": {"pattern": "daily", "hour": 24}}, "recurrence.hour"),
    ({"recurrence": {"pattern": "monthly-weekday", "nth": 2}}, "recurrence.day"),
    ({"recurrence": {"pattern": "monthly-weekday", "day": 2, "nth": 5}}, "recurrence.nth"),
    ({"recurrence": "weekly"}, "recurrence"),
    ({"providers": ["mailchimp"]}, "providers.0"),
    ({"segments": ["subscription_free", "vip_users"]}, "segments.1"),
    ({"excludeSegments": ["nope"]}, "excludeSegments.0"),
    ({"generator": "no_such_generator"}, "generator"),
    ({"name": None}, "name"),
])
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_stored(admin, firestore, change, field):
    response = admin.post("marketing/campaign", {"name": "n", "subject": "s", "sendAt": future(), **change})
    assert response.status == 400, response.text
    assert response.json["error"]["field"] == field
    assert firestore.list("marketing-campaigns") == {}


def test_requires_an_admin(bm):
    body = {"name": "n", "subject": "s", "content": "c"}
    assert bm.post("marketing/campaign", body).status == 401
    assert bm.as_("basic").post("marketing/campaign", body).status == 403
    assert bm.as_("basic").get("marketing/campaign").status == 403


def test_get_one_and_list_filtered_by_status_type_and_window(admin, firestore):
    ids = [admin.post("marketing/campaign", {"name": f"c{i}", "subject": "s", "sendAt": future(WEEK * (i + 1)),
                                             "type": "push" if i == 1 else "email"}).json["id"] for i in range(3)]
    firestore.set("marketing-campaigns/broken", {"status": "pending", "sendAt": future(99 * WEEK), "settings": 7, "metadata": "x"})
    one = admin.get("marketing/campaign", query={"id": ids[1]})
    assert one.status == 200 and one.json["campaign"]["id"] == ids[1] and one.json["campaign"]["type"] == "push"
    assert admin.get("marketing/campaign", query={"id": "missing"}).status == 404
    listed = admin.get("marketing/campaign", query={"status": "pending", "type": "email", "limit": "10"}).json
    assert [c["id"] for c in listed["campaigns"]] == [ids[0], ids[2]] and listed["count"] == 2
    assert admin.get("marketing/campaign").json["campaigns"][-1] == {"id": "broken", **firestore.get("marketing-campaigns/broken")}
    window = admin.get("marketing/campaign", query={"start": str(future(WEEK + 3600)), "end": str(future(3 * WEEK - 3600))}).json
    assert [c["id"] for c in window["campaigns"]] == [ids[1]]
    assert admin.get("marketing/campaign", query={"start": "", "type": ""}).status == 200  # BEM's empty defaults


def test_put_changes_only_the_fields_sent_and_merges_settings(admin, firestore):
    created = admin.post("marketing/campaign", {"name": "n", "subject": "s", "preheader": "p", "sendAt": future()}).json
    before = firestore.get(f"marketing-campaigns/{created['id']}")
    response = admin.put("marketing/campaign", {"id": created["id"], "subject": "New subject",
                                                "recurrence": {"pattern": "weekly", "day": 3, "hour": 17, "minute": 30}})
    assert response.status == 200, response.text
    campaign = response.json["campaign"]
    assert campaign["sendAt"] == before["sendAt"]  # not reset to now (BEM does)
    assert campaign["settings"] == {**before["settings"], "subject": "New subject"}
    assert campaign["recurrence"] == {"pattern": "weekly", "day": 3, "hour": 17, "minute": 30}
    assert firestore.get(f"marketing-campaigns/{created['id']}")["settings"]["subject"] == "New subject"
    bad = admin.put("marketing/campaign", {"id": created["id"], "sendAt": "tomorrow-ish"})
    assert bad.status == 400 and bad.json["error"]["field"] == "sendAt"
    assert admin.put("marketing/campaign", {"id": "missing", "subject": "x"}).status == 404


def test_only_pending_campaigns_can_be_edited_or_deleted(admin, firestore):
    for status in ("processing", "sent", "failed"):
        firestore.set(f"marketing-campaigns/c-{status}", {"status": status, "sendAt": 1, "settings": {"name": "n"}})
        assert admin.put("marketing/campaign", {"id": f"c-{status}", "subject": "x"}).status == 400
        response = admin.delete("marketing/campaign", {"id": f"c-{status}"})
        assert response.status == 400 and status in response.error
        assert firestore.get(f"marketing-campaigns/c-{status}")["status"] == status
    created = admin.post("marketing/campaign", {"name": "n", "subject": "s", "sendAt": future()}).json
    assert admin.delete("marketing/campaign", {"id": created["id"]}).json == {"success": True, "deleted": created["id"]}
    assert firestore.get(f"marketing-campaigns/{created['id']}") is None
    assert admin.delete("marketing/campaign", {"id": created["id"]}).status == 404


def test_an_id_already_used_is_a_409_not_an_overwrite(admin, firestore):
    firestore.set("marketing-campaigns/mine", {"status": "sent", "sendAt": 1, "settings": {"name": "old"}})
    response = admin.post("marketing/campaign", {"id": "mine", "name": "n", "subject": "s", "sendAt": future()})
    assert response.status == 409
    assert firestore.get("marketing-campaigns/mine")["settings"]["name"] == "old"


def test_push_campaign_due_now_is_sent_at_once_and_once(admin, firestore, fcm_fake, manager):
    for i in range(3):
        firestore.set(f"notifications/tok-{i}", {"token": f"tok-{i}", "tags": ["news"], "owner": None})
    response = admin.post("marketing/campaign", {"type": "push", "name": "Sale", "subject": "50% off", "sendAt": "now",
                                                 "filters": {"tags": ["news"]}})
    assert response.status == 200, response.text
    body = response.json
    assert body["status"] == "sent" and body["providers"]["push"]["sent"] == 3
    doc = firestore.get(f"marketing-campaigns/{body['id']}")
    assert doc["status"] == "sent" and doc["results"]["push"]["sent"] == 3
    assert {s.body["message"]["notification"]["title"] for s in fcm_fake.sends} == {"Sale"}
    from functions.cron import run_jobs

    run_jobs(manager, "frequent", only="marketing-campaigns", now=utcnow())
    assert len(fcm_fake.sends) == 3  # the job does not send it again


def test_a_generator_campaign_due_now_is_left_to_the_job(admin, firestore, monkeypatch):
    import sys
    import types

    module = types.ModuleType("functions.marketing.generators.routegen")
    module.generate = lambda manager, campaign, *, now: pytest.fail("generated inside the request")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    response = admin.post("marketing/campaign", {"name": "n", "subject": "s", "generator": "routegen", "sendAt": "now"})
    assert response.status == 200 and response.json["status"] == "pending" and response.json["providers"] is None
    assert firestore.get(f"marketing-campaigns/{response.json['id']}")["generator"] == "routegen"
