"""E-mail on the Emulator Suite: the emulated functions deliver to the local mailbox (no SendGrid key),
the queue survives a provider outage and is drained by the real cron job, the links are signed."""

import secrets
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from functions.email import unsubscribe
from functions.testing.sendgrid_fixtures import UNSUBSCRIBE_TEST_KEY
from functions.testing.unit import ADMIN_KEY

pytestmark = pytest.mark.emulator


def mailbox_to(firestore, email):
    return [m for m in firestore.list("emails-mailbox").values() if m["to"][0]["email"] == email]


def test_admin_email_lands_in_the_local_mailbox_with_a_signed_unsubscribe_link(bm, firestore, wait_for):
    address = f"mailbox-{secrets.token_hex(4)}@bem-test.dev"
    response = bm.with_admin_key(ADMIN_KEY).post("admin/email", {
        "to": address, "subject": "Hello from the emulator", "sender": "hello",
        "data": {"content": {"title": "Local mail", "message": "Visible **locally**."}}})
    assert response.status == 200, response.text
    assert (response.json["status"], response.json["provider"]) == ("sent", "mailbox")
    [message] = mailbox_to(firestore, address)
    assert message["subject"] == "Hello from the emulator" and "Visible <strong>locally</strong>." in message["html"]
    assert "Visible locally." in message["text"] and message["from"]["email"] == "hello@example.com"
    link = message["headers"]["List-Unsubscribe"].strip("<>")
    query = parse_qs(urlsplit(link).query)
    assert unsubscribe.decode(query["email"][0]) == address
    assert unsubscribe.verify(address, query["sig"][0], UNSUBSCRIBE_TEST_KEY)
    assert link in message["html"].replace("&amp;", "&")
    record = firestore.get(f"emails/{response.json['id']}")
    assert record["status"] == "sent" and record["provider"] == "mailbox"


def test_admin_email_bad_input_is_a_400_and_nothing_lands(bm, firestore):
    address = f"bad-{secrets.token_hex(4)}@bem-test.dev"
    response = bm.with_admin_key(ADMIN_KEY).post("admin/email", {"to": address, "subject": "x", "template": "nope"})
    assert response.status == 400 and "Invalid value for template" in response.error
    assert mailbox_to(firestore, address) == []


def test_general_email_lands_in_the_local_mailbox(bm, firestore):
    address = f"download-{secrets.token_hex(4)}@bem-test.dev"
    response = bm.post("general/email", {"id": "general:download-app-link", "email": address, "name": "Ada"})
    assert response.status == 200 and response.json == {"success": True}
    [message] = mailbox_to(firestore, address)
    assert message["subject"] == "Ada, your Demo App download link is ready!" and "https://example.com/download" in message["html"]


def test_a_provider_outage_is_queued_and_the_cron_job_delivers_it_once(manager, firestore, sendgrid_fake, run_cron):
    address = f"outage-{secrets.token_hex(4)}@bem-test.dev"
    sendgrid_fake.fail_next(1, status=503)
    result = manager.email.send(to=address, subject="Retry me", idempotency_key=f"outage:{address}")
    assert result.status == "retrying" and len(sendgrid_fake.attempts()) == 1
    item = firestore.get(f"emails-queue/{result.id}")
    assert (item["status"], item["retries"]) == ("pending", 1) and "503" in item["lastError"]
    assert manager.email.send(to=address, subject="Retry me", idempotency_key=f"outage:{address}").duplicate
    jobs = run_cron("email-queue")["results"]  # the emulated bm_cronFrequent job (local mailbox there)
    assert jobs[0]["status"] == "ok" and jobs[0]["result"]["sent"] >= 1
    [message] = mailbox_to(firestore, address)
    assert message["subject"] == "Retry me"
    assert firestore.get(f"emails/{result.id}")["status"] == "sent"
    assert firestore.get(f"emails-queue/{result.id}")["status"] == "claimed"
    run_cron("email-queue")
    assert len(mailbox_to(firestore, address)) == 1


def test_a_far_send_at_waits_in_the_queue(manager, firestore, sendgrid_fake, run_cron):
    address = f"later-{secrets.token_hex(4)}@bem-test.dev"
    result = manager.email.send(to=address, subject="Next week", sendAt=int(time.time()) + 7 * 86400)
    assert result.status == "queued" and sendgrid_fake.attempts() == []
    run_cron("email-queue")
    assert firestore.get(f"emails-queue/{result.id}")["status"] == "pending" and mailbox_to(firestore, address) == []
