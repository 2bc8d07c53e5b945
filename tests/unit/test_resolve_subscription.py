"""resolve_subscription over every status × trial × cancellation case (and reads never write)."""

import itertools

import pytest

from functions.timestamps import Stamp
from functions.user import UserDoc, resolve_subscription

NOW = 1_800_000_000
DAY = 86400


def account(product="premium", status="active", trial=None, pending=False, expires_in=10 * DAY, resource="sub_1"):
    sub = {
        "product": {"id": product, "name": product.title()},
        "status": status,
        "expires": Stamp.at(NOW + expires_in).dump(),
        "cancellation": {"pending": pending, "date": Stamp.at(NOW + expires_in).dump() if pending else Stamp().dump()},
        "payment": {"resourceId": resource if product != "basic" else None, "processor": "stripe" if product != "basic" else None},
    }
    if trial is not None:
        sub["trial"] = {"claimed": True, "expires": Stamp.at(NOW + trial).dump()}
    return {"subscription": sub}


STATUSES = ["active", "suspended", "cancelled"]
TRIALS = {"none": None, "in-trial": 3 * DAY, "trial-over": -3 * DAY}
CANCELLATION = [False, True]


@pytest.mark.parametrize(("status", "trial", "pending"), list(itertools.product(STATUSES, TRIALS, CANCELLATION)))
def test_matrix(status, trial, pending):
    resolved = resolve_subscription(account(status=status, trial=TRIALS[trial], pending=pending), now=NOW)
    active = status == "active"
    assert resolved.active is active
    assert resolved.plan == ("premium" if active else "basic")
    assert resolved.trialing is (active and trial == "in-trial")
    assert resolved.cancelling is (active and pending and trial != "in-trial")


def test_basic_user_is_never_active_paid():
    resolved = resolve_subscription(account(product="basic"), now=NOW)
    assert resolved.model_dump() == {"plan": "basic", "active": False, "trialing": False, "cancelling": False, "ever_paid": False}


def test_pending_cancellation_past_period_end_has_no_access():
    resolved = resolve_subscription(account(pending=True, expires_in=-DAY), now=NOW)
    assert (resolved.active, resolved.plan) == (False, "basic")


def test_ever_paid():
    assert resolve_subscription(account(), now=NOW).ever_paid is True
    assert resolve_subscription(account(trial=3 * DAY), now=NOW).ever_paid is False
    assert resolve_subscription(account(trial=-3 * DAY), now=NOW).ever_paid is True
    cancelled_in_trial = account(status="cancelled", trial=3 * DAY)
    cancelled_in_trial["subscription"]["cancellation"]["date"] = Stamp.at(NOW).dump()
    assert resolve_subscription(cancelled_in_trial, now=NOW).ever_paid is False


def test_accepts_model_or_dict_and_does_not_mutate():
    raw = account(status="suspended")
    before = repr(raw)
    doc = UserDoc.model_validate(raw)
    assert resolve_subscription(doc, now=NOW) == resolve_subscription(raw, now=NOW)
    assert repr(raw) == before


def test_default_user_document_shape():
    doc = UserDoc().dump()
    assert set(doc) == {"auth", "subscription", "roles", "flags", "affiliate", "metadata", "activity", "api", "usage",
                        "personal", "oauth2", "attribution", "consent"}
    assert doc["subscription"]["product"] == {"id": "basic", "name": "Basic"}
    assert doc["subscription"]["expires"] == {"timestamp": "1970-01-01T00:00:00.000Z", "timestampUNIX": 0}
    assert doc["roles"] == {"admin": False, "betaTester": False, "developer": False}
    assert doc["subscription"]["payment"]["updatedBy"] == {"event": {"name": None, "id": None}, "date": Stamp().dump()}
