"""User routes: POST user/signup and DELETE user."""

from __future__ import annotations

import pytest

from functions.testing import unit
from functions.testing.tokens import emulator_id_token


@pytest.fixture
def new_user(bm, manager):
    """A client for a just-created Auth account (no document yet; the first call provisions it)."""

    def make(uid: str, email: str | None = None):
        email = email or f"{uid}@example.com"
        manager.services["auth_admin"].add(uid, email)
        return bm.as_(emulator_id_token(uid, email=email, project=unit.PROJECT))

    return make


# signup ------------------------------------------------------------------------------------
def test_signup_marks_the_account_processed_and_a_second_call_is_refused(bm, firestore, new_user):
    client = new_user("u-signup")
    first = client.post("user/signup", {"attribution": {"utm": {"tags": {"utm_source": "newsletter"}}}})
    assert first.status == 200, first.text
    assert first.json["signedUp"] is True
    doc = firestore.get("users/u-signup")
    assert doc["flags"]["signupProcessed"] is True
    assert doc["attribution"]["utm"]["tags"] == {"utm_source": "newsletter"}
    again = client.post("user/signup", {})
    assert again.status == 400
    assert again.error == "Signup has already been processed"


def test_signup_records_the_request_activity(bm, firestore, new_user):
    response = new_user("u-activity").post(
        "user/signup", {}, headers={"User-Agent": "pytest-browser", "Accept-Language": "de-DE,de;q=0.9"})
    assert response.status == 200
    client = firestore.get("users/u-activity")["activity"]["client"]
    assert (client["userAgent"], client["language"]) == ("pytest-browser", "de-DE")


def test_signup_credits_the_referrer_of_an_affiliate_code(bm, firestore, accounts, new_user):
    referrer = accounts["basic"]
    code = firestore.get(f"users/{referrer.uid}")["affiliate"]["code"]
    response = new_user("u-referred").post("user/signup", {"attribution": {"affiliate": {"code": code, "page": "/pricing"}}})
    assert response.json == {"signedUp": True, "referred": True}
    referrals = firestore.get(f"users/{referrer.uid}")["affiliate"]["referrals"]
    assert [r["uid"] for r in referrals] == ["u-referred"]
    assert referrals[0]["timestamp"].endswith("Z")
    affiliate = firestore.get("users/u-referred")["attribution"]["affiliate"]
    assert (affiliate["code"], affiliate["page"]) == (code, "/pricing")


def test_signup_accepts_bems_legacy_affiliate_code_through_the_legacy_command(bm, firestore, accounts, new_user):
    code = firestore.get(f"users/{accounts['admin'].uid}")["affiliate"]["code"]
    response = new_user("u-legacy").command("user:sign-up", {"affiliateCode": code})
    assert response.status == 200, response.text
    assert [r["uid"] for r in firestore.get(f"users/{accounts['admin'].uid}")["affiliate"]["referrals"]] == ["u-legacy"]
    assert firestore.get("users/u-legacy")["attribution"]["affiliate"]["code"] == code


def test_disposable_addresses_earn_their_referrer_nothing(bm, firestore, accounts, new_user):
    referrer = accounts["basic"]
    code = firestore.get(f"users/{referrer.uid}")["affiliate"]["code"]
    response = new_user("u-throwaway", "x@mailinator.com").post("user/signup", {"attribution": {"affiliate": {"code": code}}})
    assert response.json == {"signedUp": True, "referred": False}
    assert firestore.get(f"users/{referrer.uid}")["affiliate"]["referrals"] == []


def test_unknown_affiliate_code_is_recorded_but_credits_nobody(bm, firestore, new_user):
    response = new_user("u-unknown-code").post("user/signup", {"attribution": {"affiliate": {"code": "nobody"}}})
    assert response.json == {"signedUp": True, "referred": False}


def test_signup_records_consent_in_bems_shape_stamped_with_the_auth_creation_time(bm, firestore, manager, new_user):
    consent = {"legal": {"granted": True, "text": "I accept the terms"}, "marketing": {"granted": False}}
    client = new_user("u-consent")
    created = manager.services["auth_admin"].get_user("u-consent").created
    assert client.post("user/signup", {"consent": consent}, headers={"X-Forwarded-For": "203.0.113.9"}).status == 200
    doc = firestore.get("users/u-consent")
    legal, marketing = doc["consent"]["legal"], doc["consent"]["marketing"]
    assert legal == {"status": "granted", "grantedAt": {
        "timestamp": created.timestamp, "timestampUNIX": created.timestamp_unix, "source": "signup", "ip": legal["grantedAt"]["ip"],
        "text": "I accept the terms"}}
    assert "revokedAt" not in legal
    assert marketing["status"] == "revoked"
    assert marketing["grantedAt"] == {"timestamp": None, "timestampUNIX": None, "source": None, "ip": None, "text": None}
    assert (marketing["revokedAt"]["source"], marketing["revokedAt"]["timestampUNIX"]) == ("signup", created.timestamp_unix)
    assert doc["metadata"]["created"] == created.dump()
    assert doc["metadata"]["tag"] == "user/signup"


