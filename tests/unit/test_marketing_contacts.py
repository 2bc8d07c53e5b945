"""manager.marketing: add / sync / remove against the SendGrid Marketing and Beehiiv fakes (HTTP only)."""

from __future__ import annotations

from typing import Any

import pytest

EMAIL = "ann.lee@example.com"


def user_doc(uid: str = "u1", email: str = EMAIL, **extra: Any) -> dict:
    doc = {"auth": {"uid": uid, "email": email}, "personal": {"name": {"first": "Ann", "last": "Lee"}},
           "metadata": {"created": {"timestamp": "2024-01-02T03:04:05.000Z", "timestampUNIX": 1704164645}},
           "subscription": {"product": {"id": "basic"}, "status": "active"}}
    doc.update(extra)
    return doc


def test_add_upserts_the_contact_in_both_providers(marketing: Any) -> None:
    result = marketing.add(EMAIL, first_name="Ann", last_name="Lee", source="footer")

    assert result["success"] is True
    assert set(result["providers"]) == {"campaigns", "newsletter"}
    contact = marketing.sendgrid.contact(EMAIL)
    assert contact["first_name"] == "Ann" and contact["last_name"] == "Lee"
    subscription = marketing.beehiiv.subscription(marketing.publication, EMAIL)
    assert subscription["utm_source"] == "footer"
    assert {"name": "first_name", "value": "Ann"} in subscription["custom_fields"]


def test_sync_sends_every_resolved_field(marketing: Any, firestore: Any) -> None:
    firestore.set("users/u1", user_doc())

    result = marketing.sync("u1")

    assert result["success"] is True, result
    fields = marketing.sendgrid.contact(EMAIL)["custom_fields"]
    fid = marketing.sendgrid.field_id
    assert fields[fid("user_auth_uid")] == "u1"
    assert fields[fid("user_subscription_plan")] == "basic"
    assert fields[fid("user_subscription_ever_paid")] == "false"
    assert fields[fid("user_metadata_signup_date")] == "2024-01-02T03:04:05.000Z"
    beehiiv_fields = {f["name"]: f["value"] for f in marketing.beehiiv.subscription(marketing.publication, EMAIL)["custom_fields"]}
    assert beehiiv_fields["User UID"] == "u1" and beehiiv_fields["Plan"] == "basic"
    assert "Country" not in beehiiv_fields  # BEM's skip: ['beehiiv']


@pytest.mark.parametrize("call", ["add", "sync"])
def test_revoked_consent_blocks_add_and_sync(marketing: Any, firestore: Any, call: str) -> None:
    firestore.set("users/u1", user_doc(consent={"marketing": {"status": "revoked"}}))

    result = marketing.add(EMAIL) if call == "add" else marketing.sync("u1")

    assert result["success"] is False and result["blocked"] == "consent"
    assert marketing.sendgrid.marketing_calls("PUT") == [] and marketing.beehiiv.calls("POST") == []


def test_remove_is_never_gated(marketing: Any, firestore: Any) -> None:
    marketing.sendgrid.seed_contact(EMAIL)
    marketing.beehiiv.seed_subscription(marketing.publication, EMAIL)
    firestore.set("users/u1", user_doc(consent={"marketing": {"status": "revoked"}}))

    result = marketing.remove(EMAIL)

    assert result["success"] is True, result
    assert marketing.sendgrid.contact(EMAIL) is None
    assert marketing.beehiiv.subscription(marketing.publication, EMAIL) is None


def test_mgr_emulator_marketing_runs_both_fakes_and_shows_what_they_hold(bem_root: Any) -> None:
    import requests

    from functions.emulator.local_marketing import marketing_env, start_local_marketing

    local = start_local_marketing(bem_root, sendgrid_port=0, beehiiv_port=0)
    try:
        env = marketing_env({})
        assert env["BEM_EMAIL_PROVIDER"] == "mailbox" and env["SENDGRID_API_HOST"].startswith("http://127.0.0.1:")
        local.sendgrid.seed_contact("shown@example.com")
        local.beehiiv.seed_subscription("pub_x", "shown@example.com")
        assert "shown@example.com" in requests.get(f"{local.sendgrid.url}/_fake/marketing", timeout=5).json()["contacts"]
        assert "shown@example.com" in requests.get(f"{local.beehiiv.url}/_fake/state", timeout=5).json()["subscriptions"]["pub_x"]
        senders = requests.get(f"{local.sendgrid.url}/v3/verified_senders", headers={"Authorization": "Bearer x"}, timeout=5).json()
        assert {"offers@example.com", "newsletter@example.com"} <= {s["from_email"] for s in senders["results"]}
    finally:
        local.stop()
