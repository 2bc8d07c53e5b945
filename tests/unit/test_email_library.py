"""manager.email: validation, rendering, the SendGrid request, exactly once, failures, the mailbox."""

import datetime as dt
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from functions.email import EmailInputError, unsubscribe
from functions.email.providers.sendgrid import SendGrid
from functions.testing.sendgrid_fixtures import UNSUBSCRIBE_TEST_KEY

CARD = {"content": {"title": "Welcome aboard", "message": "Read the [guide](https://example.com/guide)."}}


def collections(firestore):
    return {name: firestore.list(name) for name in ("emails", "emails-queue", "emails-mailbox")}


@pytest.fixture
def ada(firestore):
    firestore.set("users/ada-uid", {"auth": {"uid": "ada-uid", "email": "ada@example.org"}, "personal": {"name": {"first": "Ada"}},
                                    "api": {"privateKey": "secret-key"}})
    return "ada-uid"


# --- bad input: a typed error naming the field, nothing written or sent ----------------------------
@pytest.mark.parametrize(("settings", "field"), [
    ({"to": "ada@example.org", "subject": "Hi", "template": "nope"}, "template"),
    ({"to": "ada@example.org", "subject": "Hi", "sender": "ceo"}, "sender"),
    ({"to": "not an address", "subject": "Hi"}, "to"),
    ({"to": ["ada@example.org", 42], "subject": "Hi"}, "to[1]"),
    ({"to": "missing-uid", "subject": "Hi"}, "to"),
    ({"to": "ada@example.org"}, "subject"),
    ({"to": "ada@example.org", "subject": "Hi", "data": {"content": {"title": "<img src=x onerror=alert(1)>"}}}, "data.content.title"),
    ({"to": "ada@example.org", "subject": "Hi", "sendAt": "next tuesday"}, "sendAt"),
])
def test_bad_input_is_a_typed_error_naming_the_field_and_nothing_is_sent(manager, firestore, sendgrid_fake, settings, field):
    with pytest.raises(EmailInputError) as raised:
        manager.email.send(settings, idempotency_key="bad-input")
    assert raised.value.field == field and raised.value.status == 400
    assert sendgrid_fake.attempts() == []
    assert collections(firestore) == {"emails": {}, "emails-queue": {}, "emails-mailbox": {}}


# --- building --------------------------------------------------------------------------------------------
def test_recipients_by_uid_user_document_and_list_with_brand_copy_and_dedup(manager, firestore, sendgrid_fake, ada):
    message = manager.email.build(to=[ada, {"email": "bob@example.org", "name": "Bob"}, "ADA@example.org"],
                                  cc="support@example.com", subject="Hi")
    assert [a.dump() for a in message.to] == [{"email": "ada@example.org", "name": "Ada"}, {"email": "bob@example.org", "name": "Bob"}]
    assert [a.email for a in message.cc] == ["support@example.com"]  # the brand copy once, not twice
    user_doc = firestore.get(f"users/{ada}")
    assert [a.email for a in manager.email.build(to=user_doc, subject="Hi", copy=False).to] == ["ada@example.org"]
    assert manager.email.build(to=user_doc, subject="Hi", copy=False).cc == []


def test_sender_kind_derives_the_from_address_and_the_group_comes_from_config(manager, sendgrid_fake):
    manager.config = manager.config.model_copy(update={"email": manager.config.email.model_copy(update={"groups": {"orders": 777}})})
    message = manager.email.build(to="ada@example.org", subject="Receipt", sender="orders")
    assert message.sender.dump() == {"email": "orders@example.com", "name": "Demo App Orders"}
    assert message.group == 777 and message.reply_to == "orders@example.com"
    assert manager.email.build(to="ada@example.org", subject="Hi").group is None  # no group configured: no ASM


def test_data_is_escaped_markdown_rendered_links_utm_tagged_and_text_derived(manager, sendgrid_fake):
    message = manager.email.build(to="ada@example.org", subject="Hi", sender="hello",
                                  data={"content": {"title": "Tom & Jerry", "message": "**Bold** [docs](https://example.com/docs?a=1) 1 < 2"}})
    assert "Tom &amp; Jerry" in message.html and "<strong>Bold</strong>" in message.html and "1 &lt; 2" in message.html
    tagged = "https://example.com/docs?a=1&amp;utm_source=demo&amp;utm_medium=email&amp;utm_campaign=hello&amp;utm_content=transactional"
    assert tagged in message.html
    assert "Tom & Jerry" in message.text and "Bold docs (https://example.com/docs?a=1&utm_source=demo" in message.text
    assert "<" not in message.text.replace("1 < 2", "")


