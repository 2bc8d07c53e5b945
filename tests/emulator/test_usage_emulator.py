"""Usage metering against the Firebase Emulator Suite: real transactions under contention.

Needs the project config to give the basic product ``limits.tests = 20`` with
``rateLimit: "monthly"`` (so the whole 20 fit in one day).
"""

from __future__ import annotations

import pytest

from functions.testing.concurrency import all_at_once

pytestmark = pytest.mark.emulator

LIMIT = 20
REQUESTS = 50


@pytest.fixture
def fresh_counters(firestore, accounts):
    from google.cloud.firestore_v1 import DELETE_FIELD

    path = f"users/{accounts['basic'].uid}"
    firestore.db.document(path).update({"usage.tests": DELETE_FIELD, "usageActive": DELETE_FIELD})
    return path


def test_basic_product_meters_tests_monthly(manager):
    basic = manager.config.payment.basic
    assert (basic.limit("tests"), basic.rate_limit) == (LIMIT, "monthly"), "config: basic needs limits.tests=20, rateLimit monthly"


def test_fifty_concurrent_requests_against_a_limit_of_twenty(bm, firestore, fresh_counters):
    client = bm.as_("basic")

    def consume() -> int:
        return client.post("test/usage", {"name": "tests"}).status

    statuses = all_at_once(REQUESTS, consume)

    assert statuses.count(200) == LIMIT, statuses
    assert statuses.count(429) == REQUESTS - LIMIT, statuses
    stored = firestore.get(fresh_counters)["usage"]["tests"]
    assert (stored["monthly"], stored["daily"], stored["total"]) == (LIMIT, LIMIT, LIMIT)


def test_admin_cron_resets_through_the_emulator(bm, firestore, fresh_counters):
    assert bm.as_("basic").post("test/usage", {"name": "tests"}).status == 200
    stale = {"usageActive.day": "2000-01-01", "usageActive.month": "2000-01"}  # as if last used long ago
    firestore.db.document(fresh_counters).update(stale)
    firestore.set("usage/203.0.113.50", {"tests": {"daily": 1}})

    response = bm.as_("admin").post("admin/cron", {"id": "reset-usage"})

    assert response.status == 200 and response.json["ok"] is True
    assert firestore.get(fresh_counters)["usage"]["tests"]["daily"] == 0
    assert firestore.get(fresh_counters)["usage"]["tests"]["total"] == 1
    assert not firestore.exists("usage/203.0.113.50")
