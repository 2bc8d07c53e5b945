"""Discount codes: BEM's eight built-in codes, their eligibility rules, config overrides, and the
discount an intent records (functions/payments/discounts.py, GET payments/discount, POST payments/intent)."""

from __future__ import annotations

import time

import pytest

from functions.config.models import BUILTIN_DISCOUNTS
from functions.payments.discounts import ineligibility
from functions.user.models import UserDoc

DAY = 86400
BEM_CODES = {"WELCOME15": 15, "SAVE10": 10, "FLASH20": 20, "GIFT15": 15,
             "UPGRADE15": 15, "COMEBACK20": 20, "MISSYOU25": 25, "TRYAGAIN10": 10}


def _config_discounts(manager, *discounts):
    from functions.config.models import Discount

    payment = manager.config.payment.model_copy(update={"discounts": [Discount(**d) for d in discounts]})
    manager.config = manager.config.model_copy(update={"payment": payment})


# every code, anonymously: it exists, its percent, once, any case ----------------------------------
@pytest.mark.parametrize(("code", "percent"), sorted(BEM_CODES.items()))
def test_every_bem_code_is_valid_in_any_case(bm, code, percent):
    for asked in (code, code.lower(), f"  {code.title()} "):
        body = bm.get("payments/discount", query={"code": asked}).json
        assert (body["valid"], body["code"], body["percent"], body["duration"]) == (True, code, percent, "once"), asked


def test_the_builtin_table_is_bems():
    assert {code: d.percent for code, d in BUILTIN_DISCOUNTS.items()} == BEM_CODES
    assert {code: d.eligible for code, d in BUILTIN_DISCOUNTS.items() if d.eligible != "everyone"} == {
        "UPGRADE15": "basic-plan", "COMEBACK20": "trial-claimed",
        "MISSYOU25": "cancelled-after-paying", "TRYAGAIN10": "cancelled"}


def test_an_unknown_code_is_valid_false_not_an_error(bm):
    response = bm.get("payments/discount", query={"code": "notarealcode"})
    assert response.status == 200
    assert response.json["valid"] is False and response.json["code"] == "NOTAREALCODE"


# eligibility: BEM's eligible(user) rules ------------------------------------------------------------
def _doc(status="active", product="premium", *, trial=False, trial_ends_in=-20 * DAY, started_ago=40 * DAY,
         resource="sub_1", expires_in=10 * DAY):
    now = int(time.time())
    return UserDoc.model_validate({"subscription": {
        "product": {"id": product}, "status": status,
        "expires": {"timestampUNIX": now + expires_in},
        "trial": {"claimed": trial, "expires": {"timestampUNIX": now + trial_ends_in if trial else 0}},
        "cancellation": {"pending": False, "date": {"timestampUNIX": now - DAY if status == "cancelled" else 0}},
        "payment": {"resourceId": resource, "startDate": {"timestampUNIX": now - started_ago}},
    }})


BASIC = UserDoc()
PAYING = _doc()
TRIALING = _doc(trial=True, trial_ends_in=5 * DAY, started_ago=DAY)
LAPSED_PAYER = _doc("cancelled", expires_in=-DAY)
CANCELLED_IN_TRIAL = _doc("cancelled", trial=True, trial_ends_in=3 * DAY, started_ago=4 * DAY, expires_in=-DAY)
TRIAL_ENDED_BASIC = UserDoc.model_validate({"subscription": {"trial": {"claimed": True}}})
SUSPENDED = _doc("suspended")


