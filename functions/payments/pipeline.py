"""The on-write pipeline: ``process_webhook_event(manager, event_id)``.

1. claim ``pending → processing``: from the trigger, a write conditional on the snapshot the trigger
   carries (no read); otherwise (retry CLI, recovery) in a transaction. Either way another delivery
   of the trigger does nothing
2. fetch the latest resource from the processor (never trust the payload)
3. uid: parsed event → resource metadata → ``payments-intents/{orderId}.owner``; unknown → the record
   is parked (``parked-user-not-found``) and nothing else changes
4. in ONE transaction: read ``payments-orders/{orderId}`` and ``users/{uid}``; skip events older than
   the order's ``metadata.updatedEventCreated`` (never backwards); unify; write the subscription,
   the order (merge; ``requests`` kept), the intent (first event of an order: ``completed``, and its
   ``attribution``/``discount``/``supplemental`` copied onto the order), ``personal.name`` from the
   processor's customer when the user has none, and mark the webhook ``completed`` with its
   ``transition`` — state and "processed" mark commit together
5. after commit: on a purchase (``new-subscription`` / ``purchase-completed``) ``payments-carts/{uid}``
   is marked ``completed`` when it exists; the transition handler is dispatched (once); a subscription
   event syncs the user's marketing contact (functions/marketing/auto_sync.py, never raises)
Any error → ``failed`` + ``error``; set ``status`` back to ``pending`` (or ``mgr payments retry``) to retry.
Reads per event from the trigger: 2 (order, user); +1 on an order's first event (its intent), +1
when the uid must come from the intent, +1 (the claim) outside the trigger.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from functions.payments.claims import claim_once
from functions.payments.collections import CARTS, INTENTS, ORDERS, USERS, WEBHOOKS
from functions.payments.order_id import derived_order_id
from functions.payments.processors import ParsedWebhook, Processor, get_processor
from functions.payments.transitions import detect_one_time_transition, detect_subscription_transition, dispatch_transition
from functions.payments.unified import OneTimeOrder
from functions.timestamps import stamp_now
from functions.user.models import Subscription

PURCHASE_TRANSITIONS = ("new-subscription", "purchase-completed")  # what ends an abandoned cart
INTENT_FIELDS = ("attribution", "discount", "supplemental")  # copied from the intent onto its order (BEM)
PARKED = "parked-user-not-found"
log = logging.getLogger("bem.payments.pipeline")


@dataclass
class Outcome:
    status: str
    transition: str | None = None
    order_id: str | None = None
    category: str | None = None
    before: dict | None = None
    after: dict | None = None
    user_doc: dict | None = None
    stale: bool = False
    uid: str | None = None


def process_webhook_event(manager: Any, event_id: str, snapshot: Any = None) -> Outcome | None:
    """Process one ``payments-webhooks`` record; None when it was not ``pending`` (already claimed).

    ``snapshot``: the record as the Firestore trigger delivered it; the claim is then a write
    conditional on its ``update_time`` instead of a transactional read."""
    db = manager.db
    webhook_ref = db.collection(WEBHOOKS).document(event_id)
    record = claim_once(db, webhook_ref, snapshot)
    if record is None:
        return None
    try:
        parsed = ParsedWebhook.from_record({"id": event_id, **record})
        processor = get_processor(record.get("processor"))
        outcome = _process(manager, db, webhook_ref, processor, parsed)
    except Exception as error:
        log.exception("payments webhook %s failed", event_id)
        webhook_ref.update({"status": "failed", "error": f"{type(error).__name__}: {error}"[:1000],
                            "metadata.failed": stamp_now()})
        return Outcome(status="failed")
    if outcome.transition in PURCHASE_TRANSITIONS:
        _complete_cart(db, outcome.uid)
    if outcome.transition:
        dispatch_transition(manager, outcome.category or "subscription", outcome.transition, before=outcome.before,
                            after=outcome.after, uid=parsed.uid or (outcome.user_doc or {}).get("auth", {}).get("uid"),
                            user_doc=outcome.user_doc, event_type=parsed.event_type, event_id=parsed.event_id,
                            order_id=outcome.order_id)
    if outcome.category == "subscription" and outcome.after is not None and not outcome.stale:
        from functions.marketing.auto_sync import after_subscription_change

        # BEM: sync after each subscription write, from the committed state (no extra read)
        after_subscription_change(manager, {**(outcome.user_doc or {}), "subscription": outcome.after})
    return outcome


def _complete_cart(db: Any, uid: str | None) -> None:
    """BEM marks the abandoned cart ``completed``; only an existing cart (no read, no stray document)."""
    from google.api_core.exceptions import NotFound

    if not uid:
        return
    try:
        db.collection(CARTS).document(uid).update({"status": "completed", "metadata.updated": stamp_now()})
    except NotFound:
        pass
    except Exception:  # the purchase is committed; a cart reminder is not worth failing it
        log.warning("Could not mark %s/%s completed", CARTS, uid, exc_info=True)


def _process(manager: Any, db: Any, webhook_ref: Any, processor: Processor, parsed: ParsedWebhook) -> Outcome:
    resource = processor.fetch_resource(manager, parsed.resource_type, parsed.resource_id, parsed.raw)
    order_id = processor.order_id_of(resource) or derived_order_id(f"{processor.name}:{resource.get('id') or parsed.resource_id}")
    uid = parsed.uid or processor.uid_of(resource) or _intent_owner(db, order_id)
    if not uid:
        return _park(webhook_ref, order_id, None, "No uid in the event, the resource metadata or an intent")
    category = processor.category_of(resource, parsed)
    outcome = _commit(manager, db, webhook_ref, processor, parsed, resource, uid, order_id, category)
    if outcome.status == PARKED:
        return _park(webhook_ref, order_id, uid, f"No user document users/{uid}")
    outcome.uid = uid
    return outcome


def _intent_owner(db: Any, order_id: str) -> str | None:
    snapshot = db.collection(INTENTS).document(order_id).get()
    return (snapshot.to_dict() or {}).get("owner") if snapshot.exists else None


def _park(webhook_ref: Any, order_id: str, uid: str | None, reason: str) -> Outcome:
    log.warning("payments webhook %s parked: %s", webhook_ref.id, reason)
    webhook_ref.update({"status": PARKED, "error": reason, "owner": uid, "orderId": order_id,
                        "metadata.parked": stamp_now()})
    return Outcome(status=PARKED, order_id=order_id)


def _commit(manager: Any, db: Any, webhook_ref: Any, processor: Processor, parsed: ParsedWebhook, resource: dict,
            uid: str, order_id: str, category: str) -> Outcome:
    from google.cloud import firestore

    order_ref = db.collection(ORDERS).document(order_id)
    user_ref = db.collection(USERS).document(uid)
    intent_ref = db.collection(INTENTS).document(order_id)

    @firestore.transactional
    def commit(transaction: Any) -> Outcome:
        order_snapshot = order_ref.get(transaction=transaction)
        user_snapshot = user_ref.get(transaction=transaction)
        if not user_snapshot.exists:
            return Outcome(status=PARKED)
        order = order_snapshot.to_dict() if order_snapshot.exists else None
        # an order id in the resource metadata means our intent route made it: on the order's first
        # event, read the intent once (its attribution/discount/supplemental go onto the order)
        complete_intent = order is None and processor.order_id_of(resource) == order_id
        intent = _intent_fields(intent_ref, transaction) if complete_intent else {}
        user_doc = user_snapshot.to_dict() or {}
        done = {"status": "completed", "owner": uid, "orderId": order_id, "error": None, "metadata.completed": stamp_now()}
        last = int(((order or {}).get("metadata") or {}).get("updatedEventCreated") or 0)
        if order is not None and parsed.created < last:
            transaction.update(webhook_ref, {**done, "transition": None, "stale": True})
            return Outcome(status="completed", order_id=order_id, stale=True)
        if category == "subscription":
            outcome, unified = _subscription_state(
                manager, processor, parsed, resource, order_id, user_doc, transaction, user_ref
            )
        else:
            outcome, unified = _one_time_state(manager, processor, parsed, resource, order_id, order)
        order_document = {**intent, **_order_document(processor, parsed, resource, uid, order_id, category, unified, order)}
        transaction.set(order_ref, order_document, merge=True)
        name = _customer_name(processor, resource, user_doc)
        if name:
            transaction.update(user_ref, {"personal.name": name})
        if complete_intent:
            transaction.set(intent_ref, {"status": "completed", "metadata": {"completed": stamp_now()}}, merge=True)
        transaction.update(webhook_ref, {**done, "transition": outcome.transition})
        outcome.order_id, outcome.category, outcome.user_doc = order_id, category, user_doc
        return outcome

    return commit(db.transaction())


def _intent_fields(intent_ref: Any, transaction: Any) -> dict:
    snapshot = intent_ref.get(transaction=transaction)
    intent = (snapshot.to_dict() or {}) if snapshot.exists else {}
    return {key: intent[key] for key in INTENT_FIELDS if key in intent}


def _customer_name(processor: Processor, resource: dict, user_doc: dict) -> dict | None:
    """``{first, last}`` from the processor's customer when the user has no first name yet (BEM)."""
    personal = user_doc.get("personal")
    name = personal.get("name") if isinstance(personal, dict) else None
    if isinstance(name, dict) and name.get("first"):
        return None
    parts = (processor.customer_name(resource) or "").split()
    if not parts:
        return None
    capitalize = lambda word: word[:1].upper() + word[1:]  # noqa: E731 - "mcDonald" keeps its inner capital
    return {"first": capitalize(parts[0]), "last": " ".join(capitalize(p) for p in parts[1:]) or None}


