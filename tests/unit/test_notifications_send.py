"""manager.notifications.send and POST admin/notification against the fake FCM HTTP API:
targeting (token, tags, owner, limit), BEM's payload, batches of 500, stale-token deletion,
FCM outages, and the admin-only route with its legacy command."""

import math
from urllib.parse import parse_qs, urlsplit

from functions.notifications import Notice, Targets


def _subscribe(firestore, count, prefix="tok", tags=("news",), owner=None):
    for i in range(count):
        token = f"{prefix}-{i:05d}"
        firestore.set(f"notifications/{token}", {"token": token, "tags": list(tags), "owner": owner})


def test_one_token_gets_bem_payload(manager, fcm_fake):
    manager.config.brand.images["brandmark"] = "https://cdn.example.com/brandmark.png"
    result = manager.notifications.send(Notice("Hello", "World", click_action="https://app.example.com/inbox?x=1"),
                                        Targets(token="tok-one"))
    assert result == {"subscribers": 1, "batches": 1, "sent": 1, "deleted": 0}
    [request] = fcm_fake.sends
    assert request.path == f"/v1/projects/{manager.project_id}/messages:send"
    assert request.headers["Authorization"] == "Bearer local-fcm-fake"
    message = request.body["message"]
    link = message["data"]["click_action"]
    assert urlsplit(link).netloc == "app.example.com" and parse_qs(urlsplit(link).query)["x"] == ["1"]
    assert parse_qs(urlsplit(link).query)["cb"][0].isdigit()
    assert message["token"] == "tok-one"
    assert message["notification"] == {"title": "Hello", "body": "World", "image": "https://cdn.example.com/brandmark.png"}
    assert message["webpush"]["notification"]["icon"] == "https://cdn.example.com/brandmark.png"
    assert message["webpush"]["notification"]["click_action"] == link
    assert message["webpush"]["fcm_options"] == {"link": link}
    assert message["webpush"]["data"] == {"click_action": link}


def test_click_action_defaults_to_brand_url(manager, fcm_fake):
    manager.notifications.send(Notice("t", "b"), Targets(token="x"))
    link = fcm_fake.sends[0].body["message"]["data"]["click_action"]
    assert link.startswith(manager.config.brand.url.rstrip("/")) and "cb=" in link


def test_tags_in_batches_of_500_and_others_untouched(manager, firestore, fcm_fake):
    _subscribe(firestore, 1201, tags=("news", "sale"))
    _subscribe(firestore, 7, prefix="other", tags=("beta",))
    result = manager.notifications.send(Notice("t", "b"), Targets(tags=["news"]))
    assert result == {"subscribers": 1201, "batches": math.ceil(1201 / 500), "sent": 1201, "deleted": 0}
    assert len(fcm_fake.sends) == 1201
    assert not any(t.startswith("other") for t in fcm_fake.tokens_sent)
    assert len(set(fcm_fake.tokens_sent)) == 1201  # each token once


def test_owner_filter_and_limit(manager, firestore, fcm_fake):
    _subscribe(firestore, 5, prefix="mine", owner="u-1")
    _subscribe(firestore, 5, prefix="theirs", owner="u-2")
    assert manager.notifications.send(Notice("t", "b"), Targets(owner="u-1"))["sent"] == 5
    assert all(t.startswith("mine") for t in fcm_fake.tokens_sent)
    fcm_fake.reset()
    result = manager.notifications.send(Notice("t", "b"), Targets(owner="u-2", limit=3))
    assert result["subscribers"] == 3 and len(fcm_fake.sends) == 3


def test_unregistered_and_invalid_tokens_are_deleted(manager, firestore, fcm_fake):
    _subscribe(firestore, 4)
    fcm_fake.unregister("tok-00001")
    fcm_fake.invalidate("tok-00002")
    result = manager.notifications.send(Notice("t", "b"), Targets(tags=["news"]))
    assert result == {"subscribers": 4, "batches": 1, "sent": 2, "deleted": 2}
    assert firestore.get("notifications/tok-00001") is None
    assert firestore.get("notifications/tok-00002") is None
    assert firestore.get("notifications/tok-00000") is not None


