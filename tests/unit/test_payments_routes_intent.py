"""POST payments/intent (Stripe through the fake HTTP server), trial-eligibility and discount."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

PREMIUM = {"processor": "stripe", "productId": "premium", "frequency": "monthly"}


def _intent(bm, account="basic", **body):
    return bm.as_(account).post("payments/intent", {**PREMIUM, **body})


# validation: 4xx naming the field, and nothing reaches Stripe or Firestore --------------------
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"productId": "nope"}, "productId"),
        ({"productId": "basic"}, "productId"),
        ({"frequency": None}, "frequency"),
        ({"frequency": "weekly"}, "frequency"),
        ({"processor": "paypal-ish"}, "processor"),
        ({"discount": "NOT-A-CODE"}, "discount"),
        ({"confirmationUrl": "javascript:alert(1)"}, "confirmationUrl"),
    ],
)
def test_invalid_intent_names_the_field(bm, stripe_fake, firestore, body, field):
    response = _intent(bm, **body)
    assert response.status == 400, response.text
    assert response.json["error"]["field"] == field
    assert field in response.error
    assert stripe_fake.requests == []
    assert firestore.list("payments-intents") == {}


def test_missing_product_id_names_it(bm, stripe_fake):
    response = bm.as_("basic").post("payments/intent", {"processor": "stripe", "frequency": "monthly"})
    assert response.status == 400
    assert response.json["error"]["field"] == "productId"


def test_archived_product_is_refused(bm, manager, stripe_fake):
    products = [p.model_copy(update={"archived": True}) if p.id == "premium" else p for p in manager.config.payment.products]
    payment = manager.config.payment.model_copy(update={"products": products})
    manager.config = manager.config.model_copy(update={"payment": payment})
    response = _intent(bm)
    assert response.status == 400
    assert response.json["error"]["field"] == "productId"
    assert "no longer offered" in response.error


@pytest.mark.parametrize("account", ["premium-active", "premium-cancelling", "premium-suspended"])
def test_already_subscribed_is_refused(bm, stripe_fake, account):
    response = _intent(bm, account)
    assert response.status == 400
    assert response.json["error"]["field"] == "productId"
    assert stripe_fake.requests == []


def test_anonymous_is_refused(bm, stripe_fake):
    assert bm.post("payments/intent", PREMIUM).status == 401


def test_test_processor_refused_in_production(bm, manager, stripe_fake):
    manager.environment = "production"
    response = _intent(bm, processor="test")
    assert response.status == 400
    assert response.json["error"]["field"] == "processor"


# the Checkout Session Stripe receives ---------------------------------------------------------
def test_subscription_checkout_session(bm, stripe_fake, firestore, accounts):
    uid = accounts["basic"].uid
    response = _intent(
        bm,
        confirmationUrl="https://app.example.com/ok",
        cancelUrl="https://app.example.com/no",
        attribution={"utm": {"source": "x"}},
        trial=True,
    )
    assert response.status == 200, response.text
    order_id = response.json["orderId"]
    assert response.json["url"].startswith("https://checkout.stripe.com/")

    [session_request] = stripe_fake.requests_to("POST", "/v1/checkout/sessions")
    params = session_request.params
    metadata = {"uid": uid, "orderId": order_id, "productId": "premium"}
    assert params["mode"] == "subscription"
    assert params["metadata"] == metadata
    assert params["subscription_data"] == {"metadata": metadata, "trial_period_days": 14}
    assert params["success_url"] == "https://app.example.com/ok"
    assert params["cancel_url"] == "https://app.example.com/no"
    assert session_request.idempotency_key == f"bem-checkout-{order_id}"
    assert session_request.stripe_version

    # price resolved at runtime: none existed, so one was created for 499 cents / month
    [price_request] = stripe_fake.requests_to("POST", "/v1/prices")
    assert price_request.params == {
        "product": "prod_premium_demo",
        "unit_amount": 499,
        "currency": "usd",
        "recurring": {"interval": "month", "interval_count": 1},
    }
    assert params["line_items"] == [{"price": stripe_fake.all("prices")[0]["id"], "quantity": 1}]

    intent = firestore.get(f"payments-intents/{order_id}")
    assert intent["owner"] == uid and intent["status"] == "pending" and intent["processor"] == "stripe"
    assert intent["intentId"] == response.json["id"]
    assert intent["trial"] is True and intent["type"] == "subscription" and intent["frequency"] == "monthly"
    assert intent["attribution"] == {"utm": {"source": "x"}}
    assert intent["metadata"]["created"]["timestampUNIX"] > 0


def test_existing_price_is_reused(bm, stripe_fake):
    stripe_fake.add(
        {
            "id": "price_existing_annual",
            "object": "price",
            "active": True,
            "product": "prod_premium_demo",
            "currency": "usd",
            "unit_amount": 4999,
            "type": "recurring",
            "recurring": {"interval": "year", "interval_count": 1},
        }
    )
    stripe_fake.add(
        {
            "id": "price_other_amount",
            "object": "price",
            "active": True,
            "product": "prod_premium_demo",
            "currency": "usd",
            "unit_amount": 5999,
            "type": "recurring",
            "recurring": {"interval": "year", "interval_count": 1},
        }
    )
    assert _intent(bm, frequency="annually").status == 200
    assert stripe_fake.requests_to("POST", "/v1/prices") == []
    [session] = stripe_fake.requests_to("POST", "/v1/checkout/sessions")
    assert session.params["line_items"][0]["price"] == "price_existing_annual"


def test_one_time_checkout_uses_payment_mode(bm, stripe_fake, accounts):
    response = bm.as_("premium-active").post("payments/intent", {"processor": "stripe", "productId": "credits-100"})
    assert response.status == 200, response.text
    [session] = stripe_fake.requests_to("POST", "/v1/checkout/sessions")
    metadata = {"uid": accounts["premium-active"].uid, "orderId": response.json["orderId"], "productId": "credits-100"}
    assert session.params["mode"] == "payment"
    assert session.params["payment_intent_data"] == {"metadata": metadata}
    assert "subscription_data" not in session.params
    [price] = stripe_fake.requests_to("POST", "/v1/prices")
    assert price.params == {"product": "prod_credits_demo", "unit_amount": 999, "currency": "usd"}


def test_one_customer_for_two_intents(bm, stripe_fake, accounts):
    uid = accounts["basic"].uid
    assert _intent(bm).status == 200
    assert _intent(bm).status == 200
    creates = stripe_fake.requests_to("POST", "/v1/customers")
    assert len(creates) == 1
    assert creates[0].idempotency_key == f"bem-customer-{uid}"
    assert creates[0].params["metadata"] == {"uid": uid}
    customers = stripe_fake.all("customers")
    assert len(customers) == 1
    sessions = stripe_fake.requests_to("POST", "/v1/checkout/sessions")
    assert {s.params["customer"] for s in sessions} == {customers[0]["id"]}


def test_search_lag_still_gives_one_customer(bm, stripe_fake):
    """Stripe's search index lags: an empty search answer falls back on the idempotency key."""
    stripe_fake.on("GET", r"/v1/customers/search", lambda request, match: {"object": "search_result", "data": []})
    assert _intent(bm).status == 200
    assert _intent(bm).status == 200
    assert len(stripe_fake.all("customers")) == 1
    keys = {r.idempotency_key for r in stripe_fake.requests_to("POST", "/v1/customers")}
    assert len(keys) == 1


