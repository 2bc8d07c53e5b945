"""What cancel, refund and portal share: the caller's paid subscription and request records.

``cancel.py``, ``refund.py`` and ``portal.py`` validate first (400s naming the field), then
call the processor, then record ``payments-orders/{orderId}.requests.{cancellation|refund}``.
The subscription is read from the caller's own ``users/{uid}.subscription`` (written only by
the webhook pipeline), so nobody can act on another user's subscription.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from functions.errors import BadRequest, ValidationError
from functions.payments.collections import ORDERS
from functions.payments.order_id import derived_order_id
from functions.payments.processors import Processor, find_processor
from functions.user.models import Subscription, UserDoc

DAY = 86400


@dataclass(frozen=True)
class PaidSubscription:
    """The caller's processor subscription, as stored by the pipeline."""

    uid: str
    processor: str
    order_id: str
    resource_id: str
    subscription: Subscription

    @property
    def handler(self) -> Processor:
        """The registered processor that made this subscription (checked by ``paid_subscription``)."""
        processor = find_processor(self.processor)
        assert processor is not None
        return processor


def require_configured(processor: Processor, field: str | None = None) -> None:
    """A processor this deployment cannot serve (``Processor.unavailable()``: its secret is not set) is a
    400 naming it, before any processor call or write: asking again will not help, another processor may."""
    blocker = processor.unavailable()
    if blocker is not None:
        raise ValidationError(f"Payment processor '{processor.name}' is not available here: {blocker.message}", field=field)


def require_confirmed(settings: Any) -> None:
    if settings.confirmed is not True:
        raise ValidationError("Invalid value for confirmed: must be true to go ahead", field="confirmed")


def paid_subscription(uid: str, doc: UserDoc, *, action: str, environment: str) -> PaidSubscription:
    """The caller's subscription when it came from a processor; 400 otherwise."""
    sub = doc.subscription
    payment = sub.payment
    if sub.product.id == "basic" or not payment.resource_id or not payment.processor:
        raise BadRequest(f"Nothing to {action}: you have no paid subscription")
    processor = find_processor(payment.processor)
    if processor is None:
        raise BadRequest(f"Cannot {action} a '{payment.processor}' subscription here yet")
    if not processor.production and environment == "production":
        raise BadRequest(f"Cannot {action}: {processor.name} subscriptions are refused in production")
    # a subscription stored without its order id (BEM wrote it, or made outside an intent): the order the
    # pipeline keeps for it, under the id derived from the processor's resource (pipeline.py does the same)
    order_id = payment.order_id or derived_order_id(f"{payment.processor}:{payment.resource_id}")
    return PaidSubscription(uid, payment.processor, order_id, payment.resource_id, sub)


def order_requests(db: Any, order_id: str) -> dict:
    snapshot = db.collection(ORDERS).document(order_id).get()
    return ((snapshot.to_dict() or {}).get("requests") or {}) if snapshot.exists else {}


def record_request(db: Any, paid: PaidSubscription, kind: str, record: dict) -> None:
    """Merge ``requests.{kind}`` into the order; ``owner``/``id`` let a fresh order document exist."""
    db.collection(ORDERS).document(paid.order_id).set(
        {"id": paid.order_id, "owner": paid.uid, "requests": {kind: record}}, merge=True
    )
