"""POST marketing/webhook (SendGrid + Beehiiv) and marketing/webhook/forward: answers, consent written,
removals from the other provider (as the SendGrid and Beehiiv fakes saw them), idempotency under redelivery."""

import json
import threading
import time

import pytest

from functions.config import parse_config
from functions.testing.marketing_fixtures import PUBLICATION
from functions.testing.test_env import WEBHOOK_KEY


def configure(manager, **sections):
    raw = manager.config.model_dump(by_alias=True, exclude_none=True)
    raw.update(sections)
    manager.config = parse_config(raw)


@pytest.fixture
def both(marketing, accounts):
    """SendGrid Marketing and Beehiiv both on (their fakes), the test accounts contacts of both."""
    for account in accounts.values():
        marketing.sendgrid.seed_contact(account.email)
        marketing.beehiiv.seed_subscription(PUBLICATION, account.email)
    return marketing


def hook(bm, body, **query):
    return bm.post("marketing/webhook", body, query={"key": WEBHOOK_KEY, **query})


def removals(both):
    """(provider, address) of every removal asked of the fakes (a lookup by address starts each one)."""
    beehiiv = [("newsletter", c.path.rsplit("/", 1)[-1]) for c in both.beehiiv.calls("GET") if "/by_email/" in c.path]
    sendgrid = [("campaigns", c.body["emails"][0]) for c in both.sendgrid.marketing_calls("POST", "/v3/marketing/contacts/search")]
    return sorted(beehiiv + sendgrid)


def sg(event, email, ts=None, **extra):
    return {"sg_event_id": f"sg-{event}-{ts}", "event": event, "email": email, "timestamp": ts or int(time.time()), **extra}


def marketing(firestore, account):
    return firestore.get(f"users/{account.uid}")["consent"]["marketing"]


def test_a_sendgrid_batch_is_handled_event_by_event(bm, both, firestore, accounts):
    basic, premium = accounts["basic"], accounts["premium-active"]
    ts = int(time.time()) - 60
    response = hook(bm, [sg("group_unsubscribe", basic.email.upper(), ts, asm_group_id=25928), sg("open", premium.email),
                         sg("spamreport", premium.email, ts), sg("delivered", basic.email)], provider="sendgrid")
    assert response.status == 200, response.text
    assert response.json == {"received": True, "processed": 2, "skipped": 2, "failed": 0}
    for account in (basic, premium):
        consent = marketing(firestore, account)
        assert consent["status"] == "revoked"
        assert consent["revokedAt"] == {"timestamp": consent["revokedAt"]["timestamp"], "timestampUNIX": ts, "source": "sendgrid",
                                        "ip": None, "text": None}
    assert firestore.get(f"users/{basic.uid}")["metadata"]["tag"] == "marketing/webhook:sendgrid"
    # SendGrid has suppressed the address itself: the contact is removed from Beehiiv only
    assert removals(both) == [("newsletter", basic.email), ("newsletter", premium.email)]


@pytest.mark.parametrize(("event", "extra", "revokes"), [
    ("unsubscribe", {}, True),
    ("bounce", {"bounce_classification": "Invalid Address"}, True),
    ("dropped", {"bounce_classification": "Invalid Address"}, True),
    ("bounce", {"bounce_classification": "Technical Failure"}, False),
    ("bounce", {}, False),
    ("click", {}, False),
])
def test_only_unsubscribes_spam_reports_and_hard_bounces_revoke(bm, both, firestore, accounts, event, extra, revokes):
    basic = accounts["basic"]
    response = hook(bm, [sg(event, basic.email, **extra)], provider="sendgrid")
    assert response.json["processed" if revokes else "skipped"] == 1
    assert (firestore.get(f"users/{basic.uid}")["consent"]["marketing"]["revokedAt"]["source"] == "sendgrid") is revokes
    assert len(removals(both)) == (1 if revokes else 0)


def test_the_same_event_delivered_twice_changes_the_state_once_and_removes_once(bm, both, firestore, accounts):
    basic = accounts["basic"]
    event = [sg("group_unsubscribe", basic.email, int(time.time()) - 5)]
    first = hook(bm, event, provider="sendgrid")
    stored = firestore.get(f"users/{basic.uid}")
    again = hook(bm, event, provider="sendgrid")
    assert first.json["processed"] == again.json["processed"] == 1
    assert firestore.get(f"users/{basic.uid}") == stored
    assert removals(both) == [("newsletter", basic.email)]


