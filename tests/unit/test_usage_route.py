"""POST test/usage and the usage stage of the pipeline, through the in-process client."""

import json

import pytest

from functions.testing import unit
from functions.testing.client import ApiClient, InProcessTransport
from functions.testing.concurrency import all_at_once

CONFIG = {
    "brand": {"id": "demo", "name": "Demo", "url": "https://example.com"},
    "payment": {
        "products": [
            {"id": "basic", "limits": {"requests": 100}},
            {"id": "premium", "limits": {"requests": 1000, "tests": 20}, "rateLimit": "monthly", "prices": {"monthly": 5}},
        ]
    },
}


@pytest.fixture
def app(manager, bem_root, tmp_path):
    """bm_api with the products above (independent of the project's config)."""
    from functions.wsgi import api_app

    config = tmp_path / "backend-manager-config.json"
    config.write_text(json.dumps(CONFIG))
    return api_app(unit.make_manager(bem_root, config_path=config))


@pytest.fixture
def bm(app, accounts):
    return ApiClient(InProcessTransport(app), accounts=accounts)


def test_consumes_for_the_user_and_reports_in_bm_properties(bm, accounts, firestore):
    response = bm.as_("basic").post("test/usage", {"name": "requests", "value": 2, "id": "demo-1"})
    assert response.status == 200
    assert response.json == {"name": "requests", "usage": {"monthly": 2, "daily": 2, "total": 2}, "limit": 100}
    assert response.properties["usage"] == {
        "current": {"requests": {"monthly": 2, "daily": 2, "total": 2}},
        "limits": {"requests": 100},
    }
    stored = firestore.get(f"users/{accounts['basic'].uid}")["usage"]["requests"]
    assert stored["total"] == 2 and stored["last"]["id"] == "demo-1"


def test_over_the_daily_cap_answers_429_naming_metric_and_reset(bm):
    client = bm.as_("basic")
    statuses = [client.post("test/usage", {"name": "requests"}).status for _ in range(4)]
    refused = client.post("test/usage", {"name": "requests"})
    assert statuses == [200, 200, 200, 200]  # basic: 100 a month, ceil(100/days) = 4 a day
    assert refused.status == 429
    assert refused.json["error"]["code"] == "resource-exhausted"
    assert "'requests'" in refused.error and "daily cap of 4" in refused.error and "T00:00:00Z" in refused.error


def test_metric_without_a_limit_answers_403(bm):
    response = bm.as_("basic").post("test/usage", {"name": "exports"})
    assert response.status == 403
    assert response.error == "no limit configured for metric exports on plan basic"


def test_anonymous_callers_are_keyed_by_the_ip_the_front_end_appended(bm, firestore):
    # Google's front end appends the address it saw; what a client puts to its left is ignored
    plain = bm.post("test/usage", {"name": "requests"}, headers={"X-Forwarded-For": "198.51.100.20"})
    spoofed = bm.post("test/usage", {"name": "requests"}, headers={"X-Forwarded-For": "10.0.0.1, 198.51.100.20"})
    assert (plain.status, spoofed.status) == (200, 200)
    assert spoofed.json["usage"]["daily"] == 2
    assert firestore.get("usage/198.51.100.20")["requests"]["daily"] == 2
    assert not firestore.exists("usage/10.0.0.1")
    assert firestore.get(f"users/{'_test-basic'}").get("usage", {}) == {}


def test_invalid_metric_name_is_a_400(bm):
    response = bm.as_("basic").post("test/usage", {"name": "a.b/c"})
    assert response.status == 400
    assert response.json["error"]["field"] == "name"


def test_route_is_absent_in_production(manager, bem_root, monkeypatch):
    monkeypatch.setenv("BEM_TESTING", "false")
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST")  # production refuses to start with it (test_environment_guard)
    production = unit.make_manager(bem_root)
    response = unit.unit_client(production, {}).post("test/usage", {"name": "requests"})
    assert response.status == 404


def test_fifty_concurrent_requests_against_a_limit_of_twenty(app, accounts, firestore):
    def request() -> int:
        client = ApiClient(InProcessTransport(app), accounts=accounts).as_("premium-active")  # tests: 20 a month
        return client.post("test/usage", {"name": "tests"}).status

    statuses = all_at_once(50, request)
    assert statuses.count(200) == 20
    assert statuses.count(429) == 30
    stored = firestore.get(f"users/{accounts['premium-active'].uid}")["usage"]["tests"]
    assert (stored["monthly"], stored["daily"], stored["total"]) == (20, 20, 20)


def test_unused_anonymous_meter_reads_nothing(bm, manager):
    reads = manager.db.stats["reads"]  # the same in-memory store the app uses
    response = bm.post("general/uuid", {"version": 4})
    assert response.status == 200
    assert response.properties["usage"] == {"current": {}, "limits": {"requests": 100}}
    assert manager.db.stats["reads"] == reads


def test_bems_amount_body_counts_requests_without_the_cap(bm, firestore, accounts):
    """BEM's test/usage.js: default 1, then 5, then twice more; counts add up and persist."""
    client = bm.as_("basic")
    first = client.post("test/usage", {}).json
    assert (first["metric"], first["amount"], first["authenticated"]) == ("requests", 1, True)
    assert first["after"] == {counter: first["before"][counter] + 1 for counter in ("monthly", "daily", "total")}
    custom = client.post("test/usage", {"amount": 5}).json
    assert custom["after"]["total"] == first["after"]["total"] + 5
    for _ in range(2):  # beyond basic's daily cap of 4: BEM's increment does not check it
        assert client.post("test/usage", {}).status == 200
    stored = firestore.get(f"users/{accounts['basic'].uid}")["usage"]["requests"]
    assert stored["total"] == first["after"]["total"] + 7
    assert stored["last"]["timestampUNIX"] > 0
