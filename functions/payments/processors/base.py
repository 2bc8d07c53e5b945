"""The processor interface: everything intent, cancel, refund, portal, intake and the pipeline ask
of a payment processor. Those modules never name a processor; each processor is one folder under
``processors/`` registered in ``registry.py``.

Life of a purchase, and the method each step calls:

- config: ``product_id(product)`` — the processor's id for a config product (None: not sold there);
  ``unavailable()`` — why it cannot serve (naming the missing secret), or None when ready: intent, cancel,
  refund and portal answer it as a 400 naming the processor, webhook intake as a 503; ``production``;
- event names: ``refund_events`` and ``payment_failed_events``, the processor's own event types the
  pipeline hands to transition detection (a refund → ``payment-refunded``; a failed payment forces
  ``suspended``);
- intent: ``open_checkout(manager, plan)`` → ``Checkout(id, url, raw)``; ``after_intent_recorded``;
- webhook: ``verify_and_parse`` (intake), ``fetch_resource``, ``category_of``, ``uid_of``,
  ``order_id_of``, ``customer_name``, ``to_unified_subscription`` / ``to_unified_one_time`` (pipeline);
- cancel ``cancel(manager, paid, trialing=)``, refund ``refund(manager, paid, doc)`` (the amount rule is
  shared: ``functions.payments.refund.quote_refund``), portal ``portal(manager, uid, doc, return_url)``.

Resource objects are plain dicts; the pipeline never reads processor-specific fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from functions.config.models import Config, Product
    from functions.errors import ServiceUnavailable
    from functions.payments.actions import PaidSubscription
    from functions.payments.intent import IntentPlan
    from functions.payments.refund import RefundQuote
    from functions.payments.unified import OneTimeOrder
    from functions.user.models import Subscription, UserDoc

Category = Literal["subscription", "one-time"]


class SubscriptionGone(Exception):
    """``cancel``: the processor no longer has the subscription, or it is already cancelled there."""


@dataclass(frozen=True)
class RefundDetails:
    """A refund as the processor's event reports it (BEM's ``getRefundDetails``): ``amount`` as ``"12.34"``."""

    amount: str
    currency: str = "USD"
    reason: str | None = None


def cents_text(cents: Any) -> str | None:
    """``1299`` → ``"12.99"``; None for anything that is not a positive number."""
    if isinstance(cents, bool) or not isinstance(cents, int | float) or cents <= 0:
        return None
    return f"{cents / 100:.2f}"


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Checkout:
    """What ``open_checkout`` answers: the processor's id, the page to send the buyer to, the raw object."""

    id: str
    url: str | None
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedWebhook:
    """What intake stores under ``payments-webhooks/{event_id}`` (``event`` and ``owner``)."""

    event_id: str
    event_type: str
    category: Category
    resource_type: str  # "subscription" | "invoice" | "checkout.session" | "charge" | ...
    resource_id: str
    created: int  # the processor's event time (unix seconds; its arrival when it has none): "never backwards"
    uid: str | None = None
    raw: dict = field(default_factory=dict)

    def event_record(self) -> dict:
        return {"type": self.event_type, "category": self.category, "resourceType": self.resource_type,
                "resourceId": self.resource_id, "created": self.created}

    @classmethod
    def from_record(cls, doc: Mapping[str, Any]) -> ParsedWebhook:
        """Rebuild from a stored ``payments-webhooks`` document."""
        event = doc.get("event") or {}
        return cls(
            event_id=doc["id"], event_type=event.get("type", ""), category=event.get("category", "subscription"),
            resource_type=event.get("resourceType", ""), resource_id=event.get("resourceId", ""),
            created=int(event.get("created") or 0), uid=doc.get("owner"), raw=doc.get("raw") or {},
        )


