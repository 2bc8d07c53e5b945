"""The test processor's intent, cancel and refund: Stripe-shaped events built with
``functions.testing.payment_builders`` and delivered to the webhook endpoint (``delivery.py``).

Event ids are derived from the subscription (``evt_test_cancel_{sub}`` …), so a repeated request is
a duplicate delivery that the intake ignores: the test processor's idempotency key. Refund amounts
come from the stored subscription (the test processor has no invoices) by the shared rule.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

from functions.errors import BadRequest
from functions.payments.frequencies import frequency as frequency_named
from functions.payments.processors.stripe.api import to_cents
from functions.payments.processors.stripe.unify import TEST_PRODUCT_PREFIX
from functions.payments.processors.test.delivery import deliver_event
from functions.payments.refund import RefundQuote, quote_refund
from functions.testing import payment_builders as factories
from functions.user.models import UserDoc
from functions.user.subscription import resolve_subscription

if TYPE_CHECKING:
    from functions.payments.actions import PaidSubscription
    from functions.payments.intent import IntentPlan


# intent --------------------------------------------------------------------------------------
SESSION_PREFIX, SUBSCRIPTION_PREFIX, EVENT_PREFIX = "_test-cs-", "_test-sub-", "_test-evt-"


def test_checkout_session(plan: IntentPlan) -> dict:
    """What the test processor answers for an intent (Checkout-Session-shaped, no Stripe). Ids are BEM's:
    ``_test-cs-{stamp}``, and its subscription and event ``_test-sub-{stamp}`` / ``_test-evt-{stamp}``
    (BEM's clients and tests find the event from the session id); the stamp is the time in ms plus
    random hex, so two intents in one millisecond never share an event."""
    stamp = f"{int(time.time() * 1000)}-{secrets.token_hex(4)}"
    return {"id": f"{SESSION_PREFIX}{stamp}", "object": "checkout.session",
            "mode": "subscription" if plan.is_subscription else "payment", "url": plan.success_url,
            "metadata": plan.metadata, "livemode": False}


def complete_test_checkout(manager: Any, plan: IntentPlan, session: dict) -> None:
    """Deliver what Stripe would send once the customer paid: a subscription or a paid session."""

    stamp = session["id"].removeprefix(SESSION_PREFIX)
    processor_product = plan.product.stripe.product_id or f"{TEST_PRODUCT_PREFIX}{plan.product.id}"
    if plan.is_subscription:
        subscription = factories.make_subscription(
            uid=plan.uid, order_id=plan.order_id, product=processor_product, status="trialing" if plan.trial_days else "active",
            interval=frequency_named(plan.frequency).interval, amount=to_cents(plan.amount), trial_days=plan.trial_days,
            metadata={"productId": plan.product.id}, id=f"{SUBSCRIPTION_PREFIX}{stamp}",
        )
        event = factories.make_event("customer.subscription.created", subscription, id=f"{EVENT_PREFIX}{stamp}")
    else:
        completed = factories.make_checkout_session(uid=plan.uid, order_id=plan.order_id, product_id=plan.product.id,
                                                    product=processor_product, amount_total=to_cents(plan.amount), id=session["id"])
        event = factories.make_event("checkout.session.completed", completed, id=f"{EVENT_PREFIX}{stamp}")
    deliver_event(manager, event)


# cancel and refund ---------------------------------------------------------------------------
def current_subscription(manager: Any, paid: PaidSubscription, **changes: Any) -> dict:
    """The Stripe-shaped subscription matching what ``users/{uid}.subscription`` says now."""

    stored = paid.subscription
    product = manager.config.payment.product(stored.product.id)
    frequency = stored.payment.frequency or "monthly"
    now = int(time.time())
    period = frequency_named(frequency)
    end = stored.expires.timestamp_unix or now + period.seconds
    trialing = resolve_subscription(stored).trialing
    status = "trialing" if trialing else {"suspended": "past_due", "cancelled": "canceled"}.get(stored.status, "active")
    subscription = factories.make_subscription(
        uid=paid.uid, order_id=paid.order_id, id=paid.resource_id,
        product=(product.stripe.product_id if product else None) or f"{TEST_PRODUCT_PREFIX}{stored.product.id}", status=status,
        interval=period.interval, amount=to_cents(stored.payment.price),
        start=stored.payment.start_date.timestamp_unix or now, metadata={"productId": stored.product.id},
    )
    item = subscription["items"]["data"][0]
    item["current_period_end"] = end
    item["current_period_start"] = end - period.seconds
    if stored.trial.claimed:
        subscription["trial_start"] = subscription["start_date"]
        subscription["trial_end"] = stored.trial.expires.timestamp_unix or None
    subscription.update(changes)
    return subscription


def deliver_cancellation(manager: Any, paid: PaidSubscription, *, immediate: bool) -> None:

    now = int(time.time())
    if immediate:
        subscription = current_subscription(manager, paid, status="canceled", canceled_at=now, ended_at=now)
        event = factories.make_event("customer.subscription.deleted", subscription, id=f"evt_test_cancel_{paid.resource_id}")
    else:
        end = current_subscription(manager, paid)["items"]["data"][0]["current_period_end"]
        subscription = current_subscription(manager, paid, cancel_at_period_end=True, cancel_at=end, canceled_at=now)
        event = factories.make_event("customer.subscription.updated", subscription, id=f"evt_test_cancel_{paid.resource_id}")
    deliver_event(manager, event)


def deliver_refund(manager: Any, paid: PaidSubscription, amount_cents: int) -> str:
    """``charge.refunded`` then ``customer.subscription.deleted``; answers the refund id."""

    now = int(time.time())
    cancelled = current_subscription(manager, paid, status="canceled", canceled_at=now, ended_at=now)
    charge = factories.make_charge(uid=paid.uid, amount=amount_cents, refunded=True, subscription=cancelled,
                                   id=f"ch_test_{paid.resource_id}", metadata={"orderId": paid.order_id})
    deliver_event(manager, factories.make_event("charge.refunded", charge, id=f"evt_test_refund_{paid.resource_id}"))
    deliver_event(manager, factories.make_event("customer.subscription.deleted", cancelled,
                                                id=f"evt_test_refund_deleted_{paid.resource_id}"))
    return f"re_test_{paid.resource_id}"


# refund amount -------------------------------------------------------------------------------
def test_quote(doc: UserDoc, now: float) -> RefundQuote:
    """The quote from the stored subscription (the test processor has no invoices)."""
    sub = doc.subscription
    if not resolve_subscription(doc, now=now).ever_paid and sub.trial.claimed:
        return RefundQuote(0, "usd", False)
    end = sub.expires.timestamp_unix or int(now)
    start = end - frequency_named(sub.payment.frequency).seconds
    paid_at = max(start, sub.trial.expires.timestamp_unix, sub.payment.start_date.timestamp_unix)
    return quote_refund(round(sub.payment.price * 100), paid_at, start, end, now)


def refund(manager: Any, paid: PaidSubscription, doc: UserDoc) -> tuple[RefundQuote, str]:
    quote = test_quote(doc, time.time())
    if quote.amount_cents <= 0:
        raise BadRequest("Nothing to refund for this period")
    return quote, deliver_refund(manager, paid, quote.amount_cents)
