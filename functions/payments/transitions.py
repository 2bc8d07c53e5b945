"""Transitions: what changed between the stored and the new state, and their handlers.

Detection is pure (``detect_subscription_transition``, ``detect_one_time_transition``) and
follows BEM's ordered table; the first match wins:

  payment-refunded        a refund event (the processor's ``refund_events``, e.g. ``charge.refunded``)
  new-subscription        none / basic / cancelled → active paid product
  payment-failed          active → suspended
  payment-recovered       suspended → active
  cancellation-requested  cancellation.pending false → true (still active)
  subscription-cancelled  paid, not cancelled → cancelled
  plan-changed            active paid product A → active paid product B
  one-time: purchase-completed (→ completed), purchase-failed (→ failed)

``dispatch_transition`` runs ``hooks/payments/transitions/{category}/{name}.py`` → ``main(...)``
(parameters by name: manager, transition, category, before, after, uid, user_doc, event_type,
event_id, order_id, log). Called once per real transition, after the state is committed;
failures are logged, never raised. Skipped when testing unless ``TEST_EXTENDED_MODE``.
"""

from __future__ import annotations

import logging
from typing import Any

from functions import environment as env
from functions.api import inject
from functions.api.modules import import_file
from functions.hook_names import ONE_TIME_TRANSITIONS, SUBSCRIPTION_TRANSITIONS  # noqa: F401 (re-exported names)
from functions.payments.unified import OneTimeOrder
from functions.user.models import Subscription

log = logging.getLogger("bem.payments.transitions")


def _paid(sub: Subscription | None) -> bool:
    return sub is not None and sub.product.id != "basic"


def detect_subscription_transition(before: Subscription | None, after: Subscription, event_type: str, *,
                                   refund_events: frozenset[str]) -> str | None:
    """``refund_events``: the processor's refund event types (``Processor.refund_events``)."""
    if event_type in refund_events:
        return "payment-refunded"
    after_active_paid = after.status == "active" and _paid(after)
    if after_active_paid and (not _paid(before) or before.status == "cancelled"):
        return "new-subscription"
    if before is None:
        return None
    if before.status == "active" and after.status == "suspended":
        return "payment-failed"
    if before.status == "suspended" and after.status == "active":
        return "payment-recovered"
    if after.status == "active" and after.cancellation.pending and not before.cancellation.pending:
        return "cancellation-requested"
    if _paid(before) and before.status != "cancelled" and after.status == "cancelled":
        return "subscription-cancelled"
    if after_active_paid and before.status == "active" and _paid(before) and before.product.id != after.product.id:
        return "plan-changed"
    return None


def detect_one_time_transition(before: OneTimeOrder | None, after: OneTimeOrder, event_type: str) -> str | None:
    previous = before.status if before else None
    if after.status == "completed" and previous != "completed":
        return "purchase-completed"
    if after.status == "failed" and previous not in ("failed", "completed"):
        return "purchase-failed"
    return None


def handlers_enabled(manager: Any) -> bool:
    return manager.environment != "testing" or env.is_extended_testing()


def dispatch_transition(manager: Any, category: str, name: str, **context: Any) -> bool:
    """Run the handler for ``name``; True when it ran without error."""
    if not handlers_enabled(manager):
        log.debug("transition %s/%s: handlers skipped in testing (set TEST_EXTENDED_MODE=true)", category, name)
        return False
    path = manager.find_file("hooks", f"payments/transitions/{category}/{name}.py")
    if path is None:
        log.info("transition %s/%s: no handler", category, name)
        return False
    try:
        handler = import_file(path, f"transition_{category.replace('-', '_')}").main
        available = {"manager": manager, "transition": name, "category": category, "log": log, **context}
        inject.call(handler, inject.plan(handler, str(path), available), available)
        return True
    except Exception:
        log.exception("transition handler %s/%s failed (the payment was processed)", category, name)
        return False

