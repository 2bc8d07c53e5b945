"""The Stripe processor: one folder, registered in ``processors/registry.py`` as ``stripe``.

- ``api.py``       the client (``STRIPE_SECRET_KEY``, pinned API version, ``STRIPE_API_BASE``) and error mapping
- ``checkout.py``  customer, price, coupon, Checkout Session (``open_checkout``)
- ``events.py``    the event envelope and which events we handle (shared with the test processor)
- ``webhook.py``   signature check (``STRIPE_WEBHOOK_SECRET``) and the latest resource from the API
- ``unify.py``     Stripe objects → unified subscription / one-time order (both API generations)
- ``actions.py``   cancel, refund, billing portal; dispute actions (``cancel_now``, ``refund_charge``)
Config: ``payment.products[].stripe.productId`` (+ ``legacyProductIds``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.config.secrets import secret
from functions.errors import ServiceUnavailable
from functions.payments.processors.base import Checkout
from functions.payments.processors.stripe import actions
from functions.payments.processors.stripe.checkout import create_checkout_session
from functions.payments.processors.stripe.webhook import StripeWebhooks

if TYPE_CHECKING:
    from functions.config.models import Product
    from functions.payments.actions import PaidSubscription
    from functions.payments.intent import IntentPlan
    from functions.payments.refund import RefundQuote
    from functions.user.models import UserDoc


class StripeProcessor(StripeWebhooks):
    name = "stripe"
    production = True

    def product_id(self, product: Product) -> str | None:
        return product.stripe.product_id or None

    def unavailable(self) -> ServiceUnavailable | None:
        return None if secret("STRIPE_SECRET_KEY") else ServiceUnavailable("Stripe is not configured: set STRIPE_SECRET_KEY")

    def open_checkout(self, manager: Any, plan: IntentPlan) -> Checkout:
        session = create_checkout_session(manager, plan)
        return Checkout(id=session["id"], url=session.get("url"), raw=session)

    def after_intent_recorded(self, manager: Any, plan: IntentPlan, checkout: Checkout) -> None:
        return None  # Stripe sends its events once the buyer pays

    def cancel(self, manager: Any, paid: PaidSubscription, *, trialing: bool) -> bool:
        return actions.cancel(manager, paid)  # Stripe's own status decides (trialing → now)

    def refund(self, manager: Any, paid: PaidSubscription, doc: UserDoc) -> tuple[RefundQuote, str]:
        return actions.refund(manager, paid)

    def portal(self, manager: Any, uid: str, doc: UserDoc, return_url: str) -> dict:
        return actions.portal(manager, uid, doc, return_url)

    # dispute actions (base.DisputeActions) -----------------------------------------------------------
    def refund_charge(self, manager: Any, charge_id: str, amount_cents: int, *, idempotency_key: str,
                      metadata: dict[str, str]) -> dict:
        return actions.refund_charge(manager, charge_id, amount_cents, idempotency_key=idempotency_key, metadata=metadata)

    def cancel_now(self, manager: Any, subscription_id: str) -> None:
        actions.cancel_now(manager, subscription_id)


PROCESSOR = StripeProcessor()
