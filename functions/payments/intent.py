"""``POST payments/intent``: validate a checkout request, then open it with the processor.

Order of work (nothing half-written):

1. ``plan_intent`` checks everything (processor, product, frequency, current plan, discount,
   trial) and raises a 400 whose ``field`` names the offending key. No write, no processor call.
2. The processor must be configured here (``Processor.unavailable()``; else a 400 naming the processor
   and the missing secret, nothing written), then
   opens the checkout (``Processor.open_checkout``; Stripe: customer → price → coupon → Checkout Session).
3. ``payments-intents/{orderId}`` is written (``status: pending``).
4. ``Processor.after_intent_recorded`` (the test processor delivers its events here, so the real
   pipeline completes the intent; if that fails the intent is marked ``failed`` and the answer is 503).

Rules (BEM): the product exists, is paid and not archived; a subscription needs a
``frequency`` priced on the product and a current plan that is basic or cancelled; a one-time
product is priced by ``prices.once``; the trial applies only when asked for (``trial: true``;
BEM's default is false) and is dropped when the user ever had a subscription order
(``payments-orders`` where owner == uid and type == subscription); a discount code's
``eligible`` rule (config) is checked against the same history.

Redirects: the client's ``confirmationUrl``/``cancelUrl`` when given (port extension), else BEM's
``{brand.url}/payment/confirmation?productId&productName&amount&currency&frequency&paymentMethod
&trial&orderId&track=true`` and ``{brand.url}/payment/checkout?product&frequency&payment=cancelled``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from functions.config.models import Config, Discount, Product
from functions.errors import ServiceUnavailable, ValidationError
from functions.payments.actions import require_configured
from functions.payments.collections import INTENTS, ORDERS
from functions.payments.discounts import discount_record, ineligibility
from functions.payments.order_id import new_order_id
from functions.payments.processors import Processor, find_processor, get_processor, processor_names
from functions.payments.recaptcha import verify_recaptcha
from functions.timestamps import stamp_now
from functions.user.models import UserDoc
from functions.user.subscription import resolve_subscription


@dataclass(frozen=True)
class IntentPlan:
    """A validated checkout request: everything the processor needs, nothing left to check."""

    uid: str
    email: str | None
    order_id: str
    processor: str
    product: Product
    frequency: str | None  # None for one-time products
    amount: float  # in the product's currency units (prices are flat numbers, USD)
    trial_days: int  # 0 when no trial applies
    discount: Discount | None
    success_url: str
    cancel_url: str
    attribution: dict = field(default_factory=dict)
    supplemental: dict = field(default_factory=dict)

    @property
    def is_subscription(self) -> bool:
        return self.product.type == "subscription"

    @property
    def metadata(self) -> dict[str, str]:
        """What the processor carries back on every object (uid/orderId/productId)."""
        return {"uid": self.uid, "orderId": self.order_id, "productId": self.product.id}


def check_processor(name: str, environment: str) -> Processor:
    processor = find_processor(name)
    if processor is None:
        known = ", ".join(processor_names())
        raise ValidationError(f"Invalid value for processor: '{name}' is not supported (known: {known})", field="processor")
    if not processor.production and environment == "production":
        raise ValidationError(f"Invalid value for processor: the {processor.name} processor is refused in production",
                              field="processor")
    return processor


def check_product(config: Config, product_id: str) -> Product:
    product = config.payment.product(product_id)
    if product is None:
        raise ValidationError(f"Invalid value for productId: unknown product '{product_id}'", field="productId")
    if product.is_free:
        raise ValidationError(f"Invalid value for productId: '{product_id}' is free and cannot be bought", field="productId")
    if product.archived:
        raise ValidationError(f"Invalid value for productId: '{product_id}' is no longer offered", field="productId")
    return product


def check_frequency(product: Product, frequency: str | None) -> tuple[str | None, float]:
    """The frequency to bill and its amount. One-time products ignore ``frequency``."""
    prices = product.prices
    if product.type == "one-time":
        return None, float(prices.once)  # type: ignore[union-attr]  (config guarantees prices.once)
    offered = prices.frequencies() if prices else []
    if not frequency:
        raise ValidationError(f"Required key frequency is missing (one of: {', '.join(offered)})", field="frequency")
    amount = prices.for_frequency(frequency) if prices else None
    if frequency not in offered or amount is None:
        raise ValidationError(
            f"Invalid value for frequency: '{frequency}' is not offered for '{product.id}' (one of: {', '.join(offered)})",
            field="frequency",
        )
    return frequency, float(amount)


def check_can_subscribe(doc: UserDoc, product: Product) -> None:
    """A new subscription only from the free plan or after the last one was cancelled."""
    if product.type != "subscription":
        return
    current = doc.subscription
    if current.product.id == "basic" or current.status == "cancelled":
        return
    if current.status == "active" and not resolve_subscription(doc).active:
        return  # a cancellation whose period is over, not yet reported by the processor
    raise ValidationError(
        f"Invalid value for productId: you already have the '{current.product.id}' plan ({current.status}); "
        "cancel it or manage it in the billing portal first",
        field="productId",
    )


def check_discount(config: Config, code: str | None) -> Discount | None:
    if not code:
        return None
    discount = config.payment.discount(code)
    if discount is None:
        raise ValidationError(f"Invalid value for discount: unknown or expired code '{code}'", field="discount")
    return discount


def had_subscription_order(db: Any, uid: str) -> bool:
    """Whether the user ever had a subscription order (index: owner + type on payments-orders)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    query = (
        db.collection(ORDERS)
        .where(filter=FieldFilter("owner", "==", uid))
        .where(filter=FieldFilter("type", "==", "subscription"))
        .limit(1)
    )
    return bool(list(query.stream()))