def test_a_project_template_layer_overrides_a_built_in(tmp_path, bem_root, monkeypatch):
    from functions.testing import unit

    unit.apply_unit_env(monkeypatch)
    (tmp_path / "email").mkdir()
    (tmp_path / "email" / "card.mjml").write_text(
        "<mjml><mj-body><mj-section><mj-column><mj-text>Project card: {{ content.title }}</mj-text></mj-column></mj-section></mj-body></mjml>")
    manager = unit.make_manager(bem_root, templates=[tmp_path])
    html = manager.email.build(to="ada@example.org", subject="Hi", data={"content": {"title": "Yo"}}).html
    assert "Project card: Yo" in html
    assert "Order #" in manager.email.build(to="ada@example.org", subject="Hi", template="order").html  # built-ins still there


# --- sending through the real SDK to the fake --------------------------------------------------------
def test_send_posts_one_mail_send_request_and_records_the_audit(manager, firestore, sendgrid_fake, ada):
    result = manager.email.send(to=ada, subject="Welcome", data=CARD, categories=["account/welcome"], sender="hello")
    assert result.status == "sent" and result.provider == "sendgrid"
    [mail] = sendgrid_fake.sent()
    assert mail.headers["Authorization"] == "Bearer SG.test-key"
    body = mail.body
    assert body["from"] == {"email": "hello@example.com", "name": "Demo App"} and body["subject"] == "Welcome"
    assert [c["type"] for c in body["content"]] == ["text/plain", "text/html"]
    assert body["categories"] == ["transactional", "demo", "account/welcome"]
    [personalization] = body["personalizations"]
    assert personalization["to"] == [{"email": "ada@example.org", "name": "Ada"}]
    assert personalization["cc"] == [{"email": "support@example.com", "name": "Demo App"}]
    link = personalization["headers"]["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://example.com/portal/email-preferences?")
    token, = [t for t in personalization["substitutions"]]
    assert token in body["content"][1]["value"] and personalization["substitutions"][token] == link
    record = firestore.get(f"emails/{result.id}")
    assert record["status"] == "sent" and record["providerMessageId"] == mail.message_id == result.provider_message_id
    assert record["request"]["subject"] == "Welcome" and record["request"]["headers"]["List-Unsubscribe"] == f"<{link}>"
    assert "secret-key" not in str(body) and "secret-key" not in str(record)  # the user's api key never travels


def test_the_unsubscribe_link_is_hmac_signed_and_verifies(manager, sendgrid_fake, ada):
    message = manager.email.build(to=ada, subject="Hi", sender="orders")
    query = parse_qs(urlsplit(message.unsubscribe_url).query)
    email = unsubscribe.decode(query["email"][0])
    assert email == "ada@example.org" and unsubscribe.decode(query["template"][0]) == "card"
    assert unsubscribe.verify(email, query["sig"][0], UNSUBSCRIBE_TEST_KEY)
    assert unsubscribe.verify("ADA@example.org", query["sig"][0], UNSUBSCRIBE_TEST_KEY)  # case-insensitive, as BEM
    assert not unsubscribe.verify("eve@example.org", query["sig"][0], UNSUBSCRIBE_TEST_KEY)
    assert not unsubscribe.verify(email, query["sig"][0], "another-key")
    assert not unsubscribe.verify(email, None, UNSUBSCRIBE_TEST_KEY)
    assert message.headers == {"List-Unsubscribe": f"<{message.unsubscribe_url}>"}


def test_the_same_idempotency_key_sends_once_and_returns_the_first_result(manager, firestore, sendgrid_fake, ada):
    first = manager.email.send(to=ada, subject="Receipt", idempotency_key="evt_1:new-subscription")
    again = manager.email.send(to=ada, subject="Receipt", idempotency_key="evt_1:new-subscription")
    assert len(sendgrid_fake.attempts()) == 1
    assert (again.duplicate, again.status, again.id, again.provider_message_id) == (True, "sent", first.id, first.provider_message_id)
    assert manager.email.send(to=ada, subject="Receipt", idempotency_key="evt_2:new-subscription").status == "sent"
    assert len(sendgrid_fake.sent()) == 2 and len(firestore.list("emails")) == 2


def test_concurrent_duplicates_send_once(manager, sendgrid_fake, ada):
    from functions.testing.concurrency import all_at_once

    results = all_at_once(8, lambda: manager.email.send(to=ada, subject="Receipt", idempotency_key="evt_race"))
    assert len(sendgrid_fake.attempts()) == 1
    assert sum(not r.duplicate for r in results) == 1


class CrashAfterSending:
    """A provider that delivers, then the process "dies" before the outcome is recorded."""

    name = "sendgrid"

    def __init__(self, real):
        self.real = real

    def deliver(self, messages):
        self.real.deliver(messages)
        raise SystemExit("instance killed")


