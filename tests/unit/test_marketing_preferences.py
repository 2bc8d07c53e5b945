"""POST marketing/email-preferences: the signed-in toggle and the signed unsubscribe link (HMAC, SendGrid ASM)."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from functions.email import unsubscribe
from functions.testing.sendgrid_fixtures import UNSUBSCRIBE_TEST_KEY

GROUP = 24077


def real_address(firestore, account, email):
    """Test accounts' ``_test.*`` addresses never reach the providers (validation): give one a real-looking one."""
    firestore.set(f"users/{account.uid}", {"auth": {"email": email}}, merge=True)
    return email


def marketing(firestore, account):
    return firestore.get(f"users/{account.uid}")["consent"]["marketing"]


def link_settings(email, action="unsubscribe", group=GROUP, sig=None):
    return {"email": email, "asmId": str(group), "action": action, "sig": sig or unsubscribe.sign(email, UNSUBSCRIBE_TEST_KEY)}


def test_signed_in_unsubscribe_then_subscribe_writes_bem_consent_and_keeps_the_other_side(bm, firestore, accounts, sendgrid_fake):
    basic = accounts["basic"]
    email = real_address(firestore, basic, "bella.stone@example.org")
    sendgrid_fake.seed_contact(email)
    before = int(time.time())
    response = bm.as_("basic").post("marketing/email-preferences", {"action": "unsubscribe"})
    assert response.status == 200 and response.json == {"success": True, "action": "unsubscribe"}
    revoked = marketing(firestore, basic)
    assert revoked["status"] == "revoked"
    assert revoked["revokedAt"]["source"] == "account" and before <= revoked["revokedAt"]["timestampUNIX"] <= time.time() + 1
    assert revoked["revokedAt"]["ip"] and revoked["revokedAt"]["text"] is None
    assert firestore.get(f"users/{basic.uid}")["metadata"]["tag"] == "marketing/email-preferences"
    assert sendgrid_fake.contact(email) is None  # removed from SendGrid Marketing

    response = bm.as_("basic").post("marketing/email-preferences", {"action": "subscribe"})
    assert response.json == {"success": True, "action": "subscribe"}
    granted = marketing(firestore, basic)
    assert granted["status"] == "granted" and granted["grantedAt"]["source"] == "account"
    assert granted["revokedAt"] == revoked["revokedAt"]
    assert sendgrid_fake.contact(email) is not None  # synced back


@pytest.mark.parametrize("action", ["delete", "opt-in", "resubscribe"])
def test_signed_in_unknown_action_is_a_400_and_nothing_changes(bm, firestore, accounts, action):
    before = firestore.get(f"users/{accounts['basic'].uid}")
    response = bm.as_("basic").post("marketing/email-preferences", {"action": action})
    assert response.status == 400 and '"subscribe" or "unsubscribe"' in response.error
    assert firestore.get(f"users/{accounts['basic'].uid}") == before


def test_five_changes_a_month_then_429(bm, accounts):
    client = bm.as_("basic")
    statuses = [client.post("marketing/email-preferences", {"action": a}).status for a in ["unsubscribe", "subscribe"] * 3]
    assert statuses == [200] * 5 + [429]


def test_the_link_unsubscribes_the_user_suppresses_the_group_and_removes_the_contact(bm, manager, firestore, accounts, sendgrid_fake):
    premium = accounts["premium-active"]
    email = real_address(firestore, premium, "paula.reyes@example.org")
    sendgrid_fake.seed_contact(email)
    response = bm.post("marketing/email-preferences", link_settings(email.upper()))
    assert response.status == 200 and response.json == {"success": True}
    consent = marketing(firestore, premium)
    assert consent["status"] == "revoked" and consent["revokedAt"]["source"] == "sendgrid"
    assert sendgrid_fake.suppressions(GROUP) == {email}
    assert sendgrid_fake.contact(email) is None
    # consent now gates every later sync
    assert manager.marketing.sync(premium.uid)["blocked"] == "consent"

    response = bm.post("marketing/email-preferences", link_settings(email, action="subscribe"))
    assert response.json == {"success": True}
    assert marketing(firestore, premium)["status"] == "granted" and sendgrid_fake.suppressions(GROUP) == set()
    assert sendgrid_fake.contact(email) is not None


def test_the_link_for_an_address_without_a_user_still_suppresses_and_removes(bm, firestore, sendgrid_fake):
    sendgrid_fake.seed_contact("reader@example.org")
    response = bm.post("marketing/email-preferences", link_settings("reader@example.org"))
    assert response.json == {"success": True}
    assert sendgrid_fake.suppressions(GROUP) == {"reader@example.org"} and sendgrid_fake.contact("reader@example.org") is None


@pytest.mark.parametrize(("change", "status", "message"), [
    ({"sig": "0" * 64}, 403, "Invalid signature"),
    ({"sig": unsubscribe.sign("someone-else@example.org", UNSUBSCRIBE_TEST_KEY)}, 403, "Invalid signature"),
    ({"email": None}, 400, "Email is required"),
    ({"email": "not-an-email"}, 400, "Invalid email format"),
    ({"asmId": None}, 400, "ASM group ID is required"),
    ({"asmId": "abc"}, 400, "ASM group ID is required"),
    ({"action": "resubscribe"}, 400, "Invalid action"),
])
def test_a_bad_link_is_refused_and_changes_nothing(bm, firestore, accounts, sendgrid_fake, change, status, message):
    basic = accounts["basic"]
    before = firestore.get(f"users/{basic.uid}")
    settings = {k: v for k, v in {**link_settings(basic.email), **change}.items() if v is not None}
    response = bm.post("marketing/email-preferences", settings)
    assert response.status == status and message in response.error
    assert firestore.get(f"users/{basic.uid}") == before
    assert sendgrid_fake.marketing_calls() == []


def test_sendgrid_refusing_the_suppression_is_a_500(bm, accounts, sendgrid_fake):
    sendgrid_fake.fail_next(1, status=500, endpoint="/v3/asm")
    response = bm.post("marketing/email-preferences", link_settings(accounts["basic"].email))
    assert response.status == 500 and response.error == "Failed to process your request"


@pytest.mark.parametrize("groups", [{"marketing": 25928}, {}])
def test_the_list_unsubscribe_link_of_a_sent_email_round_trips(bm, manager, firestore, accounts, sendgrid_fake, groups):
    from functions.config import parse_config

    raw = manager.config.model_dump(by_alias=True, exclude_none=True)
    raw["email"]["groups"] = groups
    manager.config = parse_config(raw)
    premium = accounts["premium-active"]
    manager.email.send({"to": premium.email, "subject": "News", "html": "<p>Hi</p>", "sender": "marketing"})
    [mail] = sendgrid_fake.sent()
    [personalization] = mail.body["personalizations"]
    link = personalization["headers"]["List-Unsubscribe"].strip("<>")
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query, keep_blank_values=True).items()}
    settings = {"email": unsubscribe.decode(query["email"]), "asmId": unsubscribe.decode(query["asmId"]), "sig": query["sig"]}
    assert bm.post("marketing/email-preferences", settings).json == {"success": True}
    assert marketing(firestore, premium)["status"] == "revoked"
    assert sendgrid_fake.suppressions(25928) == ({premium.email} if groups else set())
    assert manager.marketing.sync(premium.uid)["blocked"] == "consent"
