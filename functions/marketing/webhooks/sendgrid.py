"""SendGrid's Event Webhook (BEM ``processors/sendgrid.js``): a JSON array of events per POST.

Revocations: ``unsubscribe``, ``group_unsubscribe``, ``spamreport``, and ``bounce`` / ``dropped``
only when ``bounce_classification`` is ``Invalid Address`` (a hard bounce: the mailbox does not
exist). Technical bounces (DMARC, TLS, DNS) are the sender's problem and revoke nothing;
``delivered``, ``open``, ``click``... are ignored.
"""

from __future__ import annotations

from typing import Any

from functions.marketing.webhooks.events import WebhookEvent, lower_email, text

NAME = "sendgrid"
REVOKE_EVENT_TYPES = frozenset({"unsubscribe", "group_unsubscribe", "spamreport"})
HARD_BOUNCE_CLASSIFICATIONS = frozenset({"Invalid Address"})


def _items(body: Any) -> list:
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and isinstance(body.get("0"), dict):
        # an array sent as {"0": {...}, "1": {...}} (BEM's test client, some proxies)
        items, index = [], 0
        while isinstance(body.get(str(index)), dict):
            items.append(body[str(index)])
            index += 1
        return items
    if isinstance(body, dict):
        return [body]  # one event as a bare object
    raise ValueError("the body must be a JSON array of events")


def parse(body: Any) -> list[WebhookEvent]:
    events = []
    for item in _items(body):
        item = item if isinstance(item, dict) else {}
        timestamp = item.get("timestamp")
        events.append(WebhookEvent(
            event_id=text(item.get("sg_event_id") or item.get("smtp-id") or item.get("smtpId")),
            event_type=text(item.get("event")),
            email=lower_email(item.get("email")),
            timestamp=int(timestamp) if isinstance(timestamp, (int, float)) and not isinstance(timestamp, bool) else None,
            raw=item,
            bounce_classification=text(item.get("bounce_classification")),
            extra={"asmGroupId": item.get("asm_group_id")},
        ))
    return events


def is_revocation(event: WebhookEvent) -> bool:
    if event.event_type in REVOKE_EVENT_TYPES:
        return True
    return event.event_type in ("bounce", "dropped") and event.bounce_classification in HARD_BOUNCE_CLASSIFICATIONS