def trial_days_for(product: Product, wanted: bool, has_history: Callable[[], bool]) -> int:
    """The product's trial days when asked for (BEM: ``trial`` defaults to false) and never subscribed before."""
    if not wanted or product.type != "subscription" or product.trial_days <= 0:
        return 0
    return 0 if has_history() else product.trial_days


def default_urls(config: Config, order_id: str, product: Product, frequency: str | None, processor: str,
                 amount: float, trial: bool) -> tuple[str, str]:
    """BEM's confirmation and cancel pages on the website (``brand.url``), with BEM's query parameters."""
    base = config.brand.url.rstrip("/")
    confirmation = urlencode({
        "productId": product.id, "productName": product.name or product.id, "amount": "0" if trial else f"{amount:g}",
        "currency": "USD", "frequency": frequency or "once", "paymentMethod": processor,
        "trial": "true" if trial else "false", "orderId": order_id, "track": "true",
    })
    cancel = urlencode({"product": product.id, **({"frequency": frequency} if frequency else {}), "payment": "cancelled"})
    return f"{base}/payment/confirmation?{confirmation}", f"{base}/payment/checkout?{cancel}"


def check_discount_eligible(discount: Discount | None, doc: UserDoc, has_history: Callable[[], bool]) -> None:
    """The code's ``eligible`` rule (BEM's per-code ``eligible(user)``; functions/payments/discounts.py)."""
    problem = ineligibility(discount, doc, has_history) if discount is not None else None
    if problem:
        raise ValidationError(f"Invalid value for discount: '{discount.code}' {problem}", field="discount")