def test_trial_dropped_after_a_prior_subscription_order(bm, stripe_fake, firestore, accounts):
    uid = accounts["basic"].uid
    firestore.set("payments-orders/1111-2222-3333", {"id": "1111-2222-3333", "owner": uid, "type": "subscription"})
    response = _intent(bm)
    assert response.status == 200
    [session] = stripe_fake.requests_to("POST", "/v1/checkout/sessions")
    assert "trial_period_days" not in session.params["subscription_data"]
    assert firestore.get(f"payments-intents/{response.json['orderId']}")["trial"] is False


def test_an_omitted_trial_flag_never_grants_the_trial(bm, stripe_fake, firestore):
    response = _intent(bm)  # BEM: trial defaults to false
    assert response.status == 200, response.text
    [session] = stripe_fake.requests_to("POST", "/v1/checkout/sessions")
    assert "trial_period_days" not in session.params["subscription_data"]
    assert firestore.get(f"payments-intents/{response.json['orderId']}")["trial"] is False


def test_default_redirects_are_bems_pages_on_the_website(bm, stripe_fake):
    response = _intent(bm, trial=True)
    assert response.status == 200, response.text
    order_id = response.json["orderId"]
    [session] = stripe_fake.requests_to("POST", "/v1/checkout/sessions")
    success, cancel = urlsplit(session.params["success_url"]), urlsplit(session.params["cancel_url"])
    assert success.path == "/payment/confirmation"
    assert dict(parse_qsl(success.query)) == {
        "productId": "premium", "productName": "Premium", "amount": "0", "currency": "USD", "frequency": "monthly",
        "paymentMethod": "stripe", "trial": "true", "orderId": order_id, "track": "true",
    }
    assert cancel.path == "/payment/checkout"
    assert dict(parse_qsl(cancel.query)) == {"product": "premium", "frequency": "monthly", "payment": "cancelled"}


