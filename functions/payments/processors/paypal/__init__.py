"""The PayPal processor: one folder, registered in ``processors/registry.py`` as ``paypal``.

PayPal's REST API over HTTP with ``requests`` (no PayPal Python SDK covers it: docs/dependencies.md).
- ``api.py``       OAuth client credentials (token cached), live/sandbox from config, ``PayPal-Request-Id``, errors
- ``checkout.py``  plan resolved from ``paypal.productId``, subscription or one-time order (``open_checkout``)
- ``webhook.py``   signature verified by PayPal (``PAYPAL_WEBHOOK_ID``), BEM's events, the latest resource
- ``unify.py``     PayPal subscription / order → unified (cancelled with period remaining → active, pending)
- ``actions.py``   cancel, refund (shared ``quote_refund``), portal link
- ``expiry.py``    the daily ``expire-paypal-cancellations`` job (``cron/daily/expire_paypal_cancellations.py``)
Config: ``payment.processors.paypal.clientId`` (or ``PAYPAL_CLIENT_ID``), ``.mode`` (``live`` | ``sandbox``),
``payment.products[].paypal.productId`` (+ ``legacyProductIds``); secrets ``PAYPAL_CLIENT_SECRET``,
``PAYPAL_WEBHOOK_ID``; ``PAYPAL_API_BASE`` points the client at the fake in tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.config.secrets import secret
from functions.errors import ServiceUnavailable
from functions.payments.processors.base import Checkout
from functions.payments.processors.paypal import actions
from functions.payments.processors.paypal.checkout import open_paypal_checkout
from functions.payments.processors.paypal.webhook import PayPalWebhooks
from functions.payments.processors.shared import not_configured

if TYPE_CHECKING:
    from functions.config.models import Product
    from functions.payments.actions import PaidSubscription
    from functions.payments.intent import IntentPlan
    from functions.payments.refund import RefundQuote
    from functions.user.models import UserDoc


class PayPalProcessor(PayPalWebhooks):
    name = "paypal"
    production = True

    def product_id(self, product: Product) -> str | None:
        """Subscriptions: the PayPal catalog product (its plans are looked up); one-time products are
        sold as Orders v2 with an amount, no catalog product needed (BEM)."""
        return product.paypal.product_id or (product.id if product.type == "one-time" else None)

    def unavailable(self) -> ServiceUnavailable | None:
        return None if secret("PAYPAL_CLIENT_SECRET") else not_configured("PayPal payments", "PAYPAL_CLIENT_SECRET")

    def open_checkout(self, manager: Any, plan: IntentPlan) -> Checkout:
        return open_paypal_checkout(manager, plan)

    def after_intent_recorded(self, manager: Any, plan: IntentPlan, checkout: Checkout) -> None:
        return None  # PayPal sends its events once the buyer approves

    def cancel(self, manager: Any, paid: PaidSubscription, *, trialing: bool) -> bool:
        return actions.cancel(manager, paid, trialing=trialing)

    def refund(self, manager: Any, paid: PaidSubscription, doc: UserDoc) -> tuple[RefundQuote, str]:
        return actions.refund(manager, paid)

    def portal(self, manager: Any, uid: str, doc: UserDoc, return_url: str) -> dict:
        return actions.portal(manager)


PROCESSOR = PayPalProcessor()
