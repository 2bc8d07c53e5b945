"""Pure pieces: status mapping, product resolution, order ids, the transition table, both Stripe shapes."""

import json
from pathlib import Path

import pytest

from functions.config.models import Config
from functions.payments.order_id import derived_order_id, is_order_id, new_order_id
from functions.payments.processors import ParsedWebhook, get_processor
from functions.payments.processors.stripe.unify import (
    map_stripe_status,
    stripe_one_time_to_unified,
    stripe_subscription_to_unified,
    subscription_id_of_invoice,
)
from functions.payments.products import resolve_product
from functions.payments.transitions import detect_one_time_transition, detect_subscription_transition
from functions.payments.unified import OneTimeOrder
from functions.testing.payment_builders import make_invoice, make_subscription
from functions.user.models import Subscription

DATA = Path(__file__).resolve().parents[1] / "data" / "stripe"
EVENT = ParsedWebhook(
    event_id="evt_1",
    event_type="customer.subscription.updated",
    category="subscription",
    resource_type="subscription",
    resource_id="sub_1",
    created=1,
)
CONFIG = Config.model_validate(
    {
        "payment": {
            "products": [
                {"id": "basic", "name": "Basic"},
                {
                    "id": "premium",
                    "name": "Premium",
                    "prices": {"monthly": 4.99, "annually": 49.99},
                    "trial": {"days": 14},
                    "stripe": {"productId": "prod_premium", "legacyProductIds": ["prod_old_1", "prod_old_2"]},
                },
                {
                    "id": "legacy-pro",
                    "name": "Legacy Pro",
                    "archived": True,
                    "prices": {"monthly": 9.0},
                    "stripe": {"productId": "prod_arch"},
                },
                {
                    "id": "credits-100",
                    "name": "Credits",
                    "type": "one-time",
                    "prices": {"once": 9.99},
                    "stripe": {"productId": "prod_credits"},
                },
            ]
        }
    }
)


def fixture(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


@pytest.mark.parametrize(
    ("stripe_status", "unified"),
    [
        ("active", "active"),
        ("trialing", "active"),
        ("past_due", "suspended"),
        ("unpaid", "suspended"),
        ("canceled", "cancelled"),
        ("incomplete", "cancelled"),
        ("incomplete_expired", "cancelled"),
        ("paused", "cancelled"),
        (None, "cancelled"),
    ],
)
def test_every_stripe_status_maps_to_a_unified_status(stripe_status, unified):
    assert map_stripe_status(stripe_status) == unified


@pytest.mark.parametrize(
    ("product_id", "expected"),
    [
        ("prod_premium", "premium"),
        ("prod_old_1", "premium"),
        ("prod_old_2", "premium"),
        ("prod_arch", "legacy-pro"),
        ("prod_unknown", "basic"),
        (None, "basic"),
        ("", "basic"),
    ],
)
def test_products_resolve_by_product_id_then_legacy_ids_else_basic(product_id, expected):
    assert resolve_product(CONFIG, product_id, "stripe").id == expected


def test_order_ids_are_twelve_random_digits_in_three_groups():
    ids = {new_order_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(is_order_id(value) for value in ids)
    assert derived_order_id("stripe:sub_1") == derived_order_id("stripe:sub_1") != derived_order_id("stripe:sub_2")
    assert not is_order_id("1234-5678-901") and not is_order_id("abcd-5678-9012")


def sub(status="active", product="premium", pending=False, resource="sub_1") -> Subscription:
    return Subscription.model_validate(
        {"product": {"id": product}, "status": status, "cancellation": {"pending": pending}, "payment": {"resourceId": resource}}
    )


@pytest.mark.parametrize(
    ("before", "after", "event_type", "expected"),
    [
        (sub(), sub(), "charge.refunded", "payment-refunded"),
        (None, sub(), "customer.subscription.created", "new-subscription"),
        (sub(product="basic"), sub(), "customer.subscription.created", "new-subscription"),
        (sub(status="cancelled"), sub(), "customer.subscription.created", "new-subscription"),
        (sub(), sub(status="suspended"), "invoice.payment_failed", "payment-failed"),
        (sub(status="suspended"), sub(), "customer.subscription.updated", "payment-recovered"),
        (sub(), sub(pending=True), "customer.subscription.updated", "cancellation-requested"),
        (sub(pending=True), sub(status="cancelled"), "customer.subscription.deleted", "subscription-cancelled"),
        (sub(status="suspended"), sub(status="cancelled"), "customer.subscription.deleted", "subscription-cancelled"),
        (sub(product="premium"), sub(product="pro"), "customer.subscription.updated", "plan-changed"),
        (sub(), sub(), "customer.subscription.updated", None),
        (sub(pending=True), sub(pending=True), "customer.subscription.updated", None),
        (sub(status="cancelled"), sub(status="cancelled"), "customer.subscription.deleted", None),
        (sub(product="basic"), sub(product="basic", status="cancelled"), "customer.subscription.deleted", None),
    ],
)
def test_subscription_transition_table_in_bem_order(before, after, event_type, expected):
    refund_events = get_processor("stripe").refund_events
    assert detect_subscription_transition(before, after, event_type, refund_events=refund_events) == expected


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (None, "completed", "purchase-completed"),
        ("pending", "completed", "purchase-completed"),
        ("completed", "completed", None),
        (None, "failed", "purchase-failed"),
        ("failed", "failed", None),
        ("completed", "failed", None),
        (None, "pending", None),
    ],
)
def test_one_time_transitions(before, after, expected):
    previous = OneTimeOrder(status=before) if before else None
    assert detect_one_time_transition(previous, OneTimeOrder(status=after), "checkout.session.completed") == expected


