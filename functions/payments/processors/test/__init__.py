"""The test processor: BEM's ``processor: "test"`` — Stripe-shaped events without Stripe, never in production.

- ``webhook.py``   ``?key=`` check, parsing (Stripe's), the payload as the resource, simulated outages
- ``actions.py``   intent, cancel and refund as Stripe-shaped events (``functions.testing.payment_builders``)
- ``delivery.py``  how those events reach ``payments/webhook`` (installed deliverer, HTTP, or in-process)
Config: sells every product; reports the config product's ``stripe.productId`` in its objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.errors import BadRequest, ServiceUnavailable
from functions.payments.processors.base import Checkout
from functions.payments.processors.test import actions
from functions.payments.processors.test.delivery import delivery_blocker
from functions.payments.processors.test.webhook import ProcessorUnavailableError, TestWebhooks

if TYPE_CHECKING:
    from functions.config.models import Product
    from functions.payments.actions import PaidSubscription
    from functions.payments.intent import IntentPlan
    from functions.payments.refund import RefundQuote
    from functions.user.models import UserDoc


class TestProcessor(TestWebhooks):
    __test__ = False  # not a pytest class
    name = "test"
    production = False

    def product_id(self, product: Product) -> str | None:
        return product.stripe.product_id or product.id

    def unavailable(self) -> ServiceUnavailable | None:
        return delivery_blocker()

    def open_checkout(self, manager: Any, plan: IntentPlan) -> Checkout:
        session = actions.test_checkout_session(plan)
        return Checkout(id=session["id"], url=session.get("url"), raw=session)

    def after_intent_recorded(self, manager: Any, plan: IntentPlan, checkout: Checkout) -> None:
        actions.complete_test_checkout(manager, plan, checkout.raw)

    def cancel(self, manager: Any, paid: PaidSubscription, *, trialing: bool) -> bool:
        actions.deliver_cancellation(manager, paid, immediate=trialing)
        return trialing

    def refund(self, manager: Any, paid: PaidSubscription, doc: UserDoc) -> tuple[RefundQuote, str]:
        return actions.refund(manager, paid, doc)

    def portal(self, manager: Any, uid: str, doc: UserDoc, return_url: str) -> dict:
        if not doc.subscription.payment.resource_id:
            raise BadRequest("No billing account yet: buy a plan first")
        return {"url": f"{manager.config.brand.url.rstrip('/')}/account?portal=test", "processor": self.name}


PROCESSOR = TestProcessor()

__all__ = ["PROCESSOR", "ProcessorUnavailableError", "TestProcessor"]
