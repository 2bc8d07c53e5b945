"""Dispute alert intake (``POST payments/dispute-alert?provider=chargeblast&key=…``): check, normalise, record once.

Answers:
- missing/wrong ``?key=`` → 401 (BEM); ``BACKEND_MANAGER_WEBHOOK_KEY`` unset → 503 naming it
- ``?provider=`` not a known alert provider (default ``chargeblast``) → 400 naming ``provider``
- a required field missing or unusable → 400 naming it (see ``chargeblast.py``)
- new alert        → ``payments-disputes/{alertId}`` created ``pending`` → 200 ``{received: true}``
- same alert again → 200 ``{received, duplicate: true}``, nothing changed; but a ``failed`` one is
  written afresh as ``pending`` (the alert is retried) → 200 ``{received, retried: true}``
- the record cannot be written → 503, so the provider delivers again later
The create is conditional (two identical alerts at once make one document) and the retry is a
transaction (two redeliveries of a failed alert requeue it once). ``bm_paymentsDisputeOnWrite``
then resolves the pending record (``resolution.py``).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from functions.errors import ServiceUnavailable, ValidationError
from functions.payments.collections import DISPUTES
from functions.payments.processors.shared import check_webhook_key
from functions.timestamps import stamp_now

PROVIDERS: dict[str, str] = {  # alert provider → module with ``normalize(body) -> alert``
    "chargeblast": "functions.payments.disputes.chargeblast",
}
DEFAULT_PROVIDER = "chargeblast"
ACTIONS_PENDING = {"refund": "pending", "cancel": "pending", "email": "pending"}
log = logging.getLogger("bem.payments.disputes")


def receive_alert(manager: Any, query: Mapping[str, Any], body: Mapping[str, Any]) -> dict:
    check_webhook_key(query, "Dispute alerts")
    provider = str(query.get("provider") or DEFAULT_PROVIDER)
    alert = normalizer(provider)(body)
    log.info("dispute alert %s from %s: processor=%s amount=%s card=****%s", alert["id"], provider,
             alert["processor"], alert["amount"], alert["card"]["last4"])
    return record_alert(manager.db, provider, alert, dict(body))


def normalizer(provider: str) -> Callable[[Mapping[str, Any]], dict]:
    target = PROVIDERS.get(provider)
    if target is None:
        raise ValidationError(f"Unknown alert provider: {provider[:40]} (known: {', '.join(sorted(PROVIDERS))})",
                              field="provider")
    return importlib.import_module(target).normalize


def dispute_document(provider: str, alert: dict, raw: dict) -> dict:
    """BEM's ``payments-disputes/{alertId}`` as the route writes it (plus ``attempts``, the claim count)."""
    return {
        "id": alert["id"],
        "provider": provider,
        "status": "pending",
        "alert": alert,
        "match": None,
        "actions": dict(ACTIONS_PENDING),
        "errors": [],
        "error": None,
        "attempts": 0,
        "metadata": {"created": stamp_now(), "completed": {"timestamp": None, "timestampUNIX": None}},
        "raw": raw,
    }


def record_alert(db: Any, provider: str, alert: dict, raw: dict) -> dict:
    from google.api_core.exceptions import AlreadyExists

    ref = db.collection(DISPUTES).document(alert["id"])
    document = dispute_document(provider, alert, raw)
    try:
        ref.create(document)
    except AlreadyExists:
        return _existing(db, ref, document)
    except Exception as error:
        log.exception("Could not record dispute alert %s", alert["id"])
        raise ServiceUnavailable("The alert could not be recorded; deliver it again later") from error
    return {"received": True, "id": alert["id"]}


def _existing(db: Any, ref: Any, document: dict) -> dict:
    from google.cloud import firestore

    @firestore.transactional
    def write_if_failed(transaction: Any) -> str | None:
        snapshot = ref.get(transaction=transaction)
        stored = (snapshot.to_dict() or {}) if snapshot.exists else {}
        if snapshot.exists and stored.get("status") != "failed":
            return None
        attempts = stored.get("attempts")
        fresh = {**document, "attempts": attempts if isinstance(attempts, int) else 0}
        if snapshot.exists:
            fresh["metadata"] = {**document["metadata"], "retried": stamp_now()}
        transaction.set(ref, fresh)
        return "retried" if snapshot.exists else "created"  # created: deleted since the create failed

    try:
        written = write_if_failed(db.transaction())
    except Exception as error:
        log.exception("Could not read dispute alert %s", document["id"])
        raise ServiceUnavailable("The alert could not be recorded; deliver it again later") from error
    if written == "retried":
        log.info("dispute alert %s failed before: retried", document["id"])
        return {"received": True, "id": document["id"], "retried": True}
    if written == "created":
        return {"received": True, "id": document["id"]}
    log.info("dispute alert %s is a duplicate: ignored", document["id"])
    return {"received": True, "id": document["id"], "duplicate": True}