def test_an_unsubscribe_older_than_the_last_grant_changes_nothing(bm, both, firestore, accounts):
    basic = accounts["basic"]
    now = int(time.time())
    firestore.set(f"users/{basic.uid}", {"consent": {"marketing": {
        "status": "granted", "grantedAt": {"timestamp": "x", "timestampUNIX": now, "source": "account", "ip": None, "text": None}}}},
        merge=True)
    response = hook(bm, [sg("unsubscribe", basic.email, now - 3600)], provider="sendgrid")
    assert response.json["processed"] == 1
    assert marketing(firestore, basic)["status"] == "granted" and removals(both) == []


def test_an_unknown_address_is_skipped_silently(bm, both, firestore):
    response = hook(bm, [sg("group_unsubscribe", "_test.never-existed@example.com")], provider="sendgrid")
    assert response.json == {"received": True, "processed": 1, "skipped": 0, "failed": 0}
    assert removals(both) == []


def test_a_stored_consent_of_any_shape_is_replaced_not_a_500(bm, both, firestore, accounts):
    basic = accounts["basic"]
    firestore.set(f"users/{basic.uid}", {"consent": {"marketing": "yes please"}}, merge=True)
    response = hook(bm, [sg("spamreport", basic.email)], provider="sendgrid")
    assert response.json["processed"] == 1 and marketing(firestore, basic)["status"] == "revoked"


def test_beehiiv_unsubscribe_revokes_with_source_beehiiv_and_removes_from_sendgrid(bm, both, firestore, accounts):
    basic = accounts["basic"]
    body = {"id": "evt-1", "event": "subscription.unsubscribed", "email": basic.email, "publication_id": PUBLICATION,
            "created_at": "2030-01-02T03:04:05.678Z"}
    response = hook(bm, body, provider="beehiiv")
    assert response.json == {"received": True, "processed": 1, "skipped": 0, "failed": 0}
    revoked = marketing(firestore, basic)["revokedAt"]
    assert (revoked["source"], revoked["timestampUNIX"], revoked["timestamp"]) == ("beehiiv", 1893553445, "2030-01-02T03:04:05.000Z")
    assert removals(both) == [("campaigns", basic.email)]
    assert hook(bm, body, provider="beehiiv").json["processed"] == 1 and len(removals(both)) == 1


@pytest.mark.parametrize("event", ["subscription.deleted", "subscription.paused"])
def test_beehiiv_deleted_and_paused_revoke(bm, both, firestore, accounts, event):
    response = hook(bm, {"id": "e", "event": event, "data": {"email": accounts["basic"].email}}, provider="beehiiv")
    assert response.json["processed"] == 1 and marketing(firestore, accounts["basic"])["revokedAt"]["source"] == "beehiiv"


def test_beehiiv_other_publication_and_other_events_change_nothing(bm, both, firestore, accounts):
    basic = accounts["basic"]
    before = firestore.get(f"users/{basic.uid}")
    other = hook(bm, {"event": "subscription.unsubscribed", "email": basic.email, "publication_id": "pub_other"}, provider="beehiiv")
    created = hook(bm, {"event": "subscription.created", "email": basic.email, "publication_id": PUBLICATION}, provider="beehiiv")
    assert other.json["processed"] == 1 and created.json["skipped"] == 1
    assert firestore.get(f"users/{basic.uid}") == before and removals(both) == []


@pytest.mark.parametrize(("query", "status", "message"), [
    ({"provider": None}, 400, "Missing provider parameter"),
    ({"key": None}, 401, "webhook key"),
    ({"key": "wrong"}, 401, "webhook key"),
    ({"provider": "mailchimp"}, 400, "Unknown provider: mailchimp"),
])
def test_bad_provider_or_key_is_refused_and_nothing_is_written(bm, both, firestore, accounts, query, status, message):
    params = {k: v for k, v in {"provider": "sendgrid", "key": WEBHOOK_KEY, **query}.items() if v is not None}
    response = bm.post("marketing/webhook", [sg("unsubscribe", accounts["basic"].email)], query=params)
    assert response.status == status and message in response.error
    assert firestore.get(f"users/{accounts['basic'].uid}")["consent"]["marketing"]["revokedAt"]["source"] != "sendgrid"


