"""PayPal objects → the unified shapes (BEM's rules), and the ``custom_id`` our intents write.

``custom_id``: ``uid:{uid},orderId:{orderId}`` on subscriptions, ``…,productId:{productId}`` on
orders' ``purchase_units[0]`` (BEM's format).

Subscriptions (the fetched subscription with its plan attached as ``_plan``):
- status: ACTIVE/APPROVED → active; SUSPENDED → suspended; CANCELLED while a paid period remains
  (the last payment + one billing interval is still ahead) → active with ``cancellation.pending``
  (date = that period end; PayPal cancels at once and sends nothing at period end: the daily
  ``expire-paypal-cancellations`` job ends it); CANCELLED and refunded (a ``PAYMENT.SALE.REFUNDED``
  event, or cancelled by our refund: ``status_change_note`` starting with ``REFUND_NOTE``), EXPIRED,
  APPROVAL_PENDING, anything else → cancelled.
- product: the plan's ``product_id`` against ``paypal.productId`` / ``legacyProductIds``, else basic;
  frequency from the plan's REGULAR cycle; trial from its TRIAL cycle (claimed when the subscription
  ran it), ending ``start_time`` + the trial cycles; expires = ``next_billing_time``, else the end of
  the paid period; start = ``start_time`` | ``create_time``; price from config.
Orders (Orders v2, captured on approval): COMPLETED with a completed capture → completed, refunded
captures → refunded, declined/failed/voided → failed, otherwise pending; product from ``custom_id``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import time
from typing import Any

from functions.config.models import Config
from functions.payments.frequencies import frequency_of_interval
from functions.payments.processors.base import ParsedWebhook
from functions.payments.products import product_by_id, resolve_product
from functions.payments.unified import OneTimeOrder, OneTimePayment, OneTimeStatus
from functions.timestamps import Stamp
from functions.user.models import Cancellation, EventRef, PaymentInfo, ProductRef, Subscription, TrialInfo, UpdatedBy

REFUND_NOTE = "bem-refund"  # the reason our refund gives PayPal when it cancels (ends access at once)
REFUND_EVENT = "PAYMENT.SALE.REFUNDED"


# custom_id ---------------------------------------------------------------------------------------
def build_custom_id(uid: str, order_id: str, product_id: str | None = None) -> str:
    return f"uid:{uid},orderId:{order_id}" + (f",productId:{product_id}" if product_id else "")


def parse_custom_id(custom_id: Any) -> dict[str, str]:
    """``{uid, orderId, productId}`` (those present) from BEM's ``key:value,key:value`` format."""
    found: dict[str, str] = {}
    if not isinstance(custom_id, str):
        return found
    for part in custom_id.split(","):
        key, _, value = part.partition(":")
        if key.strip() in ("uid", "orderId", "productId") and value.strip():
            found[key.strip()] = value.strip()
    return found


def mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def custom_id_of(resource: dict) -> dict[str, str]:
    units = resource.get("purchase_units")
    unit = mapping(units[0]) if isinstance(units, list) and units else {}
    return parse_custom_id(unit.get("custom_id") or resource.get("custom_id"))