def test_signup_merges_the_client_context_into_activity(bm, firestore, new_user):
    context = {"geolocation": {"country": "DE"}, "client": {"device": "desktop", "userAgent": "from-client"}, "page": "/signup"}
    response = new_user("u-context").post("user/signup", {"context": context}, headers={"User-Agent": "from-request"})
    assert response.status == 200
    activity = firestore.get("users/u-context")["activity"]
    assert activity["page"] == "/signup"
    assert activity["geolocation"]["country"] == "DE"
    assert (activity["client"]["device"], activity["client"]["userAgent"]) == ("desktop", "from-client")


def test_signup_writes_every_leaf_of_bems_default_document(bm, firestore, new_user):
    client = new_user("u-complete")
    assert client.get("user").status == 200
    firestore.set("users/u-complete", {"personal": None, "custom": {"kept": True}}, merge=True)
    assert client.post("user/signup", {}).status == 200
    doc = firestore.get("users/u-complete")
    assert doc["custom"] == {"kept": True}
    assert doc["personal"] is None  # a stored value is never replaced by sign-up
    assert doc["consent"]["marketing"]["revokedAt"]["source"] == "signup"
    assert set(doc["activity"]["client"]) >= {"language", "mobile", "device", "platform", "browser", "userAgent", "url"}


def test_a_granted_consent_is_never_downgraded_by_signup(bm, firestore, accounts, new_user):
    client = new_user("u-granted")
    assert client.get("user").status == 200  # provisions the document
    when = {"timestamp": "2024-01-01T00:00:00.000Z", "timestampUNIX": 1704067200, "source": "imported", "ip": None, "text": "Yes"}
    empty = {"timestamp": None, "timestampUNIX": None, "source": None, "ip": None, "text": None}
    granted = {"status": "granted", "grantedAt": when, "revokedAt": empty}
    firestore.set("users/u-granted", {"consent": {"marketing": granted}}, merge=True)
    response = client.post("user/signup", {"consent": {"legal": {"granted": True}, "marketing": {"granted": False}}})
    assert response.status == 200
    stored = firestore.get("users/u-granted")["consent"]
    assert stored["marketing"] == granted
    assert stored["legal"]["status"] == "granted"


def test_signup_refuses_a_consent_decision_that_is_not_a_boolean(bm, new_user):
    response = new_user("u-truthy").post("user/signup", {"consent": {"marketing": {"granted": "true"}}})
    assert response.status == 400
    assert "consent.marketing.granted" in response.error


def test_signup_names_the_field_of_bad_input(bm, new_user):
    response = new_user("u-bad").post("user/signup", {"consent": {"legal": {"granted": "perhaps"}}})
    assert response.status == 400
    assert "consent.legal.granted" in response.error


def test_signup_needs_a_user(bm):
    assert bm.post("user/signup", {}).status == 401


def test_signup_for_someone_else_needs_admin(bm, accounts):
    assert bm.as_("basic").post("user/signup", {"uid": accounts["admin"].uid}).status == 403


# delete --------------------------------------------------------------------------------------
@pytest.mark.parametrize("account", ["premium-active", "premium-cancelling", "premium-suspended"])
def test_delete_is_refused_while_a_paid_subscription_is_attached(bm, firestore, accounts, auth_admin, account):
    response = bm.as_(account).delete("user")
    assert response.status == 409
    assert "cancel the paid subscription" in response.error
    assert firestore.get(f"users/{accounts[account].uid}") is not None
    assert ("delete_user", accounts[account].uid) not in auth_admin.calls


def test_delete_removes_the_auth_user_and_the_document(bm, firestore, accounts, auth_admin):
    uid = accounts["basic"].uid
    response = bm.as_("basic").delete("user")
    assert response.status == 200, response.text
    assert response.json["success"] is True
    assert auth_admin.get_user(uid) is None
    assert ("revoke_refresh_tokens", uid) in auth_admin.calls
    assert firestore.get(f"users/{uid}") is None


def test_delete_is_allowed_after_the_subscription_ended(bm, accounts, auth_admin):
    assert bm.as_("premium-expired").delete("user").status == 200


def test_admin_deletes_another_user_but_users_cannot(bm, firestore, accounts, auth_admin):
    target = accounts["basic"].uid
    assert bm.as_("premium-expired").delete("user", {"uid": target}).status == 403
    assert bm.as_("admin").delete("user", {"uid": target}).status == 200
    assert firestore.get(f"users/{target}") is None


def test_delete_of_an_unknown_user_is_404(bm, auth_admin):
    assert bm.as_("admin").delete("user", {"uid": "nobody"}).status == 404


def test_concurrent_signups_complete_once(bm, firestore, new_user):
    from functions.testing.concurrency import all_at_once

    client = new_user("u-race")
    assert client.get("user").status == 200
    statuses = all_at_once(8, lambda: client.post("user/signup", {"consent": {"legal": {"granted": True}}}).status)
    assert sorted(statuses) == [200] + [400] * 7
    assert firestore.get("users/u-race")["consent"]["legal"]["status"] == "granted"


def test_signup_waits_for_the_document_on_create_is_still_writing(bm, manager, firestore):
    import threading

    manager.services["auth_admin"].add("u-late", "late@example.com")
    firestore.set("users/u-late", {"flags": {}})  # on-create has not filled auth.uid yet
    threading.Timer(0.6, lambda: firestore.set("users/u-late", {"auth": {"uid": "u-late"}}, merge=True)).start()
    response = bm.as_("admin").post("user/signup", {"uid": "u-late"})
    assert response.status == 200, response.text
    assert firestore.get("users/u-late")["flags"]["signupProcessed"] is True
