"""manager.marketing in detail: address checks, batching, provider failures and timeouts, campaigns,
and what happens without keys (local record in development, not-configured in production)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.marketing.campaign import CampaignInputError
from functions.marketing.validation import validate_address
from functions.testing.fake_server import FakeServer


# address checks ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("email", "reason", "suggestion"), [
    ("not-an-address", "format", None),
    ("two@@example.com", "format", None),
    ("ann@mailinator.com", "disposable", None),
    ("ann@sub.mailinator.com", "disposable", None),
    ("ann@facebook.com", "corporate", None),
    ("noreply@example.com", "localPart", None),
    ("test+promo@example.com", "localPart", None),
    ("aaaa@example.com", "localPart", None),
    ("_test.basic@example.com", "localPart", None),
    ("ann@gamil.com", "typo", "ann@gmail.com"),
    ("ann@hotmail.con", "typo", "ann@hotmail.com"),
    ("ann@gmailx.com", "typo", None),
])
def test_bad_addresses_name_the_failed_check(email: str, reason: str, suggestion: str | None) -> None:
    check = validate_address(email)
    assert (check.valid, check.reason, check.suggestion) == (False, reason, suggestion)


@pytest.mark.parametrize("email", ["ann.lee@example.com", "first.last+news@gmail.com", "_test.allow_live@example.com"])
def test_good_addresses_pass(email: str) -> None:
    assert validate_address(email).valid


def test_config_disposable_domains_count() -> None:
    assert validate_address("ann@spam-box.test", extra_disposable=["spam-box.test"]).reason == "disposable"


class NeverBounceFake(FakeServer):
    thread_name = "neverbounce-fake"
    quiet = True

    def __init__(self) -> None:
        self.host, self.port, self._server, self.checked = "127.0.0.1", 0, None, []

    def _wsgi(self, environ: dict, start_response: Any) -> Any:
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        email = request.args.get("email", "")
        self.checked.append(email)
        if email.startswith("broken"):
            return Response("oops", status=500)(environ, start_response)
        result = "invalid" if email.startswith("gone") else "valid"
        return Response(json.dumps({"status": "success", "result": result}), mimetype="application/json")(environ, start_response)


def test_the_mailbox_check_runs_only_with_a_key_and_a_service_error_never_rejects(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = NeverBounceFake().start()
    try:
        monkeypatch.delenv("NEVERBOUNCE_API_KEY", raising=False)
        monkeypatch.delenv("ZEROBOUNCE_API_KEY", raising=False)
        monkeypatch.setenv("NEVERBOUNCE_API_BASE", fake.url)
        assert validate_address("gone@example.com", check_mailbox=True).valid and fake.checked == []
        monkeypatch.setenv("NEVERBOUNCE_API_KEY", "nb-test")
        gone = validate_address("gone@example.com", check_mailbox=True)
        assert (gone.valid, gone.reason) == (False, "mailbox")
        assert validate_address("broken@example.com", check_mailbox=True).valid
        assert validate_address("here@example.com", check_mailbox=True).valid
        assert fake.checked == ["gone@example.com", "broken@example.com", "here@example.com"]
    finally:
        fake.stop()


# batching ----------------------------------------------------------------------------------------
def users(count: int, **extra: Any) -> list[dict]:
    return [{"auth": {"uid": f"u{i}", "email": f"member{i}@example.com"}, **extra} for i in range(count)]


def test_sync_many_makes_one_call_per_thousand_contacts_per_provider(marketing: Any) -> None:
    revoked = users(3, consent={"marketing": {"status": "revoked"}})
    for doc in revoked:
        doc["auth"]["email"] = doc["auth"]["email"].replace("member", "gone")
    result = marketing.sync_many([*users(2002), *revoked, {"auth": {"uid": "x", "email": "noreply@example.com"}}])

    assert result["success"] is True and result["synced"] == 2002
    assert result["skipped"] == {"consent": 3, "validation": 1}
    puts = marketing.sendgrid.marketing_calls("PUT", "/v3/marketing/contacts")
    assert [len(c.body["contacts"]) for c in puts] == [1000, 1000, 2]
    bulk = marketing.beehiiv.calls("POST", "/v2/publications/pub_test/bulk_subscriptions")
    assert [len(c.body["subscriptions"]) for c in bulk] == [1000, 1000, 2]
    assert result["calls"] == {"campaigns": 3, "newsletter": 3}
    assert len(marketing.sendgrid.contacts()) == 2002 and len(marketing.beehiiv.subscriptions("pub_test")) == 2002


# provider failures -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "retry"), [(400, False), (500, True)])
def test_a_provider_error_is_a_clear_failure_and_the_other_provider_still_succeeds(marketing: Any, status: int, retry: bool) -> None:
    marketing.sendgrid.fail_next(1, status=status, endpoint="/v3/marketing/contacts")

    result = marketing.add("ann.lee@example.com")

    failed = result["providers"]["campaigns"]
    assert result["success"] is False and failed["success"] is False
    assert failed["status"] == status and f"PUT /v3/marketing/contacts: {status}" in failed["error"]
    assert failed.get("retry", False) is retry
    assert result["providers"]["newsletter"]["success"] is True


def test_a_provider_timeout_is_a_failure_not_a_hang(marketing: Any) -> None:
    marketing.beehiiv.timeout_next(1, seconds=1.5)

    result = marketing.add("ann.lee@example.com")

    failed = result["providers"]["newsletter"]
    assert failed["success"] is False and "unreachable" in failed["error"] and failed["retry"] is True
    assert result["providers"]["campaigns"]["success"] is True


def test_a_beehiiv_rejection_names_its_reason(marketing: Any) -> None:
    marketing.beehiiv.fail_next(1, status=422)
    failed = marketing.add("ann.lee@example.com")["providers"]["newsletter"]
    assert failed["status"] == 422 and "Simulated rejection" in failed["error"]


def test_remove_of_an_unknown_contact_is_a_success_that_says_so(marketing: Any) -> None:
    result = marketing.remove("nobody@example.com")
    assert result["success"] is True
    assert result["providers"]["campaigns"]["skipped"] and result["providers"]["newsletter"]["skipped"]


def test_providers_can_be_chosen_by_bem_name_or_alias(marketing: Any) -> None:
    assert marketing.enabled_providers() == ["campaigns", "newsletter"]
    assert set(marketing.add("ann.lee@example.com", providers=["beehiiv"])["providers"]) == {"newsletter"}
    assert marketing.sendgrid.marketing_calls("PUT") == []


# campaigns -----------------------------------------------------------------------------------------
CAMPAIGN = {"name": "{brand.name} news", "subject": "News from {brand.name}", "preheader": "Fresh",
            "segments": ["subscription_free"], "excludeSegments": ["subscription_churned_trial"], "sendAt": "now",
            "data": {"content": {"message": "**Hello** [site](https://example.com/pricing)"}}}


def test_a_campaign_is_one_single_send_and_one_post_for_the_whole_segment(marketing: Any, manager: Any) -> None:
    marketing.sendgrid.set_segment_members("subscription_free", [f"free{i}@example.com" for i in range(50)])

    results = marketing.send_campaign(CAMPAIGN, idempotency_key="campaign:c1:1")

    assert results["campaigns"]["success"] and results["campaigns"]["scheduled"] is True
    assert results["newsletter"]["success"]
    [single_send] = marketing.sendgrid.single_sends().values()
    body = single_send["body"]
    brand = manager.config.brand.name
    assert body["name"] == f"{brand} news" and body["email_config"]["subject"] == f"News from {brand}"
    assert "<strong>Hello</strong>" in body["email_config"]["html_content"]
    assert "<%asm_group_unsubscribe_raw_url%>" in body["email_config"]["html_content"] or body["email_config"].get("custom_unsubscribe_url")
    assert single_send["status"] == "scheduled" and single_send["send_at"] == "now"
    temp_segments = [c for c in marketing.sendgrid.marketing_calls("POST", "/v3/marketing/segments/2.0")]
    assert len(temp_segments) == 2 and "\"brand_id\" = " in temp_segments[0].body["query_dsl"]
    assert not any(s["name"].startswith("__temp_") for s in marketing.sendgrid.segments().values())  # cleaned up
    [post] = marketing.beehiiv.posts("pub_test")
    assert post["recipients"] == {"segment_ids": ["seg_subscription_free"], "exclude_segment_ids": ["seg_subscription_churned_trial"]}
    assert post["email_settings"] == {"subject_line": f"News from {brand}", "preview_text": "Fresh"}
    assert "utm_source=" in post["body_content"]
    assert len(marketing.sendgrid.marketing_calls("POST", "/v3/marketing/singlesends")) == 1


def test_the_same_idempotency_key_never_sends_twice_but_a_failed_provider_is_retried(marketing: Any) -> None:
    marketing.beehiiv.fail_next(1, status=503)
    first = marketing.send_campaign(CAMPAIGN, idempotency_key="campaign:c2:1")
    assert first["campaigns"]["success"] and not first["newsletter"]["success"]

    second = marketing.send_campaign(CAMPAIGN, idempotency_key="campaign:c2:1")

    assert second["campaigns"]["duplicate"] is True and second["campaigns"]["id"] == first["campaigns"]["id"]
    assert second["newsletter"]["success"] is True
    assert len(marketing.sendgrid.single_sends()) == 1 and len(marketing.beehiiv.posts("pub_test")) == 1
    third = marketing.send_campaign(CAMPAIGN, idempotency_key="campaign:c2:1")
    assert third["newsletter"]["duplicate"] is True and len(marketing.beehiiv.posts("pub_test")) == 1


def test_test_mode_targets_only_the_test_admin_segment(marketing: Any) -> None:
    marketing.send_campaign({**CAMPAIGN, "test": True, "providers": ["campaigns"]}, idempotency_key="campaign:c3:test")
    [single_send] = marketing.sendgrid.single_sends().values()
    assert single_send["body"]["name"].startswith("[TEST] ")
    [temp] = marketing.sendgrid.marketing_calls("POST", "/v3/marketing/segments/2.0")
    assert "test_admin" in temp.body["query_dsl"] and "brand_id" not in temp.body["query_dsl"]
    assert marketing.beehiiv.posts("pub_test") == []


@pytest.mark.parametrize(("change", "field"), [
    ({"segments": ["nobody_segment"]}, "segments"),
    ({"sendAt": "next tuesday"}, "sendAt"),
    ({"subject": ""}, "subject"),
    ({"data": {}}, "data.content.message"),
])
def test_bad_campaign_settings_are_a_400_naming_the_field_and_nothing_is_sent(marketing: Any, change: dict, field: str) -> None:
    with pytest.raises(CampaignInputError) as raised:
        marketing.send_campaign({**CAMPAIGN, **change}, idempotency_key="campaign:bad")
    assert raised.value.field == field and raised.value.status == 400
    assert marketing.sendgrid.single_sends() == {} and marketing.beehiiv.posts("pub_test") == []


def test_a_sender_without_a_verified_identity_fails_clearly(marketing: Any) -> None:
    result = marketing.send_campaign({**CAMPAIGN, "from": "stranger@elsewhere.example", "providers": ["campaigns"]},
                                     idempotency_key="campaign:c4:1")
    assert result["campaigns"]["success"] is False and "Sender Identity" in result["campaigns"]["error"]


# without keys -------------------------------------------------------------------------------------
def test_in_development_without_keys_calls_are_recorded_locally(manager: Any, firestore: Any) -> None:
    result = manager.marketing.add("ann.lee@example.com", first_name="Ann")

    answer = result["providers"]["campaigns"]
    assert answer["local"] is True and answer["where"].startswith("marketing-local/")
    record = firestore.get(answer["where"])
    assert (record["provider"], record["action"], record["emails"]) == ("campaigns", "upsert", ["ann.lee@example.com"])
    sent = manager.marketing.send_campaign(CAMPAIGN, idempotency_key="campaign:local:1")
    assert firestore.get(sent["campaigns"]["mailbox"])["subject"].startswith("News from")


def test_in_production_without_keys_every_call_is_not_configured(bem_root: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from functions.testing import unit

    unit.apply_unit_env(monkeypatch)
    monkeypatch.delenv("BEM_TESTING")
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST")
    for name in ("SENDGRID_API_KEY", "BEEHIIV_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    manager = unit.make_manager(bem_root)

    result = manager.marketing.add("ann.lee@example.com")

    assert result["success"] is False
    assert result["providers"]["campaigns"] == {"success": False, "error": "not-configured"}
    assert list(manager.db.collection("marketing-local").stream()) == []


def test_asm_group_suppressions_are_added_and_deleted(marketing: Any, manager: Any) -> None:
    from functions.marketing.providers import choose

    client = choose(manager, "campaigns").client
    assert client.suppress(25928, ["Ann.Lee@example.com"])["success"] is True
    assert marketing.sendgrid.suppressions(25928) == {"ann.lee@example.com"}
    assert client.unsuppress(25928, "ann.lee@example.com")["success"] is True
    assert marketing.sendgrid.suppressions(25928) == set()
    [added, deleted] = marketing.sendgrid.marketing_calls(prefix="/v3/asm/groups/25928/suppressions")
    assert added.body == {"recipient_emails": ["Ann.Lee@example.com"]} and deleted.method == "DELETE"