# time ----------------------------------------------------------------------------------------------
def unix(value: Any) -> int | None:
    """Unix seconds of PayPal's ISO 8601 time (``2026-03-04T10:09:59Z``); None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp())


def add_interval(seconds: int, unit: str, count: int) -> int:
    """``seconds`` + ``count`` PayPal intervals (DAY, WEEK, MONTH, YEAR), by the calendar."""
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    unit = unit.upper()
    if unit in ("DAY", "WEEK"):
        return int((moment + dt.timedelta(days=count * (7 if unit == "WEEK" else 1))).timestamp())
    months = count * (12 if unit == "YEAR" else 1)
    year, month = divmod(moment.month - 1 + months, 12)
    year, month = moment.year + year, month + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


# plan ----------------------------------------------------------------------------------------------
def plan_of(subscription: dict) -> dict:
    """The plan attached by ``fetch_resource`` (``_plan``), else an inline ``plan`` (``?fields=plan``)."""
    return mapping(subscription.get("_plan")) or mapping(subscription.get("plan"))


def cycle(plan: dict, tenure: str) -> dict:
    cycles = plan.get("billing_cycles") if isinstance(plan.get("billing_cycles"), list) else []
    return next((mapping(c) for c in cycles if mapping(c).get("tenure_type") == tenure), {})


def cycle_interval(found: dict) -> tuple[str, int] | None:
    frequency = mapping(found.get("frequency"))
    unit = frequency.get("interval_unit")
    if not isinstance(unit, str) or not unit:
        return None
    count = frequency.get("interval_count")
    return unit.upper(), count if isinstance(count, int) and count > 0 else 1


def frequency_of(subscription: dict) -> str | None:
    interval = cycle_interval(cycle(plan_of(subscription), "REGULAR"))
    return frequency_of_interval(interval[0].lower(), interval[1]) if interval else None


def cycle_price_cents(found: dict) -> int | None:
    value = mapping(mapping(found.get("pricing_scheme")).get("fixed_price")).get("value")
    try:
        return round(float(value) * 100)
    except (TypeError, ValueError):
        return None


# subscription ------------------------------------------------------------------------------------
def _last_payment(subscription: dict) -> tuple[int | None, int]:
    """(time, cents) of ``billing_info.last_payment``."""
    last = mapping(mapping(subscription.get("billing_info")).get("last_payment"))
    try:
        cents = round(float(mapping(last.get("amount")).get("value") or 0) * 100)
    except (TypeError, ValueError):
        cents = 0
    return unix(last.get("time")), cents


def paid_period_end(subscription: dict) -> int | None:
    """When what was last paid runs out: ``next_billing_time``, else the last payment + one REGULAR interval."""
    next_billing = unix(mapping(subscription.get("billing_info")).get("next_billing_time"))
    if next_billing:
        return next_billing
    paid_at, cents = _last_payment(subscription)
    interval = cycle_interval(cycle(plan_of(subscription), "REGULAR"))
    if not paid_at or cents <= 0 or interval is None:
        return None
    return add_interval(paid_at, *interval)


def trial_info(subscription: dict) -> TrialInfo:
    trial = cycle(plan_of(subscription), "TRIAL")
    if not trial:
        return TrialInfo()
    executions = mapping(subscription.get("billing_info")).get("cycle_executions")
    if isinstance(executions, list) and executions and not any(mapping(e).get("tenure_type") == "TRIAL" for e in executions):
        return TrialInfo()  # the plan offers one, this subscription did not run it
    start, interval = unix(subscription.get("start_time")), cycle_interval(trial)
    if not start or interval is None:
        return TrialInfo(claimed=True)
    total = trial.get("total_cycles") if isinstance(trial.get("total_cycles"), int) and trial["total_cycles"] > 0 else 1
    return TrialInfo(claimed=True, expires=Stamp.at(add_interval(start, interval[0], interval[1] * total)))


def _stamp(seconds: int | None) -> Stamp:
    return Stamp.at(seconds) if seconds else Stamp()


def _updated_by(event: ParsedWebhook) -> UpdatedBy:
    return UpdatedBy(event=EventRef(name=event.event_type, id=event.event_id), date=Stamp.now())


def status_and_cancellation(subscription: dict, now: float, *, refund_event: bool = False) -> tuple[str, Cancellation]:
    """``refund_event``: the event is a refund (a refunded period grants no more access)."""
    status = subscription.get("status")
    if status in ("ACTIVE", "APPROVED"):
        return "active", Cancellation()
    if status == "SUSPENDED":
        return "suspended", Cancellation()
    end = paid_period_end(subscription)
    refunded = refund_event or str(subscription.get("status_change_note") or "").startswith(REFUND_NOTE)
    if status == "CANCELLED" and end and end > now and not refunded:
        return "active", Cancellation(pending=True, date=Stamp.at(end))
    ended = unix(subscription.get("status_update_time")) or unix(subscription.get("update_time"))
    return "cancelled", Cancellation(date=_stamp(ended))


def paypal_subscription_to_unified(subscription: dict, config: Config, event: ParsedWebhook, *,
                                   now: float | None = None) -> Subscription:
    status, cancellation = status_and_cancellation(subscription, time.time() if now is None else now,
                                                   refund_event=event.event_type == REFUND_EVENT)
    product = resolve_product(config, plan_of(subscription).get("product_id"), "paypal")
    frequency = frequency_of(subscription)
    price = product.prices.for_frequency(frequency) if (product.prices and frequency) else None
    if price is None:
        price = (cycle_price_cents(cycle(plan_of(subscription), "REGULAR")) or 0) / 100
    return Subscription(
        product=ProductRef(id=product.id, name=product.name or product.id),
        status=status,
        expires=_stamp(paid_period_end(subscription)),
        trial=trial_info(subscription),
        cancellation=cancellation,
        payment=PaymentInfo(
            processor="paypal",
            order_id=custom_id_of(subscription).get("orderId"),
            resource_id=subscription.get("id"),
            frequency=frequency,
            price=price,
            start_date=_stamp(unix(subscription.get("start_time")) or unix(subscription.get("create_time"))),
            updated_by=_updated_by(event),
        ),
    )


# one-time ------------------------------------------------------------------------------------------
def captures_of(order: dict) -> list[dict]:
    units = order.get("purchase_units") if isinstance(order.get("purchase_units"), list) else []
    found: list[dict] = []
    for unit in units:
        captures = mapping(mapping(unit).get("payments")).get("captures")
        found += [mapping(c) for c in captures] if isinstance(captures, list) else []
    return found


def order_status(order: dict) -> OneTimeStatus:
    statuses = {c.get("status") for c in captures_of(order)}
    if statuses & {"REFUNDED", "PARTIALLY_REFUNDED"}:
        return "refunded"
    if order.get("status") == "COMPLETED" and "COMPLETED" in statuses:
        return "completed"
    if order.get("status") == "VOIDED" or statuses & {"DECLINED", "FAILED"}:
        return "failed"
    return "pending"


def paypal_one_time_to_unified(order: dict, config: Config, event: ParsedWebhook) -> OneTimeOrder:
    custom = custom_id_of(order)
    product = product_by_id(config, custom.get("productId"))
    units = order.get("purchase_units") if isinstance(order.get("purchase_units"), list) else []
    amount = mapping(mapping(units[0]).get("amount")) if units else {}
    try:
        paid = float(amount.get("value") or 0)
    except (TypeError, ValueError):
        paid = 0.0
    price = product.prices.once if product.prices and product.prices.once is not None else paid
    return OneTimeOrder(
        product=ProductRef(id=product.id, name=product.name or product.id),
        status=order_status(order),
        payment=OneTimePayment(
            processor="paypal",
            order_id=custom.get("orderId"),
            resource_id=order.get("id"),
            price=price,
            currency=str(amount.get("currency_code") or "USD").lower(),
            date=_stamp(unix(order.get("create_time"))),
            updated_by=_updated_by(event),
        ),
    )
