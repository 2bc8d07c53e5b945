"""The order e-mails of the payment transitions (BEM's ``transitions/**`` + ``send-email.js``).

``transition_email_handler`` is the ``main`` of every ``hooks/payments/transitions/{category}/{name}.py``:
one ``order`` e-mail per transition, from the ``orders`` sender, with BEM's subject, category and
computed values (date, totals, discount, trial end, access-until, refund amount). Its idempotency
key is ``payments:{webhook event id}:{transition}``, so a re-delivered or re-processed webhook never
sends the e-mail twice. A project replaces a hook file's ``main`` to send its own.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from functions.payments.processors.registry import find_processor

log = logging.getLogger("bem.payments.emails")
SKIPPED_USER_FIELDS = ("api", "oauth2", "activity", "affiliate", "attribution", "flags")


@dataclass(frozen=True)
class OrderEmail:
    event: str      # the order template's variant
    category: str   # SendGrid category
    subject: str    # "{brand}", "{product}", "{order}" are filled in


ORDER_EMAILS: dict[str, OrderEmail] = {
    "new-subscription": OrderEmail("confirmation", "order/confirmation", "Your {brand} {product} order #{order}"),
    "purchase-completed": OrderEmail("confirmation", "order/confirmation", "Your {brand} {product} order #{order}"),
    "payment-failed": OrderEmail("payment-failed", "order/payment-failed", "Payment failed for order #{order}"),
    "purchase-failed": OrderEmail("payment-failed", "order/payment-failed", "Payment failed for order #{order}"),
    "payment-recovered": OrderEmail("payment-recovered", "order/payment-recovered", "Payment received for order #{order}"),
    "cancellation-requested": OrderEmail("cancellation-requested", "order/cancellation-requested",
                                         "Your cancellation request has been received #{order}"),
    "subscription-cancelled": OrderEmail("cancelled", "order/cancelled", "Your subscription has been cancelled #{order}"),
    "plan-changed": OrderEmail("plan-changed", "order/plan-changed", "Your plan has been changed #{order}"),
    "payment-refunded": OrderEmail("refunded", "order/refunded", "Your payment has been refunded #{order}"),
}


def format_date(value: Any) -> str:
    """BEM's ``formatDate``: ``Feb 25, 2026`` from a unix time, an ISO string or a ``{timestamp}`` stamp."""
    if isinstance(value, dict):
        value = value.get("timestampUNIX") or value.get("timestamp")
    if not value:
        return ""
    try:
        if isinstance(value, (int, float)) or str(value).isdigit():
            moment = dt.datetime.fromtimestamp(int(value), dt.UTC)
        else:
            moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return ""
    if moment.year <= 1970:
        return ""
    return f"{moment:%b} {moment.day}, {moment.year}"


def _money(value: float) -> str:
    return f"{value:.2f}"


def computed_values(transition: str, before: dict | None, after: dict, discount: dict | None, refund: dict | None,
                    now: dt.datetime) -> dict:
    """BEM's ``_computed`` for the order template."""
    payment = after.get("payment") or {}
    price = float(payment.get("price") or 0)
    computed: dict[str, Any] = {"date": format_date(int(now.timestamp()))}
    promo = discount and float(discount.get("percent") or 0) > 0 and transition in ("new-subscription", "purchase-completed")
    if promo:
        savings = price * float(discount["percent"]) / 100
        computed.update(promoCode=discount.get("code"), promoPercent=discount.get("percent"), promoSavings=_money(savings))
    discounted = price - (price * float(discount["percent"]) / 100) if promo else price
    trial = (after.get("trial") or {}).get("claimed") is True
    if transition == "new-subscription":
        computed["firstChargeAmount"] = _money(discounted)
        computed["totalToday"] = "0.00" if trial else _money(discounted)
        if trial:
            computed["trialExpires"] = format_date((after.get("trial") or {}).get("expires"))
    elif transition == "purchase-completed":
        computed["totalToday"] = _money(discounted)
    elif transition == "cancellation-requested":
        computed["cancellationDate"] = format_date((after.get("cancellation") or {}).get("date")) or format_date(after.get("expires"))
    elif transition == "subscription-cancelled":
        expires = (after.get("expires") or {}).get("timestampUNIX") or 0
        if not trial and expires > now.timestamp():
            computed["expiresDate"] = format_date(after.get("expires"))
    elif transition == "payment-refunded" and refund:
        computed.update(refundAmount=refund.get("amount"), refundCurrency=refund.get("currency") or "USD",
                        refundReason=refund.get("reason"))
    return computed