@pytest.mark.parametrize(("code", "doc", "eligible"), [
    ("WELCOME15", PAYING, True),
    ("FLASH20", LAPSED_PAYER, True),
    ("UPGRADE15", BASIC, True),
    ("UPGRADE15", LAPSED_PAYER, True),
    ("UPGRADE15", SUSPENDED, True),  # BEM: a suspended plan is no active plan (plan 'basic')
    ("UPGRADE15", PAYING, False),
    ("UPGRADE15", TRIALING, False),
    ("COMEBACK20", TRIAL_ENDED_BASIC, True),
    ("COMEBACK20", CANCELLED_IN_TRIAL, True),
    ("COMEBACK20", BASIC, False),
    ("COMEBACK20", TRIALING, False),
    ("MISSYOU25", LAPSED_PAYER, True),
    ("MISSYOU25", CANCELLED_IN_TRIAL, False),  # never charged: nobody to miss
    ("MISSYOU25", BASIC, False),
    ("MISSYOU25", PAYING, False),
    ("TRYAGAIN10", LAPSED_PAYER, True),
    ("TRYAGAIN10", CANCELLED_IN_TRIAL, True),
    ("TRYAGAIN10", BASIC, False),
    ("TRYAGAIN10", SUSPENDED, False),
])
def test_eligibility_rules(code, doc, eligible):
    def no_history_read() -> bool:
        raise AssertionError("BEM's rules read the user document only")

    problem = ineligibility(BUILTIN_DISCOUNTS[code], doc, no_history_read)
    assert (problem is None) is eligible, problem


def test_a_signed_in_caller_learns_whether_the_code_is_theirs(bm):
    assert bm.as_("basic").get("payments/discount", query={"code": "upgrade15"}).json["valid"] is True
    refused = bm.as_("premium-active").get("payments/discount", query={"code": "upgrade15"})
    assert refused.status == 200 and refused.json["valid"] is False
    assert "without a paid plan" in refused.json["reason"]
    # anonymously the code exists (BEM checks eligibility only for a known user)
    assert bm.get("payments/discount", query={"code": "MISSYOU25"}).json["valid"] is True
    assert bm.as_("basic").get("payments/discount", query={"code": "MISSYOU25"}).json["valid"] is False
    assert bm.as_("premium-expired").get("payments/discount", query={"code": "MISSYOU25"}).json["valid"] is True


# config: adds codes, replaces or withdraws a built-in one ---------------------------------------------
def test_config_replaces_or_withdraws_a_builtin_code(bm, manager):
    _config_discounts(manager, {"code": "FLASH20", "percent": 30}, {"code": "SAVE10", "percent": 10, "archived": True},
                      {"code": "SPRING5", "percent": 5})
    assert bm.get("payments/discount", query={"code": "flash20"}).json["percent"] == 30
    assert bm.get("payments/discount", query={"code": "SAVE10"}).json["valid"] is False
    assert bm.get("payments/discount", query={"code": "spring5"}).json["percent"] == 5
    assert bm.get("payments/discount", query={"code": "GIFT15"}).json["valid"] is True  # untouched built-ins stay


# intent: the code is checked against the buyer, and recorded on the intent ---------------------------
def test_intent_refuses_a_code_the_buyer_may_not_use(bm, stripe_fake, firestore):
    response = bm.as_("basic").post("payments/intent", {"processor": "test", "productId": "premium",
                                                         "frequency": "monthly", "discount": "missyou25"})
    assert response.status == 400
    assert response.json["error"]["field"] == "discount" and "MISSYOU25" in response.error
    assert firestore.list("payments-intents") == {}


def test_intent_saves_the_resolved_discount(bm, firestore):
    response = bm.as_("basic").post("payments/intent", {"processor": "test", "productId": "premium",
                                                         "frequency": "monthly", "discount": "flash20"})
    assert response.status == 200, response.text
    intent = firestore.get(f"payments-intents/{response.json['orderId']}")
    assert intent["discount"] == {"code": "FLASH20", "percent": 20, "duration": "once", "durationInMonths": None}
    # and the pipeline copies it onto the order (BEM: the order e-mail shows it)
    assert firestore.get(f"payments-orders/{response.json['orderId']}")["discount"]["code"] == "FLASH20"


def test_a_lapsed_payer_gets_missyou25(bm, stripe_fake, firestore):
    response = bm.as_("premium-expired").post("payments/intent", {"processor": "stripe", "productId": "premium",
                                                                   "frequency": "monthly", "discount": "MISSYOU25"})
    assert response.status == 200, response.text
    [coupon] = stripe_fake.requests_to("POST", "/v1/coupons")
    assert float(coupon.params["percent_off"]) == 25 and coupon.params["duration"] == "once"