def test_one_time_confirmation_carries_the_amount_and_once(bm, stripe_fake):
    assert bm.as_("premium-active").post("payments/intent", {"processor": "stripe", "productId": "credits-100"}).status == 200
    [session] = stripe_fake.requests_to("POST", "/v1/checkout/sessions")
    query = dict(parse_qsl(urlsplit(session.params["success_url"]).query))
    assert (query["amount"], query["frequency"], query["trial"]) == ("9.99", "once", "false")
    assert dict(parse_qsl(urlsplit(session.params["cancel_url"]).query)) == {"product": "credits-100", "payment": "cancelled"}


def _with_discount(manager, **changes):
    discounts = [d.model_copy(update=changes) for d in manager.config.payment.discounts]
    payment = manager.config.payment.model_copy(update={"discounts": discounts})
    manager.config = manager.config.model_copy(update={"payment": payment})
    return discounts[0].code


def test_new_customer_discount_is_refused_after_a_prior_subscription(bm, manager, stripe_fake, firestore, accounts):
    code = _with_discount(manager, eligible="new-customers")
    assert _intent(bm, discount=code).status == 200
    firestore.set("payments-orders/old-order", {"owner": accounts["basic"].uid, "type": "subscription"})
    response = _intent(bm, discount=code)
    assert response.status == 400
    assert response.json["error"]["field"] == "discount"
    assert "new customers" in response.error


def test_returning_customer_discount_needs_a_past_subscription(bm, manager, stripe_fake, firestore, accounts):
    code = _with_discount(manager, eligible="returning-customers")
    refused = _intent(bm, discount=code)
    assert refused.status == 400 and refused.json["error"]["field"] == "discount"
    assert stripe_fake.requests == []
    firestore.set("payments-orders/old-order", {"owner": accounts["basic"].uid, "type": "subscription"})
    assert _intent(bm, discount=code).status == 200


def test_trial_can_be_declined(bm, stripe_fake):
    assert _intent(bm, trial=False).status == 200
    [session] = stripe_fake.requests_to("POST", "/v1/checkout/sessions")
    assert "trial_period_days" not in session.params["subscription_data"]


def test_discount_creates_the_coupon_once(bm, stripe_fake, firestore):
    first = _intent(bm, discount="welcome10")
    second = _intent(bm, discount="WELCOME10")
    assert first.status == 200 and second.status == 200
    [create] = stripe_fake.requests_to("POST", "/v1/coupons")
    assert float(create.params["percent_off"]) == 10 and create.params["duration"] == "once"
    [coupon] = stripe_fake.all("coupons")
    assert coupon["id"] == "bem-welcome10-10pct-once"
    assert create.idempotency_key == f"bem-coupon-{coupon['id']}"
    sessions = stripe_fake.requests_to("POST", "/v1/checkout/sessions")
    assert [s.params["discounts"] for s in sessions] == [[{"coupon": coupon["id"]}]] * 2
    intent = firestore.get(f"payments-intents/{first.json['orderId']}")
    assert intent["discount"]["code"] == "WELCOME10" and intent["discount"]["percent"] == 10


def test_stripe_outage_answers_503_and_writes_nothing(bm, stripe_fake, firestore):
    stripe_fake.fail_next(10, status=500)
    response = _intent(bm)
    assert response.status == 503
    assert "sk_test" not in response.text
    assert firestore.list("payments-intents") == {}


def test_stripe_timeout_answers_503(bm, stripe_fake, firestore, monkeypatch):
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:9")  # nothing listens: connection refused
    response = _intent(bm)
    assert response.status == 503, response.text
    assert firestore.list("payments-intents") == {}


def test_stripe_refusing_our_request_answers_502(bm, stripe_fake, firestore):
    stripe_fake.on("POST", r"/v1/checkout/sessions", lambda request, match: (400, {"error": {
        "type": "invalid_request_error", "message": "No such price", "param": "line_items"}}))
    response = _intent(bm)
    assert response.status == 502, response.text
    assert response.json["error"]["code"] == "processor-error"
    assert firestore.list("payments-intents") == {}


# trial-eligibility and discount ------------------------------------------------------------------
def test_trial_eligibility(bm, firestore, accounts):
    assert bm.as_("basic").get("payments/trial-eligibility", query={"productId": "premium"}).json == {
        "eligible": True,
        "productId": "premium",
        "trialDays": 14,
    }
    assert bm.as_("basic").get("payments/trial-eligibility").json == {"eligible": True}
    assert bm.as_("basic").get("payments/trial-eligibility", query={"productId": "credits-100"}).json["eligible"] is False
    firestore.set("payments-orders/1111-2222-3333", {"owner": accounts["basic"].uid, "type": "subscription"})
    assert bm.as_("basic").get("payments/trial-eligibility", query={"productId": "premium"}).json["eligible"] is False
    unknown = bm.as_("basic").get("payments/trial-eligibility", query={"productId": "nope"})
    assert unknown.status == 400 and unknown.json["error"]["field"] == "productId"
    assert bm.get("payments/trial-eligibility").status == 401


