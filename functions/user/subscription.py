"""Entitlement computed from the stored subscription. Reads never write (no "fixing" on read)."""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel

from functions.user.models import Subscription, UserDoc


class ResolvedSubscription(BaseModel):
    plan: str
    active: bool
    trialing: bool
    cancelling: bool
    ever_paid: bool


def resolve_subscription(account: UserDoc | Subscription | dict | Any, *, now: float | None = None) -> ResolvedSubscription:
    """What the user may use right now.

    - ``active``: a paid product with status ``active`` (trialing and cancelling included),
      unless a pending cancellation's period has already ended.
    - ``plan``: the product id when active, else ``basic``.
    - ``trialing``: active, trial claimed, trial not yet expired.
    - ``cancelling``: active, cancellation pending, not trialing.
    - ``ever_paid``: a processor subscription exists and it outlived its trial (a real charge happened).
    """
    sub = _subscription_of(account)
    now = time.time() if now is None else now
    paid_product = sub.product.id != "basic"
    period_over = sub.expires.is_set and sub.expires.timestamp_unix <= now
    active = sub.status == "active" and paid_product and not (sub.cancellation.pending and period_over)
    trialing = active and sub.trial.claimed and sub.trial.expires.timestamp_unix > now
    cancelling = active and sub.cancellation.pending and not trialing
    ever_paid = _ever_paid(sub, now)
    return ResolvedSubscription(
        plan=sub.product.id if active else "basic",
        active=active,
        trialing=trialing,
        cancelling=cancelling,
        ever_paid=ever_paid,
    )


def _ever_paid(sub: Subscription, now: float) -> bool:
    if sub.product.id == "basic" and not sub.payment.resource_id:
        return False
    if not sub.payment.resource_id:
        return False
    if not sub.trial.claimed:
        return True
    trial_end = sub.trial.expires.timestamp_unix
    if sub.status == "cancelled":
        ended = sub.cancellation.date.timestamp_unix or sub.expires.timestamp_unix
        return bool(ended) and ended > trial_end
    return trial_end <= now


def _subscription_of(account: Any) -> Subscription:
    if isinstance(account, Subscription):
        return account
    if isinstance(account, UserDoc):
        return account.subscription
    doc = getattr(account, "doc", None)
    if isinstance(doc, UserDoc):
        return doc.subscription
    if isinstance(account, dict):
        raw = account.get("subscription", account if "status" in account else {})
        auth = account.get("auth") if isinstance(account.get("auth"), dict) else {}
        return Subscription.from_stored(raw or {}, uid=auth.get("uid"), path="subscription")
    raise TypeError(f"cannot read a subscription from {type(account).__name__}")