@runtime_checkable
class Processor(Protocol):
    name: str
    production: bool
    """Whether it may serve in production (the test processor may not)."""
    refund_events: frozenset[str]
    """Event types that mean a payment was refunded (``payment-refunded``)."""
    payment_failed_events: frozenset[str]
    """Event types that force an active subscription to ``suspended``."""

    # config ---------------------------------------------------------------------------------------
    def product_id(self, product: Product) -> str | None:
        """The processor's id for this config product (e.g. ``product.stripe.productId``); None: not sold here."""

    def unavailable(self) -> ServiceUnavailable | None:
        """Why the processor cannot serve right now (a 503 naming the secret to set), or None."""

    # intent -----------------------------------------------------------------------------------------
    def open_checkout(self, manager: Any, plan: IntentPlan) -> Checkout:
        """Open the checkout (subscription or one-time, trial, discount) with idempotency keys."""

    def after_intent_recorded(self, manager: Any, plan: IntentPlan, checkout: Checkout) -> None:
        """Runs once ``payments-intents/{orderId}`` exists (the test processor delivers its events here)."""

    # webhook intake and pipeline -------------------------------------------------------------------------
    def verify_and_parse(
        self, raw: bytes, headers: Mapping[str, str], query: Mapping[str, Any], manager: Any
    ) -> ParsedWebhook | None:
        """Verify the delivery (raise ``BadRequest`` → 400, ``Unauthorized``, ``ServiceUnavailable``/``Forbidden``
        when refused) and parse it. ``None`` = a genuine event we do not handle (answered 200, ignored)."""

    def fetch_resource(self, manager: Any, resource_type: str, resource_id: str, raw: dict) -> dict:
        """The latest state of the resource from the processor (for subscriptions: the subscription)."""

    def category_of(self, resource: dict, event: ParsedWebhook) -> Category:
        """``subscription`` or ``one-time`` for the fetched resource (a refund may point at either)."""

    def uid_of(self, resource: dict) -> str | None: ...

    def order_id_of(self, resource: dict) -> str | None: ...

    def customer_name(self, resource: dict) -> str | None:
        """The paying customer's full name as the processor knows it (fills an empty ``personal.name``)."""

    def to_unified_subscription(self, resource: dict, config: Config, event: ParsedWebhook) -> Subscription: ...

    def to_unified_one_time(self, resource: dict, config: Config, event: ParsedWebhook) -> OneTimeOrder: ...

    def refund_details(self, raw: dict) -> RefundDetails | None:
        """What a refund event's payload says was refunded (for the refund e-mail); None when it names no amount."""

    # account actions -------------------------------------------------------------------------------------
    def cancel(self, manager: Any, paid: PaidSubscription, *, trialing: bool) -> bool:
        """Cancel at period end (now while trialing); answers whether it was immediate. Raises
        ``SubscriptionGone`` when the processor no longer has it or it is already cancelled there."""

    def refund(self, manager: Any, paid: PaidSubscription, doc: UserDoc) -> tuple[RefundQuote, str]:
        """Refund the last payment by ``quote_refund``'s rule, cancel now; answers the quote and the refund id."""

    def portal(self, manager: Any, uid: str, doc: UserDoc, return_url: str) -> dict:
        """``{url, processor}`` of the processor's billing portal for this user."""


class AlreadyRefunded(Exception):
    """``DisputeActions.refund_charge``: the processor says the payment is already refunded."""


@runtime_checkable
class DisputeActions(Protocol):
    """Optional, beside ``Processor``: what dispute resolution (``functions/payments/disputes/``) asks of
    a processor whose charges it matches (Stripe only, as BEM). Calls go out once per cause (the keys)."""

    def refund_charge(self, manager: Any, charge_id: str, amount_cents: int, *, idempotency_key: str,
                      metadata: dict[str, str]) -> dict:
        """Refund the charge; answers ``{id, amount, currency}``. Raises ``AlreadyRefunded``."""

    def cancel_now(self, manager: Any, subscription_id: str) -> None:
        """End the subscription now. Raises ``SubscriptionGone`` when it has already ended."""
