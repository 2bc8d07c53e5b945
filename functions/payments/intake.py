"""Webhook intake (``POST payments/webhook?processor=NAME``): verify, parse, record once.

Answers:
- bad/missing signature → 400; bad/missing ``?key=`` → 401 (BEM); a wrong ``?key=`` is 401 for every
  processor, before its signature is checked (BEM); nothing written
- signed/keyed but malformed event (no id, ``data`` not an object, ``created`` not a unix time) → 400
- the secret the processor needs is not set → 503 naming it (the sender retries after configuration)
- ``?brand=`` names another brand than ``config.brand.id`` → 200 ``{received, ignored: true}`` (BEM)
- unsupported event           → 200 ``{received, ignored: true}``, nothing written
- new event                   → ``payments-webhooks/{eventId}`` created ``pending`` → 200
- same event again            → 200 ``{duplicate: true}``, nothing changed
  (an existing ``failed`` record is set back to ``pending``: a redelivery is a retry)
- the record cannot be written → 503, so the processor delivers again later
The Firestore trigger (``cloud.py``) processes the pending record.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from functions.errors import BadRequest, ServiceUnavailable
from functions.payments.collections import WEBHOOKS
from functions.payments.processors import ParsedWebhook, get_processor
from functions.payments.processors.shared import refuse_wrong_key
from functions.timestamps import stamp_now

WEBHOOK_BODY_LIMIT = 1024 * 1024  # Stripe events can exceed the API's 100 KB; a 413 would be retried for days
EVENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,200}$")
log = logging.getLogger("bem.payments.intake")


def receive_webhook(manager: Any, assistant: Any) -> dict:
    query = assistant.query
    processor = get_processor(query.get("processor"))
    refuse_wrong_key(query)
    parsed = processor.verify_and_parse(assistant.parsed.raw, assistant.request.headers, query, manager)
    brand = query.get("brand")
    if brand and brand != manager.config.brand.id:
        log.info("Ignoring webhook for brand %r (this is %r)", str(brand)[:100], manager.config.brand.id)
        return {"received": True, "ignored": True}
    if parsed is None:
        return {"received": True, "ignored": True}
    return record_webhook(manager, processor.name, parsed)


def webhook_document(processor: str, parsed: ParsedWebhook) -> dict:
    return {
        "id": parsed.event_id,
        "processor": processor,
        "status": "pending",
        "raw": parsed.raw,
        "owner": parsed.uid,
        "event": parsed.event_record(),
        "error": None,
        "transition": None,
        "orderId": None,
        "attempts": 0,
        "metadata": {"created": stamp_now()},
    }


def record_webhook(manager: Any, processor: str, parsed: ParsedWebhook) -> dict:
    from google.api_core.exceptions import AlreadyExists

    if not EVENT_ID.match(parsed.event_id):
        raise BadRequest("Webhook event id is not valid")
    ref = manager.db.collection(WEBHOOKS).document(parsed.event_id)
    try:
        ref.create(webhook_document(processor, parsed))
    except AlreadyExists:
        return _existing(ref, parsed)
    except Exception as error:
        log.exception("Could not record webhook %s", parsed.event_id)
        raise ServiceUnavailable("The event could not be recorded; deliver it again later") from error
    return {"received": True, "id": parsed.event_id, "status": "pending"}


def _existing(ref: Any, parsed: ParsedWebhook) -> dict:
    try:
        snapshot = ref.get()
        if snapshot.exists and (snapshot.to_dict() or {}).get("status") == "failed":
            ref.update({"status": "pending", "error": None, "metadata.retried": stamp_now()})
            return {"received": True, "id": parsed.event_id, "status": "pending", "retried": True}
    except Exception as error:
        log.exception("Could not read webhook %s", parsed.event_id)
        raise ServiceUnavailable("The event could not be recorded; deliver it again later") from error
    return {"received": True, "id": parsed.event_id, "duplicate": True}
