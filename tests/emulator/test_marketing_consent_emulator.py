"""Marketing consent on the Emulator Suite: an e-mail's List-Unsubscribe link revokes consent, removes the contact
(the SendGrid fake the functions call) and every later sync is refused; a SendGrid event batch revokes consent
once, even delivered twice."""

import secrets
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from functions.email import unsubscribe
from functions.testing.test_env import WEBHOOK_KEY
from functions.testing.unit import ADMIN_KEY

pytestmark = pytest.mark.emulator


def a_user(firestore, name):
    """A user who granted marketing consent, with an address the providers accept."""
    uid, email = f"consent-{secrets.token_hex(6)}", f"{name}.{secrets.token_hex(3)}@example.org"
    granted = {"timestamp": "2026-01-01T00:00:00.000Z", "timestampUNIX": 1767225600, "source": "signup", "ip": None, "text": None}
    firestore.set(f"users/{uid}", {"auth": {"uid": uid, "email": email}, "consent": {"marketing": {"status": "granted", "grantedAt": granted}}})
    return uid, email


def test_the_list_unsubscribe_link_revokes_consent_and_later_syncs_are_refused(bm, firestore, sendgrid_fake):
    uid, email = a_user(firestore, "lena.park")
    admin = bm.with_admin_key(ADMIN_KEY)
    assert admin.put("marketing/contact", {"uid": uid}).json["providers"]["campaigns"]["success"] is True
    assert sendgrid_fake.contact(email) is not None
    sent = admin.post("admin/email", {"to": email, "subject": "News", "sender": "marketing",
                                      "data": {"content": {"title": "Hi", "message": "News."}}})
    assert sent.status == 200, sent.text
    [message] = [m for m in firestore.list("emails-mailbox").values() if m["to"][0]["email"] == email]
    query = {k: v[0] for k, v in parse_qs(urlsplit(message["headers"]["List-Unsubscribe"].strip("<>")).query,
                                          keep_blank_values=True).items()}
    # what the brand's /portal/email-preferences page posts: the link's values, decoded
    settings = {"email": unsubscribe.decode(query["email"]), "asmId": unsubscribe.decode(query["asmId"]), "sig": query["sig"]}
    response = bm.post("marketing/email-preferences", settings)
    assert response.status == 200 and response.json == {"success": True}
    consent = firestore.get(f"users/{uid}")["consent"]["marketing"]
    assert consent["status"] == "revoked" and consent["revokedAt"]["source"] == "sendgrid"
    assert consent["grantedAt"]["source"] == "signup"
    assert sendgrid_fake.contact(email) is None
    assert admin.put("marketing/contact", {"uid": uid}).json == {"success": True, "providers": {}, "blocked": "consent"}
    assert sendgrid_fake.contact(email) is None and len(sendgrid_fake.marketing_calls("PUT")) == 1  # the sync before only
    tampered = {**settings, "sig": unsubscribe.sign("someone@example.org", "wrong-key")}
    assert bm.post("marketing/email-preferences", tampered).status == 403


def test_a_sendgrid_batch_revokes_once_even_when_delivered_twice(bm, firestore):
    uid, email = a_user(firestore, "omar.haddad")
    ts = int(time.time()) - 30
    batch = [{"sg_event_id": f"sg-{secrets.token_hex(4)}", "event": "group_unsubscribe", "email": email, "timestamp": ts},
             {"sg_event_id": f"sg-{secrets.token_hex(4)}", "event": "open", "email": email, "timestamp": ts},
             {"event": "bounce", "email": email, "timestamp": ts, "bounce_classification": "Technical Failure"},
             {"event": "spamreport", "email": f"nobody-{secrets.token_hex(3)}@example.org", "timestamp": ts}]
    query = {"provider": "sendgrid", "key": WEBHOOK_KEY}
    first = bm.post("marketing/webhook", batch, query=query)
    assert first.status == 200 and first.json == {"received": True, "processed": 2, "skipped": 2, "failed": 0}
    stored = firestore.get(f"users/{uid}")
    assert stored["consent"]["marketing"]["revokedAt"]["timestampUNIX"] == ts
    assert stored["consent"]["marketing"]["revokedAt"]["source"] == "sendgrid"
    again = bm.post("marketing/webhook", batch, query=query)
    assert again.json == first.json and firestore.get(f"users/{uid}") == stored
    assert bm.post("marketing/webhook", batch, query={**query, "key": "wrong"}).status == 401
