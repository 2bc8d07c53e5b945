"""The Chargebee processor: one folder, registered in ``processors/registry.py`` as ``chargebee``.

Through the official SDK (``chargebee`` 3.x, client objects):
- ``api.py``       the client (``CHARGEBEE_API_KEY``, site from config, ``CHARGEBEE_API_BASE``) and error mapping
- ``checkout.py``  coupon and hosted page (``open_checkout``) for items or a one-time charge
- ``webhook.py``   ``?key=`` (+ Basic auth when configured), BEM's 13 events, fetch, the hosted-page uid back-fill
- ``unify.py``     subscription / invoice → unified subscription / one-time order (BEM's rules)
- ``actions.py``   cancel (``end_of_term`` / immediately in trial), refund, self-serve portal
Config: ``payment.processors.chargebee.site``; ``payment.products[].chargebee.itemId`` (item prices
``{itemId}-{frequency}``) and ``legacyPlanIds``. One-time products are charged by amount (any priced product).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.payments.processors.base import Category, Checkout, ParsedWebhook, RefundDetails, cents_text
from functions.payments.processors.chargebee import actions
from functions.payments.processors.chargebee.api import missing_setting, not_configured_request
from functions.payments.processors.chargebee.checkout import open_hosted_page
from functions.payments.processors.chargebee.unify import (
    chargebee_one_time_to_unified,
    chargebee_subscription_to_unified,
    meta_data,
)
from functions.payments.processors.chargebee.webhook import ChargebeeWebhooks, category_of

if TYPE_CHECKING:
    from functions.config.models import Config, Product
    from functions.errors import BemError
    from functions.payments.actions import PaidSubscription
    from functions.payments.intent import IntentPlan
    from functions.payments.refund import RefundQuote
    from functions.payments.unified import OneTimeOrder
    from functions.user.models import Subscription, UserDoc


class ChargebeeProcessor(ChargebeeWebhooks):
    name = "chargebee"
    production = True
    refund_events: frozenset[str] = frozenset({"payment_refunded"})
    payment_failed_events: frozenset[str] = frozenset({"payment_failed"})

    # config ---------------------------------------------------------------------------------------
    def product_id(self, product: Product) -> str | None:
        if product.type == "one-time":
            return product.id if product.prices and product.prices.once is not None else None
        return product.chargebee.item_id or None

    def unavailable(self) -> BemError | None:
        """400 naming the processor and what to set (the site is checked again with the config, in the client)."""
        missing = missing_setting()
        if missing == "CHARGEBEE_API_KEY":
            return not_configured_request(missing)
        return None

    # intent ---------------------------------------------------------------------------------------
    def open_checkout(self, manager: Any, plan: IntentPlan) -> Checkout:
        page = open_hosted_page(manager, plan)
        return Checkout(id=page.get("id") or "", url=page.get("url"), raw=page)

    def after_intent_recorded(self, manager: Any, plan: IntentPlan, checkout: Checkout) -> None:
        return None  # Chargebee sends its events once the buyer pays

    # pipeline -------------------------------------------------------------------------------------
    def refund_details(self, raw: dict) -> RefundDetails | None:
        """``payment_refunded``: the credit note's ``total``, else the transaction's ``amount`` (cents)."""
        content = raw.get("content") if isinstance(raw, dict) and isinstance(raw.get("content"), dict) else {}
        for key, field in (("credit_note", "total"), ("transaction", "amount")):
            part = content.get(key) if isinstance(content.get(key), dict) else {}
            amount = cents_text(part.get(field))
            if amount is not None:
                reason = part.get("reason_code") if key == "credit_note" else None
                currency = part.get("currency_code") if isinstance(part.get("currency_code"), str) else "USD"
                return RefundDetails(amount, currency.upper(), reason if isinstance(reason, str) else None)
        return None

    def category_of(self, resource: dict, event: ParsedWebhook) -> Category:
        return category_of(event.resource_type)

    def uid_of(self, resource: dict) -> str | None:
        return meta_data(resource).get("uid") or meta_data(resource.get("customer")).get("uid")

    def order_id_of(self, resource: dict) -> str | None:
        return meta_data(resource).get("orderId")

    def customer_name(self, resource: dict) -> str | None:
        """The customer's ``first_name last_name`` (fetched with the subscription), else the addresses'."""
        for holder in (resource.get("customer"), resource.get("billing_address"), resource.get("shipping_address")):
            if isinstance(holder, dict):
                name = " ".join(str(holder.get(k) or "").strip() for k in ("first_name", "last_name")).strip()
                if name:
                    return name
        return None

    def to_unified_subscription(self, resource: dict, config: Config, event: ParsedWebhook) -> Subscription:
        return chargebee_subscription_to_unified(resource, config, event)

    def to_unified_one_time(self, resource: dict, config: Config, event: ParsedWebhook) -> OneTimeOrder:
        return chargebee_one_time_to_unified(resource, config, event)

    # account actions ------------------------------------------------------------------------------
    def cancel(self, manager: Any, paid: PaidSubscription, *, trialing: bool) -> bool:
        return actions.cancel(manager, paid, trialing=trialing)

    def refund(self, manager: Any, paid: PaidSubscription, doc: UserDoc) -> tuple[RefundQuote, str]:
        return actions.refund(manager, paid)

    def portal(self, manager: Any, uid: str, doc: UserDoc, return_url: str) -> dict:
        return actions.portal(manager, uid, doc, return_url)


PROCESSOR = ChargebeeProcessor()
