"""A fourth processor in one folder (docs/payments.md "Adding a processor"): ``acme``.

Registered by ``tests/unit/test_payments_new_processor.py`` with one line,
``register("acme", "tests.unit.acme_processor:PROCESSOR")``, and configured with
``payment.products[].acme.productId`` (kept by the config's ``extra="allow"``) and ``ACME_SECRET_KEY``.
Acme signs its webhooks with ``Acme-Signature: hex(hmac_sha256(ACME_SECRET_KEY, body))``; its events
carry the whole subscription (``data``), so ``fetch_resource`` returns it. Calls to Acme's API are
recorded in ``PROCESSOR.calls`` (it has no server).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Mapping
from typing import Any

from functions.config.secrets import secret
from functions.errors import BadRequest, ServiceUnavailable
from functions.payments.processors.base import Checkout, ParsedWebhook, RefundDetails
from functions.payments.processors.shared import header_value, not_configured
from functions.payments.products import product_by_id
from functions.payments.unified import OneTimeOrder
from functions.timestamps import Stamp
from functions.user.models import Cancellation, PaymentInfo, ProductRef, Subscription

STATUS = {"live": "active", "late": "suspended", "ended": "cancelled"}


def sign(body: bytes) -> str:
    return hmac.new((secret("ACME_SECRET_KEY") or "").encode(), body, hashlib.sha256).hexdigest()


class AcmeProcessor:
    name = "acme"
    production = True
    refund_events = frozenset({"acme.refunded"})
    payment_failed_events = frozenset({"acme.payment_failed"})

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def _call(self, action: str, resource_id: str) -> None:
        with self._lock:
            self.calls.append((action, resource_id))

    # config
    def product_id(self, product: Any) -> str | None:
        return ((product.model_extra or {}).get("acme") or {}).get("productId")

    def unavailable(self) -> ServiceUnavailable | None:
        return None if secret("ACME_SECRET_KEY") else not_configured("Acme payments", "ACME_SECRET_KEY")

    # intent
    def open_checkout(self, manager: Any, plan: Any) -> Checkout:
        self._call("checkout", plan.order_id)
        return Checkout(id=f"acme_co_{plan.order_id}", url=f"https://pay.acme.test/{plan.order_id}", raw={"plan": plan.frequency})

    def after_intent_recorded(self, manager: Any, plan: Any, checkout: Checkout) -> None:
        return None

    # webhooks
    def verify_and_parse(self, raw: bytes, headers: Mapping[str, str], query: Mapping[str, Any], manager: Any) -> ParsedWebhook | None:
        if not secret("ACME_SECRET_KEY"):
            raise not_configured("Acme webhooks", "ACME_SECRET_KEY")
        if not hmac.compare_digest(header_value(headers, "Acme-Signature") or "", sign(raw)):
            raise BadRequest("Invalid Acme signature")
        event = json.loads(raw)
        if not event.get("type", "").startswith("acme."):
            return None
        data = event["data"]
        return ParsedWebhook(event_id=event["id"], event_type=event["type"], category="subscription",
                             resource_type="subscription", resource_id=data["id"], created=int(event["created"]),
                             uid=data.get("uid"), raw=event)

    def fetch_resource(self, manager: Any, resource_type: str, resource_id: str, raw: dict) -> dict:
        return raw["data"]

    def category_of(self, resource: dict, event: ParsedWebhook) -> str:
        return "subscription"

    def uid_of(self, resource: dict) -> str | None:
        return resource.get("uid")

    def order_id_of(self, resource: dict) -> str | None:
        return resource.get("orderId")

    def customer_name(self, resource: dict) -> str | None:
        return None

    def to_unified_subscription(self, resource: dict, config: Any, event: ParsedWebhook) -> Subscription:
        product = product_by_id(config, resource.get("productId"))
        pending = bool(resource.get("cancelAtPeriodEnd"))
        return Subscription(
            product=ProductRef(id=product.id, name=product.name), status=STATUS.get(resource.get("status"), "cancelled"),
            expires=Stamp.at(resource["periodEnd"]),
            cancellation=Cancellation(pending=pending, date=Stamp.at(resource["periodEnd"]) if pending else Stamp()),
            payment=PaymentInfo(processor=self.name, order_id=resource.get("orderId"), resource_id=resource["id"],
                                frequency="monthly", price=product.prices.monthly, start_date=Stamp.at(resource["start"])),
        )

    def to_unified_one_time(self, resource: dict, config: Any, event: ParsedWebhook) -> OneTimeOrder:
        raise BadRequest("Acme sells subscriptions only")

    def refund_details(self, raw: dict) -> RefundDetails | None:
        amount = raw.get("refunded")
        return RefundDetails(f"{amount:.2f}", "USD") if isinstance(amount, int | float) else None

    # account actions
    def cancel(self, manager: Any, paid: Any, *, trialing: bool) -> bool:
        self._call("cancel", paid.resource_id)
        return False

    def refund(self, manager: Any, paid: Any, doc: Any) -> tuple[Any, str]:
        raise BadRequest("Acme refunds are made in the Acme dashboard")

    def portal(self, manager: Any, uid: str, doc: Any, return_url: str) -> dict:
        return {"url": "https://pay.acme.test/account", "processor": self.name}


PROCESSOR = AcmeProcessor()