def refund_details(manager: Any, event_id: str | None) -> dict | None:
    """Amount/currency/reason of a refund event, read from the stored webhook by its processor
    (``Processor.refund_details``); None when the event names no amount."""
    if not event_id:
        return None
    snapshot = manager.db.collection("payments-webhooks").document(event_id).get()
    record = (snapshot.to_dict() or {}) if snapshot.exists else {}
    processor = find_processor(record.get("processor") if isinstance(record.get("processor"), str) else None)
    raw = record.get("raw")
    details = processor.refund_details(raw) if processor is not None and isinstance(raw, dict) else None
    return None if details is None else {"amount": details.amount, "currency": details.currency, "reason": details.reason}


def order_discount(manager: Any, order_id: str | None) -> dict | None:
    if not order_id:
        return None
    snapshot = manager.db.collection("payments-intents").document(order_id).get()
    discount = (snapshot.to_dict() or {}).get("discount") if snapshot.exists else None
    return discount if isinstance(discount, dict) else None


def send_transition_email(manager: Any, *, transition: str, category: str, uid: str, before: dict | None, after: dict | None,
                          user_doc: dict | None, event_id: str | None, order_id: str | None) -> Any:
    """Send the order e-mail of ``transition`` to the user, once per (webhook event, transition)."""
    spec = ORDER_EMAILS.get(transition)
    after = after or {}
    user = user_doc or _user(manager, uid)
    email = ((user or {}).get("auth") or {}).get("email")
    if spec is None or not email:
        log.warning("transition %s for %s: no order e-mail (%s)", transition, uid, "no e-mail address" if spec else "unknown transition")
        return None
    brand = manager.config.brand.name
    product = (after.get("product") or {}).get("name") or ""
    discount = order_discount(manager, order_id) if transition in ("new-subscription", "purchase-completed") else None
    refund = refund_details(manager, event_id) if transition == "payment-refunded" else None
    unified = {**after, **({"previous": before} if transition == "plan-changed" and before else {})}
    content = {"event": spec.event, "id": order_id or "", "type": category, "processor": (after.get("payment") or {}).get("processor"),
               "unified": unified, "_computed": computed_values(transition, before, after, discount, refund, dt.datetime.now(dt.UTC))}
    safe_user = {k: v for k, v in (user or {}).items() if k not in SKIPPED_USER_FIELDS}
    key = f"payments:{event_id}:{transition}" if event_id else None
    result = manager.email.send(
        to=user, subject=spec.subject.format(brand=brand, product=product, order=order_id or ""), template="order",
        sender="orders", categories=[spec.category], user=safe_user, data={"content": content}, idempotency_key=key,
    )
    log.info("transition %s for %s: order e-mail %s (%s)", transition, uid, result.status, result.id)
    return result


def _user(manager: Any, uid: str) -> dict | None:
    snapshot = manager.db.collection("users").document(uid).get()
    return snapshot.to_dict() if snapshot.exists else None


def transition_email_handler(manager: Any, transition: str, category: str, uid: str, before: dict | None, after: dict | None,
                             user_doc: dict | None, event_id: str | None, order_id: str | None) -> Any:
    """The default transition handler: the order e-mail named after the transition."""
    return send_transition_email(manager, transition=transition, category=category, uid=uid, before=before, after=after,
                                 user_doc=user_doc, event_id=event_id, order_id=order_id)