def test_discount_lookup(bm):
    assert bm.get("payments/discount", query={"code": "welcome10"}).json == {
        "valid": True,
        "code": "WELCOME10",
        "percent": 10,
        "duration": "once",
        "durationInMonths": None,
    }
    assert bm.get("payments/discount", query={"code": "NOPE"}).json["valid"] is False
    missing = bm.get("payments/discount")
    assert missing.status == 400
    assert missing.json["error"]["field"] == "code" and "code" in missing.error


# a processor not configured here: 400 naming it and what to configure, nothing dangling -----------
def test_test_processor_without_the_webhook_key_is_400_before_anything_is_written(bm, firestore, monkeypatch):
    monkeypatch.delenv("BACKEND_MANAGER_WEBHOOK_KEY", raising=False)
    response = _intent(bm, processor="test")
    assert response.status == 400, response.text
    assert "'test'" in response.error and "BACKEND_MANAGER_WEBHOOK_KEY" in response.error
    assert response.json["error"]["field"] == "processor"
    assert firestore.list("payments-intents") == {}
    assert firestore.list("payments-webhooks") == {}


def test_stripe_without_a_secret_key_is_400_before_anything_is_written(bm, stripe_fake, firestore, monkeypatch):
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    response = _intent(bm)
    assert response.status == 400, response.text
    assert "'stripe'" in response.error and "STRIPE_SECRET_KEY" in response.error
    assert stripe_fake.requests == [] and firestore.list("payments-intents") == {}


def test_a_failed_test_delivery_marks_the_intent_failed_and_answers_503(bm, firestore):
    from functions.payments.processors.test.delivery import use_deliverer

    def broken(manager, event):
        raise RuntimeError("webhook endpoint unreachable")

    with use_deliverer(broken):
        response = _intent(bm, processor="test")
    assert response.status == 503, response.text
    [intent] = firestore.list("payments-intents").values()
    assert intent["status"] == "failed" and "unreachable" in intent["error"]


# reCAPTCHA (BEM): checked when RECAPTCHA_SECRET_KEY is set, faked at Google's HTTP edge ---------
@pytest.fixture
def recaptcha(monkeypatch):
    from functions.testing.recaptcha_fake import RecaptchaFake

    fake = RecaptchaFake().start()
    fake.answers["good"] = {"success": True, "score": 0.9}
    fake.answers["bot"] = {"success": True, "score": 0.1}
    monkeypatch.setenv("RECAPTCHA_VERIFY_URL", fake.url)
    monkeypatch.setenv("RECAPTCHA_SECRET_KEY", "recaptcha-secret")
    monkeypatch.setenv("TEST_EXTENDED_MODE", "true")  # BEM skips reCAPTCHA while testing otherwise
    yield fake
    fake.stop()


@pytest.mark.parametrize("token", [None, "", "forged", "bot"])
def test_intent_without_a_passing_recaptcha_is_403(bm, stripe_fake, firestore, recaptcha, token):
    body = {} if token is None else {"verification": {"g-recaptcha-response": token}}
    response = _intent(bm, **body)
    assert response.status == 403, response.text
    assert "recaptcha-secret" not in response.text
    assert stripe_fake.requests == [] and firestore.list("payments-intents") == {}


def test_intent_with_a_passing_recaptcha_goes_ahead(bm, stripe_fake, recaptcha):
    response = _intent(bm, verification={"g-recaptcha-response": "good"})
    assert response.status == 200, response.text
    [check] = recaptcha.requests
    assert check["secret"] == "recaptcha-secret" and check["response"] == "good"


def test_recaptcha_unreachable_is_503_not_a_pass(bm, stripe_fake, firestore, recaptcha, monkeypatch):
    monkeypatch.setenv("RECAPTCHA_VERIFY_URL", "http://127.0.0.1:9/siteverify")
    response = _intent(bm, verification={"g-recaptcha-response": "good"})
    assert response.status == 503
    assert stripe_fake.requests == [] and firestore.list("payments-intents") == {}


def test_recaptcha_is_skipped_while_testing_and_without_a_secret(bm, stripe_fake, recaptcha, monkeypatch):
    monkeypatch.delenv("TEST_EXTENDED_MODE")
    assert _intent(bm).status == 200
    monkeypatch.setenv("TEST_EXTENDED_MODE", "true")
    monkeypatch.delenv("RECAPTCHA_SECRET_KEY")
    assert _intent(bm).status == 200
    assert recaptcha.requests == []


def test_a_missing_processor_is_400_naming_it(bm, stripe_fake, firestore):
    # BEM's schema requires it: no checkout is opened with a processor the client did not choose
    response = bm.as_("basic").post("payments/intent", {"productId": "premium", "frequency": "monthly"})
    assert response.status == 400 and response.json["error"]["field"] == "processor"
    assert stripe_fake.requests == [] and firestore.list("payments-intents") == {}