def test_a_crash_between_sent_and_recorded_never_sends_twice(manager, firestore, sendgrid_fake, ada):
    real = manager.email.provider()
    manager.services["email_provider"] = CrashAfterSending(real)
    with pytest.raises(SystemExit):
        manager.email.send(to=ada, subject="Receipt", idempotency_key="evt_crash")
    del manager.services["email_provider"]
    retried = manager.email.send(to=ada, subject="Receipt", idempotency_key="evt_crash")  # the trigger is retried
    assert retried.duplicate and retried.status == "sending"
    assert len(sendgrid_fake.attempts()) == 1
    assert firestore.get(f"emails/{retried.id}")["status"] == "sending"


def test_a_4xx_is_recorded_failed_with_the_reason_and_not_retried(manager, firestore, sendgrid_fake, ada):
    sendgrid_fake.fail_next(1, status=403)
    result = manager.email.send(to=ada, subject="Receipt", idempotency_key="evt_403")
    assert result.status == "failed" and "verified Sender Identity" in result.error
    record = firestore.get(f"emails/{result.id}")
    assert record["status"] == "failed" and record["error"].startswith("403: The from address")
    assert firestore.list("emails-queue") == {}


@pytest.mark.parametrize("failure", ["5xx", "timeout"])
def test_a_5xx_or_timeout_is_queued_and_the_queue_sends_it_once(manager, firestore, sendgrid_fake, ada, failure):
    if failure == "5xx":
        sendgrid_fake.fail_next(1, status=503)
    else:
        sendgrid_fake.timeout_next(1)
    result = manager.email.send(to=ada, subject="Receipt", idempotency_key=f"evt_{failure}")
    assert result.status == "retrying"
    assert firestore.get(f"emails/{result.id}")["status"] == "retrying"
    item = firestore.get(f"emails-queue/{result.id}")
    assert (item["status"], item["retries"]) == ("pending", 1) and item["lastError"]
    again = manager.email.send(to=ada, subject="Receipt", idempotency_key=f"evt_{failure}")
    assert again.duplicate and again.status == "retrying"  # a re-delivered trigger does not send beside the queue
    summary = manager.email.drain_queue(dt.datetime.now(dt.UTC))
    assert (summary.sent, summary.dropped) == (1, 0)
    assert len(sendgrid_fake.sent_to("ada@example.org")) == 1
    record = firestore.get(f"emails/{result.id}")
    assert record["status"] == "sent" and record["attempts"] == 2
    assert manager.email.drain_queue(dt.datetime.now(dt.UTC)).due == 0  # nothing left to send
    assert len(sendgrid_fake.sent()) == 1


def test_production_without_a_key_records_failed_not_configured(bem_root, monkeypatch, sendgrid_fake):
    from functions.testing import unit

    unit.apply_unit_env(monkeypatch)
    monkeypatch.delenv("BEM_TESTING")
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.delenv("SENDGRID_API_KEY")
    monkeypatch.delenv("BEM_EMAIL_PROVIDER")
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST")  # production refuses to start with it (test_environment_guard)
    manager = unit.make_manager(bem_root)
    result = manager.email.send(to="ada@example.org", subject="Hi", idempotency_key="prod-no-key")
    assert (result.status, result.error) == ("failed", "not-configured")
    assert manager.db.document(f"emails/{result.id}").get().to_dict()["error"] == "not-configured"
    assert sendgrid_fake.attempts() == []


def test_without_a_key_in_testing_mail_goes_to_the_local_mailbox(manager, firestore, mailbox, ada):
    result = manager.email.send(to=ada, subject="Welcome", data=CARD, idempotency_key="signup:ada")
    assert (result.status, result.provider, result.where) == ("sent", "mailbox", f"emails-mailbox/{result.id}")
    [stored] = mailbox.to("ada@example.org")
    assert stored["subject"] == "Welcome" and "Welcome aboard" in stored["html"] and "Welcome aboard" in stored["text"]
    assert "%bem_unsubscribe_url%" not in stored["html"] and "sig=" in stored["html"]
    assert firestore.get(f"emails/{result.id}")["status"] == "sent"


def test_the_sendgrid_sdk_is_shared_per_key_and_host(sendgrid_fake):
    one = SendGrid.shared("SG.a", sendgrid_fake.url, timeout=1.0, batch_size=10)
    assert SendGrid.shared("SG.a", sendgrid_fake.url, timeout=1.0, batch_size=10) is one
    assert SendGrid.shared("SG.b", sendgrid_fake.url, timeout=1.0, batch_size=10) is not one


def test_send_at_within_the_window_is_scheduled_by_the_provider(manager, sendgrid_fake):
    send_at = int(time.time()) + 3600
    assert manager.email.send(to="ada@example.org", subject="Later", sendAt=send_at).status == "sent"
    assert sendgrid_fake.sent()[0].body["send_at"] == send_at
