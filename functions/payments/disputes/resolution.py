"""``resolve_dispute(manager, alert_id)``: what ``bm_paymentsDisputeOnWrite`` does with a pending alert.

1. claim ``pending → processing`` once (``functions/payments/claims.py``: conditional on the
   delivered snapshot, so a second delivery of the trigger does nothing);
2. match the charge (``matching.py``; Stripe only, as BEM) — none → ``no-match``, refund and
   cancel ``skipped``, the brand is e-mailed for a manual review;
3. refund the alert's amount (at most the charge's) through the processor with the key
   ``dispute:{alertId}:refund`` → ``success`` | ``already-refunded`` | ``failed`` | ``skipped`` (nothing to refund);
4. cancel the charge's subscription now through the processor → ``success`` | ``already-cancelled``
   | ``failed`` | ``skipped`` (a one-time charge); the processor's webhook then updates the user;
5. e-mail the brand once (``notice.py``, key ``dispute:{alertId}:email``);
6. record ``resolved`` with BEM's ``match`` (+ ``refundId``, ``amountRefunded``, ``currency``),
   ``actions``, ``errors`` and ``metadata.completed``, in one write.
A processor that refuses a step (4xx) makes that action ``failed`` with a line in ``errors`` (BEM).
An outage (unreachable, timeout, 5xx), an unusable stored alert or an unsupported processor →
``failed`` + ``error``: a redelivered alert (intake) or ``status: pending`` retries it, and every
step is safe to repeat (the keys replay the refund and the e-mail; a cancelled subscription is
``already-cancelled``). A claim whose instance dies is requeued by the ``recover-payments`` cron.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, field
from typing import Any

from functions.errors import BemError, ServiceUnavailable
from functions.payments.claims import claim_once
from functions.payments.collections import DISPUTES
from functions.payments.disputes.matching import Match, find_stripe_match
from functions.payments.disputes.notice import send_dispute_email
from functions.payments.processors import SubscriptionGone, find_processor
from functions.payments.processors.base import AlreadyRefunded, DisputeActions
from functions.timestamps import stamp_now

MATCHERS = {"stripe": find_stripe_match}  # processor → how its charge is found (BEM: Stripe only)
log = logging.getLogger("bem.payments.disputes")


class UnusableDispute(Exception):
    """The stored record cannot be resolved (unsupported processor, alert fields missing)."""


@dataclass
class Resolution:
    status: str  # resolved | no-match | failed
    match: dict | None = None
    actions: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    error: str | None = None

    def update(self) -> dict:
        if self.status == "failed":
            return {"status": "failed", "error": self.error, "metadata.failed": stamp_now()}
        return {"status": self.status, "match": self.match, "actions": self.actions, "errors": self.errors,
                "error": None, "metadata.completed": stamp_now()}


def refund_key(alert_id: str) -> str:
    return f"dispute:{alert_id}:refund"


def resolve_dispute(manager: Any, alert_id: str, snapshot: Any = None) -> Resolution | None:
    """Resolve one ``payments-disputes`` record; None when it was not ``pending`` (already claimed)."""
    db = manager.db
    ref = db.collection(DISPUTES).document(alert_id)
    record = claim_once(db, ref, snapshot)
    if record is None:
        return None
    try:
        resolution = _resolve(manager, alert_id, record)
    except Exception as error:
        log.exception("dispute %s failed", alert_id)
        resolution = Resolution(status="failed", error=_reason(error))
    ref.update(resolution.update())
    log.info("dispute %s %s: %s", alert_id, resolution.status, resolution.actions or resolution.error)
    return resolution


def _reason(error: Exception) -> str:
    if isinstance(error, BemError | UnusableDispute):
        return str(getattr(error, "message", None) or error)[:1000]
    return f"{type(error).__name__}: {error}"[:1000]


def usable_alert(record: dict) -> dict:
    """The stored alert, checked enough to act on (a hand-written record of any shape fails clearly)."""
    alert = record.get("alert")
    if not isinstance(alert, dict):
        raise UnusableDispute("The record has no alert")
    card = alert.get("card")
    amount = alert.get("amount")
    if not isinstance(card, dict) or not isinstance(card.get("last4"), str):
        raise UnusableDispute("The alert has no card.last4")
    if isinstance(amount, bool) or not isinstance(amount, int | float) or not math.isfinite(amount) or amount < 0:
        raise UnusableDispute("The alert's amount is not a number")
    try:
        dt.date.fromisoformat(str(alert.get("transactionDate")))
    except ValueError:
        raise UnusableDispute("The alert's transactionDate is not YYYY-MM-DD") from None
    return alert


def _resolve(manager: Any, alert_id: str, record: dict) -> Resolution:
    alert = usable_alert(record)
    name = str(alert.get("processor") or "stripe")
    processor, matcher = find_processor(name), MATCHERS.get(name)
    if matcher is None or not isinstance(processor, DisputeActions):
        raise UnusableDispute(f"Unsupported dispute processor: {name}")
    match = matcher(manager, alert)
    if match is None:
        actions = {"refund": "skipped", "cancel": "skipped"}
        return _with_email(manager, alert_id, alert, Resolution(status="no-match", actions=actions))
    resolution = Resolution(status="resolved", match=match.dump())
    refund = _refund(manager, processor, alert_id, alert, match, resolution)
    resolution.match.update({"refundId": refund.get("id"), "amountRefunded": refund.get("amount"),
                             "currency": refund.get("currency") or match.currency})
    _cancel(manager, processor, match, resolution)
    return _with_email(manager, alert_id, alert, resolution)


def _refund(manager: Any, processor: DisputeActions, alert_id: str, alert: dict, match: Match,
            resolution: Resolution) -> dict:
    cents = round(float(alert["amount"]) * 100)
    cents = min(cents, match.amount_cents) if match.amount_cents > 0 else cents
    if cents <= 0:
        resolution.actions["refund"] = "skipped"
        return {}
    metadata = {"disputeAlertId": alert_id, **({"uid": match.uid} if match.uid else {})}
    try:
        refund = processor.refund_charge(manager, match.charge_id, cents, idempotency_key=refund_key(alert_id),
                                         metadata=metadata)
    except AlreadyRefunded:
        resolution.actions["refund"] = "already-refunded"
        return {}
    except ServiceUnavailable:
        raise  # an outage: the dispute fails and is retried with the same key
    except BemError as error:
        resolution.actions["refund"] = "failed"
        resolution.errors.append(f"Refund failed: {error.message}")
        return {}
    resolution.actions["refund"] = "success"
    return refund


def _cancel(manager: Any, processor: DisputeActions, match: Match, resolution: Resolution) -> None:
    if not match.subscription_id:
        resolution.actions["cancel"] = "skipped"
        return
    try:
        processor.cancel_now(manager, match.subscription_id)
    except SubscriptionGone:
        resolution.actions["cancel"] = "already-cancelled"
        return
    except ServiceUnavailable:
        raise
    except BemError as error:
        resolution.actions["cancel"] = "failed"
        resolution.errors.append(f"Cancel failed: {error.message}")
        return
    resolution.actions["cancel"] = "success"


def _with_email(manager: Any, alert_id: str, alert: dict, resolution: Resolution) -> Resolution:
    status, error = send_dispute_email(manager, alert_id, alert, resolution.match, resolution.actions, resolution.errors)
    resolution.actions["email"] = status
    if error:
        resolution.errors.append(error)
    return resolution