def test_an_fcm_outage_deletes_nothing(manager, firestore, fcm_fake):
    _subscribe(firestore, 3)
    fcm_fake.fail_next(3, status=503)
    result = manager.notifications.send(Notice("t", "b"), Targets(tags=["news"]))
    assert result == {"subscribers": 3, "batches": 1, "sent": 0, "deleted": 0}
    assert all(firestore.get(f"notifications/tok-0000{i}") is not None for i in range(3))


def test_documents_of_any_shape_do_not_break_a_send(manager, firestore, fcm_fake):
    firestore.set("notifications/doc-id-token", {"tags": ["news"], "token": 42})  # no usable token field: the id is the token
    firestore.set("notifications/plain", {"tags": ["news"], "token": "plain"})
    result = manager.notifications.send(Notice("t", "b"), Targets(tags=["news"]))
    assert result["sent"] == 2 and sorted(fcm_fake.tokens_sent) == ["doc-id-token", "plain"]


def test_route_is_admin_only_and_answers_the_counts(bm, firestore, fcm_fake):
    _subscribe(firestore, 3)
    body = {"notification": {"title": "New", "body": "Post", "click_action": "https://example.com/post"}, "filters": {"tags": ["news"]}}
    assert bm.as_("basic").post("admin/notification", body).status == 403
    assert fcm_fake.sends == []
    response = bm.as_("admin").post("admin/notification", body)
    assert response.status == 200, response.text
    assert response.json == {"subscribers": 3, "batches": 1, "sent": 3, "deleted": 0}
    assert fcm_fake.sends[0].body["message"]["data"]["click_action"].startswith("https://example.com/post?cb=")


def test_route_names_the_missing_field(bm, fcm_fake):
    response = bm.as_("admin").post("admin/notification", {"notification": {"title": "only"}})
    assert response.status == 400
    assert response.json["error"]["field"] == "notification.body"
    bad_link = bm.as_("admin").post("admin/notification", {"notification": {"title": "t", "body": "b", "clickAction": "javascript:x"}})
    assert bad_link.status == 400 and bad_link.json["error"]["field"] == "notification.clickAction"
    assert fcm_fake.sends == []


def test_legacy_command(bm, fcm_fake):
    payload = {"notification": {"title": "t", "body": "b"}, "filters": {"token": "abc", "tags": False}}  # BEM sends tags: false
    response = bm.as_("admin").command("admin:send-notification", payload)
    assert response.status == 200, response.text
    assert response.json["sent"] == 1 and fcm_fake.tokens_sent == ["abc"]


def test_route_without_a_notification_sends_bems_default(bm, firestore, fcm_fake):
    _subscribe(firestore, 2)
    response = bm.as_("admin").post("admin/notification", {"filters": {"limit": 1}})
    assert response.status == 200, response.text
    assert response.json["sent"] == 1
    assert fcm_fake.sends[0].body["message"]["notification"]["title"] == "Notification"
    assert fcm_fake.sends[0].body["message"]["notification"]["body"] == "Check this out"


def test_tags_reach_the_query_in_the_python_clients_spelling(bm, manager, firestore, fcm_fake):
    # BEM's with-tags-filter: the in-memory store refuses "array-contains-any" as google-cloud-firestore does
    _subscribe(firestore, 2, tags=("test-tag",))
    response = bm.as_("admin").post("admin/notification", {"notification": {"title": "t", "body": "b"},
                                                          "filters": {"tags": ["test-tag", "another-tag"]}})
    assert response.status == 200, response.text
    assert response.json["sent"] == 2


def test_the_legacy_command_fills_a_missing_title_and_body(bm, firestore, fcm_fake):
    # BEM's legacy admin:send-notification defaults each field; the REST route refuses an empty notification
    _subscribe(firestore, 1)
    response = bm.as_("admin").command("admin:send-notification", {"notification": {}, "filters": {"limit": 1}})
    assert response.status == 200, response.text
    assert fcm_fake.sends[0].body["message"]["notification"]["title"] == "Notification"
    assert fcm_fake.sends[0].body["message"]["notification"]["body"] == "Check this out"
    assert bm.as_("admin").post("admin/notification", {"notification": {}}).status == 400