def plan_intent(manager: Any, uid: str, doc: UserDoc, settings: Any, ip: str | None = None) -> IntentPlan:
    """Validate the whole request (no writes, no processor calls). Raises 400 naming the field."""
    config: Config = manager.config
    verify_recaptcha(manager.environment, getattr(settings, "verification", None), ip)
    processor = check_processor(settings.processor, manager.environment)
    product = check_product(config, settings.product_id)
    frequency, amount = check_frequency(product, settings.frequency)
    check_can_subscribe(doc, product)
    discount = check_discount(config, settings.discount)
    if not processor.product_id(product):
        raise ValidationError(f"Invalid value for processor: '{product.id}' is not sold through {processor.name}",
                              field="processor")
    history = functools.cache(lambda: had_subscription_order(manager.db, uid))
    check_discount_eligible(discount, doc, history)
    trial_days = trial_days_for(product, settings.trial, history)
    order_id = new_order_id()
    success_default, cancel_default = default_urls(config, order_id, product, frequency, processor.name, amount,
                                                   trial_days > 0)
    return IntentPlan(
        uid=uid,
        email=doc.auth.email,
        order_id=order_id,
        processor=processor.name,
        product=product,
        frequency=frequency,
        amount=amount,
        trial_days=trial_days,
        discount=discount,
        success_url=settings.confirmation_url or success_default,
        cancel_url=settings.cancel_url or cancel_default,
        attribution=dict(settings.attribution or {}),
        supplemental=dict(settings.supplemental or {}),
    )


def intent_document(plan: IntentPlan, intent_id: str, raw: dict) -> dict:
    return {
        "id": plan.order_id,
        "intentId": intent_id,
        "processor": plan.processor,
        "owner": plan.uid,
        "status": "pending",
        "productId": plan.product.id,
        "type": plan.product.type,
        "frequency": plan.frequency,
        "price": plan.amount,
        "trial": plan.trial_days > 0,
        "trialDays": plan.trial_days,
        "attribution": plan.attribution,
        "discount": discount_record(plan.discount),
        "supplemental": plan.supplemental,
        "raw": raw,
        "metadata": {"created": stamp_now()},
    }


def create_intent(manager: Any, plan: IntentPlan) -> dict:
    """Open the checkout with the processor, record the intent; answer ``{id, orderId, url}``."""
    processor = get_processor(plan.processor)
    require_configured(processor, field="processor")  # before anything is written or any processor call
    checkout = processor.open_checkout(manager, plan)
    intent_ref = manager.db.collection(INTENTS).document(plan.order_id)
    intent_ref.set(intent_document(plan, checkout.id, checkout.raw))
    try:
        processor.after_intent_recorded(manager, plan, checkout)
    except Exception as error:  # never a dangling pending intent: record why, answer 503
        intent_ref.update({"status": "failed", "error": f"{type(error).__name__}: {error}"[:500],
                           "metadata.failed": stamp_now()})
        if isinstance(error, ServiceUnavailable):
            raise
        raise ServiceUnavailable("The payment could not be completed; try again") from error
    return {"id": checkout.id, "orderId": plan.order_id, "url": checkout.url}


def trial_eligibility(manager: Any, uid: str, product_id: str | None) -> dict:
    """``{eligible}``: no subscription order ever, and the product (when named) has a trial."""
    if product_id:
        product = check_product(manager.config, product_id)
        if product.type != "subscription" or product.trial_days <= 0:
            return {"eligible": False, "productId": product.id, "trialDays": 0}
        eligible = not had_subscription_order(manager.db, uid)
        return {"eligible": eligible, "productId": product.id, "trialDays": product.trial_days if eligible else 0}
    return {"eligible": not had_subscription_order(manager.db, uid)}


def discount_answer(manager: Any, code: str, uid: str | None = None, doc: UserDoc | None = None) -> dict:
    """``{valid, code, percent, duration}``; an unknown code is ``valid: false`` (not an error). With a
    signed-in caller the code's ``eligible`` rule is checked too (BEM), and a code they may not use is
    ``valid: false`` with the ``reason``."""
    discount = manager.config.payment.discount(code)
    invalid = {"valid": False, "code": code.strip().upper(), "percent": 0, "duration": None}
    if discount is None:
        return invalid
    if uid and doc is not None:
        problem = ineligibility(discount, doc, functools.cache(lambda: had_subscription_order(manager.db, uid)))
        if problem:
            return {**invalid, "reason": f"'{discount.code}' {problem}"}
    return {"valid": True, "code": discount.code, "percent": discount.percent, "duration": discount.duration,
            "durationInMonths": discount.duration_in_months}