def _subscription_state(manager: Any, processor: Processor, parsed: ParsedWebhook, resource: dict, order_id: str,
                        user_doc: dict, transaction: Any, user_ref: Any) -> tuple[Outcome, dict]:
    stored = user_doc.get("subscription")
    before = Subscription.model_validate(stored) if stored else None
    after = processor.to_unified_subscription(resource, manager.config, parsed)
    after.payment.order_id = order_id
    if parsed.event_type in processor.payment_failed_events and after.status == "active":
        after = after.model_copy(update={"status": "suspended"})
    if _other_subscription_active(before, after):
        # a late event from an abandoned subscription must not take access away from the current one
        return Outcome(status="completed", before=None, after=None), after.dump()
    transition = detect_subscription_transition(before, after, parsed.event_type, refund_events=processor.refund_events)
    unified = after.dump()
    transaction.update(user_ref, {"subscription": unified})
    return Outcome(status="completed", transition=transition, before=before.dump() if before else None, after=unified), unified


def _other_subscription_active(before: Subscription | None, after: Subscription) -> bool:
    return bool(before and before.payment.resource_id and before.payment.resource_id != after.payment.resource_id
                and before.status == "active" and before.product.id != "basic" and after.status != "active")


def _one_time_state(manager: Any, processor: Processor, parsed: ParsedWebhook, resource: dict, order_id: str,
                    order: dict | None) -> tuple[Outcome, dict]:
    stored = (order or {}).get("unified")
    before = OneTimeOrder.model_validate(stored) if stored else None
    after = processor.to_unified_one_time(resource, manager.config, parsed)
    after.payment.order_id = order_id
    transition = detect_one_time_transition(before, after, parsed.event_type)
    unified = after.dump()
    return Outcome(status="completed", transition=transition, before=stored, after=unified), unified


def _order_document(processor: Processor, parsed: ParsedWebhook, resource: dict, uid: str, order_id: str,
                    category: str, unified: dict, order: dict | None) -> dict:
    now = stamp_now()
    document: dict[str, Any] = {
        "id": order_id, "type": category, "owner": uid, "productId": unified["product"]["id"],
        "processor": processor.name, "resourceId": resource.get("id") or parsed.resource_id, "unified": unified,
        "metadata": {"updated": now, "updatedBy": {"event": {"name": parsed.event_type, "id": parsed.event_id}},
                     "updatedEventCreated": parsed.created, "updatedEventId": parsed.event_id},
    }
    if order is None:
        document["requests"] = {"cancellation": None, "refund": None}
        document["metadata"]["created"] = now
    return document
