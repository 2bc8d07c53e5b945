"""NOT YET EMAIL: the placeholder transition handlers send through (email is a later issue).

``send_transition_email`` logs "email not configured" and records the would-be message in
``emails-outbox/{id}`` (``status: not-configured``), so tests can count the emails a
transition produced. The email issue replaces the body of this function.
"""

from __future__ import annotations

import logging
from typing import Any

from functions.timestamps import stamp_now

OUTBOX = "emails-outbox"
log = logging.getLogger("bem.payments.emails")


def send_transition_email(manager: Any, *, template: str, uid: str, event_id: str | None = None,
                          order_id: str | None = None, data: dict | None = None) -> str:
    ref = manager.db.collection(OUTBOX).document()
    ref.set({
        "id": ref.id, "template": template, "to": {"uid": uid}, "status": "not-configured",
        "source": {"eventId": event_id, "orderId": order_id}, "data": data or {},
        "metadata": {"created": stamp_now()},
    })
    log.info("email not configured: '%s' for %s recorded as %s/%s", template, uid, OUTBOX, ref.id)
    return ref.id