def test_new_api_shape_reads_the_period_from_the_subscription_item():
    raw = fixture("subscription-active")  # recorded with `stripe trigger` (period on items.data[0])
    assert "current_period_end" not in raw
    unified = stripe_subscription_to_unified(raw, CONFIG, EVENT, processor="stripe")
    assert unified.status == "active"
    assert unified.expires.timestamp_unix == raw["items"]["data"][0]["current_period_end"]
    assert unified.product.id == "basic"  # its product is not in our config
    assert unified.payment.resource_id == raw["id"]


def test_old_api_shape_reads_the_period_from_the_subscription():
    raw = fixture("trial-to-active")  # pre-basil lifecycle: period on the subscription
    unified = stripe_subscription_to_unified(raw, CONFIG, EVENT, processor="stripe")
    assert unified.expires.timestamp_unix == raw["current_period_end"] == 1683819658
    assert unified.trial.claimed is True and unified.status == "active"


def test_trialing_and_cancelled_fixtures():
    trialing = stripe_subscription_to_unified(fixture("subscription-trialing"), CONFIG, EVENT, processor="stripe")
    assert (trialing.status, trialing.trial.claimed) == ("active", True)
    cancelled = stripe_subscription_to_unified(fixture("subscription-canceled"), CONFIG, EVENT, processor="stripe")
    assert cancelled.status == "cancelled" and cancelled.cancellation.pending is False
    assert cancelled.cancellation.date.timestamp_unix == 1771490778


def test_cancel_at_period_end_or_cancel_at_mean_pending_cancellation():
    for changes in ({"cancel_at_period_end": True}, {"cancel_at": 1900000000}):
        raw = make_subscription(uid="u", product="prod_premium", **changes)
        unified = stripe_subscription_to_unified(raw, CONFIG, EVENT, processor="stripe")
        assert unified.status == "active" and unified.cancellation.pending is True
        assert unified.cancellation.date.is_set


def test_price_and_frequency_come_from_config_legacy_product_included():
    raw = make_subscription(uid="u", product="prod_old_2", interval="year", amount=1234)
    unified = stripe_subscription_to_unified(raw, CONFIG, EVENT, processor="stripe")
    assert (unified.product.id, unified.payment.frequency, unified.payment.price) == ("premium", "annually", 49.99)


def test_invoices_link_their_subscription_in_both_shapes_and_may_have_none():
    assert subscription_id_of_invoice(make_invoice(subscription="sub_old", api_shape="old")) == "sub_old"
    assert subscription_id_of_invoice(make_invoice(subscription="sub_new", api_shape="new")) == "sub_new"
    real = fixture("invoice-payment-failed")  # no subscription, no payment_intent
    assert subscription_id_of_invoice(real) is None and "payment_intent" not in real


def test_one_time_checkout_session_fixture_unifies():
    raw = fixture("checkout-session-completed")
    raw["metadata"] = {"productId": "credits-100", "orderId": "1234-5678-9012"}
    order = stripe_one_time_to_unified(raw, CONFIG, EVENT, processor="stripe")
    assert (order.product.id, order.status, order.payment.price, order.payment.order_id) == (
        "credits-100",
        "completed",
        9.99,
        "1234-5678-9012",
    )
