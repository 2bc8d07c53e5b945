"""Beehiiv's webhooks (BEM ``processors/beehiiv.js``): one event per POST.

Revocations: ``subscription.unsubscribed``, ``subscription.deleted``, ``subscription.paused``.
The event's ``publication_id`` must be this brand's (``marketing.newsletter.publicationId``):
a parent forwards every event to every brand, and only the brands on that publication act.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from functions.marketing.webhooks.events import WebhookEvent, lower_email, text

NAME = "beehiiv"
REVOKE_EVENT_TYPES = frozenset({"subscription.unsubscribed", "subscription.deleted", "subscription.paused"})


def _unix(value: Any) -> int | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp())


def parse(body: Any) -> list[WebhookEvent]:
    if not isinstance(body, dict) or not body:
        raise ValueError("the body must be a JSON object (one Beehiiv event)")
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    return [WebhookEvent(
        event_id=text(body.get("id") or body.get("event_id") or data.get("id")),
        event_type=text(body.get("event") or body.get("type") or body.get("event_type")),
        email=lower_email(body.get("email") or data.get("email")),
        timestamp=_unix(body.get("created_at") or body.get("timestamp") or data.get("created_at")),
        raw=body,
        publication_id=text(body.get("publication_id") or data.get("publication_id")),
    )]


def is_revocation(event: WebhookEvent) -> bool:
    return event.event_type in REVOKE_EVENT_TYPES
