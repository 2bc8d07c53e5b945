"""SendGrid Mail Send v3 through the official SDK (``sendgrid``, imported on first send).

The API host is ``SENDGRID_API_HOST`` (default ``https://api.sendgrid.com``) so tests point the
real SDK at ``functions.testing.sendgrid_fake``. Messages with the same body (``content_key``)
go out in one request, one personalization each (up to ``email.batchSize``); the per-recipient
unsubscribe link travels as a personalization substitution and header. 2xx → sent
(``X-Message-Id``); 4xx → failed with SendGrid's reason; 5xx, timeouts, connection errors → retry.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from functions.email.message import UNSUBSCRIBE_TOKEN
from functions.email.providers import Delivery

log = logging.getLogger("bem.email")
_lock = threading.Lock()
_clients: dict[tuple[str, str, float, int], SendGrid] = {}


class SendGrid:
    name = "sendgrid"

    def __init__(self, api_key: str, host: str, *, timeout: float = 10.0, batch_size: int = 1000) -> None:
        from sendgrid import SendGridAPIClient

        self.client = SendGridAPIClient(api_key=api_key, host=host.rstrip("/"))
        self.client.client.timeout = timeout
        self.batch_size = batch_size

    @classmethod
    def shared(cls, api_key: str, host: str, *, timeout: float, batch_size: int) -> SendGrid:
        key = (api_key, host, timeout, batch_size)
        with _lock:
            if key not in _clients:
                _clients[key] = cls(api_key, host, timeout=timeout, batch_size=batch_size)
            return _clients[key]

    def deliver(self, messages: list[Any]) -> list[Delivery]:
        results: dict[str, Delivery] = {}
        groups: dict[str, list[Any]] = {}
        for message in messages:
            groups.setdefault(message.content_key(), []).append(message)
        for group in groups.values():
            for start in range(0, len(group), self.batch_size):
                chunk = group[start:start + self.batch_size]
                delivery = self._post(chunk)
                for message in chunk:
                    results[message.id] = delivery
        return [results[m.id] for m in messages]

    def _post(self, chunk: list[Any]) -> Delivery:
        body = request_body(chunk)
        try:
            response = self.client.client.mail.send.post(request_body=body)
        except Exception as error:  # the SDK raises HTTPError subclasses, urllib/socket errors on timeouts
            return _failure(error)
        headers = {k.lower(): v for k, v in dict(response.headers or {}).items()}
        return Delivery(ok=True, provider_message_id=headers.get("x-message-id"), status=response.status_code)


def request_body(chunk: list[Any]) -> dict:
    """The Mail Send v3 body for messages sharing one body (one personalization each)."""
    first = chunk[0]
    body: dict[str, Any] = {
        "personalizations": [_personalization(m) for m in chunk],
        "from": first.sender.dump(),
        "reply_to": {"email": first.reply_to},
        "subject": first.subject,
        "content": [{"type": "text/plain", "value": first.text or " "}, {"type": "text/html", "value": first.html}],
        "categories": first.categories,
        "custom_args": {"bem_batch": first.id},
    }
    if first.group is not None:
        body["asm"] = {"group_id": first.group}
    if first.send_at:
        body["send_at"] = first.send_at
    return body


def _personalization(message: Any) -> dict:
    entry: dict[str, Any] = {"to": [a.dump() for a in message.to], "custom_args": {"bem_message_id": message.id},
                             "substitutions": {UNSUBSCRIBE_TOKEN: message.unsubscribe_url or ""}}
    if message.cc:
        entry["cc"] = [a.dump() for a in message.cc]
    if message.bcc:
        entry["bcc"] = [a.dump() for a in message.bcc]
    if message.headers:
        entry["headers"] = message.headers
    return entry


def _failure(error: Exception) -> Delivery:
    status = getattr(error, "status_code", None)
    if status is None:  # timeout / connection refused / DNS
        log.warning("SendGrid unreachable (%s): will retry", type(error).__name__)
        return Delivery(ok=False, error=f"{type(error).__name__}: {error}"[:500], retry=True)
    reason = _reason(getattr(error, "body", b""))
    log.warning("SendGrid answered %s: %s", status, reason)
    return Delivery(ok=False, status=status, error=f"{status}: {reason}"[:1000], retry=status >= 500 or status == 429)


def _reason(body: Any) -> str:
    text = body.decode(errors="replace") if isinstance(body, (bytes, bytearray)) else str(body or "")
    try:
        errors = json.loads(text).get("errors") or []
        return "; ".join(str(e.get("message")) + (f" ({e['field']})" if e.get("field") else "") for e in errors) or text
    except (ValueError, AttributeError):
        return text
