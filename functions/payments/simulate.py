"""The test processor's side of intent, cancel and refund: Stripe-shaped events, delivered.

Nothing here calls Stripe. Objects come from the Stripe-shaped builders
(``functions.testing.payment_builders``) and reach the pipeline the way Stripe's would: through
``POST /backend-manager/payments/webhook?processor=test&key=BACKEND_MANAGER_WEBHOOK_KEY``.

Delivery (``deliver_event``), in order of precedence:

1. a deliverer installed with ``use_deliverer(fn)`` (tests; ``fn(manager, event) -> None``);
2. ``BEM_API_URL`` set (e.g. ``http://127.0.0.1:5001/demo-bem/us-central1/bm_api``): a real HTTP
   POST to ``{BEM_API_URL}/payments/webhook``;
3. otherwise in-process: the same request through this Manager's own WSGI app. On the emulator or
   in production Firestore the ``bm_paymentsWebhookOnWrite`` trigger then runs the pipeline; on the
   in-memory Firestore (unit tier, no triggers) the pipeline is run here, synchronously.

Event ids are derived from the subscription (``evt_test_cancel_{sub}`` …), so a repeated request
is a duplicate delivery that the intake ignores: the test processor's idempotency key.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from functions.config.secrets import secret
from functions.errors import ServiceUnavailable
from functions.payments.checkout_stripe import to_cents
from functions.payments.frequencies import frequency as frequency_named

if TYPE_CHECKING:
    from functions.payments.actions import PaidSubscription
    from functions.payments.checkout import IntentPlan

Deliverer = Callable[[Any, dict], None]
_installed: list[Deliverer] = []


@contextlib.contextmanager
def use_deliverer(deliverer: Deliverer) -> Iterator[None]:
    """Route test-processor events to ``deliverer(manager, event)`` inside the block."""
    _installed.append(deliverer)
    try:
        yield
    finally:
        _installed.remove(deliverer)


def delivery_blocker() -> ServiceUnavailable | None:
    """Why test-processor events could not be delivered now (a 503 to raise before anything is written)."""
    if _installed or secret("BACKEND_MANAGER_WEBHOOK_KEY"):
        return None
    return ServiceUnavailable("The test payment processor is not configured: set BACKEND_MANAGER_WEBHOOK_KEY "
                              "(its events are delivered to payments/webhook with that key; `mgr setup` generates one)")


def deliver_event(manager: Any, event: dict) -> None:
    if _installed:
        return _installed[-1](manager, event)
    base = os.environ.get("BEM_API_URL")
    return deliver_over_http(base, event) if base else deliver_in_process(manager, event)


def _webhook_query() -> dict[str, str]:
    blocker = delivery_blocker()
    if blocker is not None:
        raise blocker
    return {"processor": "test", "key": secret("BACKEND_MANAGER_WEBHOOK_KEY") or ""}


def deliver_over_http(base_url: str, event: dict) -> None:
    import requests

    response = requests.post(f"{base_url.rstrip('/')}/payments/webhook", json=event, params=_webhook_query(), timeout=30)
    if response.status_code >= 300:
        raise ServiceUnavailable(f"Test webhook delivery failed with HTTP {response.status_code}; try again")


def deliver_in_process(manager: Any, event: dict) -> None:
    from functions.store import backend
    from functions.wsgi import api_app

    client = api_app(manager).test_client()
    response = client.post("/backend-manager/payments/webhook", json=event, query_string=_webhook_query())
    if response.status_code >= 300:
        raise ServiceUnavailable(f"Test webhook delivery failed with HTTP {response.status_code}; try again")
    body = response.get_json(silent=True) or {}
    if backend() == "memory" and not body.get("duplicate") and not body.get("ignored"):
        from functions.payments.pipeline import process_webhook_event

        process_webhook_event(manager, event["id"])


# intent --------------------------------------------------------------------------------------
def test_checkout_session(plan: IntentPlan) -> dict:
    """What the test processor answers for an intent (Checkout-Session-shaped, no Stripe)."""
    from functions.testing.payment_builders import stripe_id

    return {"id": stripe_id("cs"), "object": "checkout.session", "mode": "subscription" if plan.is_subscription else "payment",
            "url": plan.success_url, "metadata": plan.metadata, "livemode": False}


def complete_test_checkout(manager: Any, plan: IntentPlan, session: dict) -> None:
    """Deliver what Stripe would send once the customer paid: a subscription or a paid session."""
    from functions.testing import payment_builders as factories

    stripe_product = plan.product.stripe.product_id or ""
    if plan.is_subscription:
        subscription = factories.make_subscription(
            uid=plan.uid, order_id=plan.order_id, product=stripe_product, status="trialing" if plan.trial_days else "active",
            interval=frequency_named(plan.frequency).interval, amount=to_cents(plan.amount), trial_days=plan.trial_days,
            metadata={"productId": plan.product.id},
        )
        event = factories.make_event("customer.subscription.created", subscription, id=f"evt_test_created_{subscription['id']}")
    else:
        completed = factories.make_checkout_session(uid=plan.uid, order_id=plan.order_id, product_id=plan.product.id,
                                                    product=stripe_product, amount_total=to_cents(plan.amount), id=session["id"])
        event = factories.make_event("checkout.session.completed", completed, id=f"evt_test_completed_{session['id']}")
    deliver_event(manager, event)


# cancel and refund ---------------------------------------------------------------------------
def current_subscription(manager: Any, paid: PaidSubscription, **changes: Any) -> dict:
    """The Stripe-shaped subscription matching what ``users/{uid}.subscription`` says now."""
    from functions.testing import payment_builders as factories
    from functions.user.subscription import resolve_subscription

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
        product=(product.stripe.product_id if product else None) or "", status=status,
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
    from functions.testing import payment_builders as factories

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
    from functions.testing import payment_builders as factories

    now = int(time.time())
    cancelled = current_subscription(manager, paid, status="canceled", canceled_at=now, ended_at=now)
    charge = factories.make_charge(uid=paid.uid, amount=amount_cents, refunded=True, subscription=cancelled,
                                   id=f"ch_test_{paid.resource_id}", metadata={"orderId": paid.order_id})
    deliver_event(manager, factories.make_event("charge.refunded", charge, id=f"evt_test_refund_{paid.resource_id}"))
    deliver_event(manager, factories.make_event("customer.subscription.deleted", cancelled,
                                                id=f"evt_test_refund_deleted_{paid.resource_id}"))
    return f"re_test_{paid.resource_id}"
