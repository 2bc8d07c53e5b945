"""The processor interface: what Stripe, the test processor (and later PayPal) implement.

A processor turns a raw webhook delivery into a ``ParsedWebhook`` (intake), fetches the
latest state of the resource (pipeline), and converts it into the unified shapes
(``functions.user.models.Subscription`` / ``functions.payments.unified.OneTimeOrder``).
The pipeline never looks at processor-specific fields.

Resource objects are plain dicts. ``resource["object"] == "subscription"`` selects the
subscription path; anything else is a one-time order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from functions.config.models import Config
    from functions.payments.unified import OneTimeOrder
    from functions.user.models import Subscription

Category = Literal["subscription", "one-time"]


@dataclass(frozen=True)
class ParsedWebhook:
    """What intake stores under ``payments-webhooks/{event_id}`` (``event`` and ``owner``)."""

    event_id: str
    event_type: str
    category: Category
    resource_type: str  # "subscription" | "invoice" | "checkout.session" | "charge" | ...
    resource_id: str
    created: int  # the processor's event time (unix seconds): orders events for "never backwards"
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

    def verify_and_parse(
        self, raw: bytes, headers: Mapping[str, str], query: Mapping[str, Any], manager: Any
    ) -> ParsedWebhook | None:
        """Verify the delivery (raise ``BadRequest`` → 400, ``ServiceUnavailable``/``Forbidden`` when
        refused) and parse it. ``None`` = a genuine event we do not handle (answered 200, ignored)."""

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
