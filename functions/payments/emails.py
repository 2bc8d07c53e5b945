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


def transition_email_handler(manager: Any, transition: str, uid: str, after: dict | None, event_id: str | None,
                             order_id: str | None) -> str:
    """The default transition handler: one email per transition, named after it.

    Every ``hooks/payments/transitions/{category}/{name}.py`` uses this as its ``main`` until a
    project writes its own.
    """
    return send_transition_email(manager, template=transition, uid=uid, event_id=event_id, order_id=order_id,
                                 data={"product": (after or {}).get("product")})