def test_another_brand_is_ignored_and_an_unreadable_body_is_a_400(bm, both, accounts):
    ignored = hook(bm, [sg("unsubscribe", accounts["basic"].email)], provider="sendgrid", brand="someone-else")
    assert ignored.status == 200 and ignored.json == {"received": True, "ignored": True}
    assert hook(bm, "not events", provider="sendgrid").status == 400
    assert hook(bm, [], provider="beehiiv").status == 400
    assert hook(bm, [], provider="sendgrid").json == {"received": True, "processed": 0}


# ── forward (parent brand) ──────────────────────────────────────────────────────────────────────

class Child:
    """A brand's API: records what the parent forwards, answers ``status``."""

    def __init__(self, status=200):
        from werkzeug.serving import make_server

        self.status, self.received = status, []
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def app(self, environ, start_response):
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        self.received.append((request.path, request.args.to_dict(), request.get_data()))
        return Response("{}", status=self.status, content_type="application/json")(environ, start_response)


def test_forward_is_404_unless_this_brand_is_the_parent(bm, firestore):
    response = bm.post("marketing/webhook/forward", [sg("unsubscribe", "a@example.com")], query={"provider": "sendgrid", "key": WEBHOOK_KEY})
    assert response.status == 404


def test_the_parent_forwards_the_body_byte_for_byte_to_every_brand(bm, manager, firestore):
    configure(manager, parent="self")
    ok, down = Child(), Child(status=503)
    try:
        firestore.set("brands/one", {"brand": {"id": "one", "url": "https://one.example", "apiUrl": ok.url}})
        firestore.set("brands/two", {"brand": {"id": "two", "url": "https://two.example", "apiUrl": down.url}})
        firestore.set("brands/three", {"brand": {"id": "three"}})
        body = [sg("unsubscribe", "ann@example.com", 1700000000)]
        assert bm.post("marketing/webhook/forward", body, query={"provider": "sendgrid", "key": "wrong"}).status == 401
        assert bm.post("marketing/webhook/forward", body, query={"key": WEBHOOK_KEY}).status == 400
        response = bm.post("marketing/webhook/forward", body, query={"provider": "sendgrid", "key": WEBHOOK_KEY})
        assert response.json == {"received": True, "forwarded": 2, "succeeded": 1, "failed": 1,
                                 "failures": [{"brandId": "two", "reason": "HTTP 503"}]}
        [(path, query, raw)] = ok.received
        assert path == "/backend-manager/marketing/webhook" and query == {"provider": "sendgrid", "key": WEBHOOK_KEY}
        assert json.loads(raw) == body
    finally:
        ok.server.shutdown()
        down.server.shutdown()


def test_a_brand_api_url_is_derived_from_brand_url_as_bem():
    from functions.marketing.webhooks.forward import receiver_url

    assert receiver_url({"url": "https://somiibo.com/"}, "beehiiv", "k") == \
        "https://api.somiibo.com/backend-manager/marketing/webhook?provider=beehiiv&key=k"
    assert receiver_url({"url": "ftp://x"}, "sendgrid", "k") is None and receiver_url({"url": "https://x:99999"}, "s", "k") is None


def test_an_array_sent_as_numbered_keys_and_a_bare_event_are_read_as_bem_does(bm, both, firestore, accounts):
    basic, premium = accounts["basic"], accounts["premium-active"]
    numbered = hook(bm, {"0": sg("unsubscribe", basic.email), "1": sg("open", basic.email)}, provider="sendgrid")
    bare = hook(bm, {"event": "spamreport", "email": premium.email, "smtp-id": "<x@y>"}, provider="sendgrid")
    assert (numbered.json["processed"], numbered.json["skipped"], bare.json["processed"]) == (1, 1, 1)
    assert marketing(firestore, premium)["revokedAt"]["source"] == "sendgrid"


def test_the_same_event_delivered_concurrently_removes_once(bm, both, accounts):
    from functions.testing.concurrency import all_at_once

    event = [sg("group_unsubscribe", accounts["basic"].email, int(time.time()) - 1)]
    answers = all_at_once(4, lambda: hook(bm, event, provider="sendgrid").json["processed"])
    assert answers == [1, 1, 1, 1] and removals(both) == [("newsletter", accounts["basic"].email)]
