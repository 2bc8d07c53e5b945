"""How the test processor's Stripe-shaped events reach the pipeline the way Stripe's would: through
``POST /backend-manager/payments/webhook?processor=test&key=BACKEND_MANAGER_WEBHOOK_KEY``.

Delivery (``deliver_event``), in order of precedence:

1. a deliverer installed with ``use_deliverer(fn)`` (tests; ``fn(manager, event) -> None``);
2. ``BEM_API_URL`` set (e.g. ``http://127.0.0.1:5001/demo-bem/us-central1/bm_api``): a real HTTP
   POST to ``{BEM_API_URL}/payments/webhook``;
3. otherwise in-process: the same request through this Manager's own WSGI app. On the emulator or
   in production Firestore the ``bm_paymentsWebhookOnWrite`` trigger then runs the pipeline; on the
   in-memory Firestore (unit tier, no triggers) the pipeline is run here, synchronously.

Event ids are derived from the subscription (``evt_test_cancel_{sub}`` …), so a repeated request
is a duplicate delivery that the intake ignores: the test processor's idempotency key.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

from functions.config.secrets import secret
from functions.errors import ServiceUnavailable

Deliverer = Callable[[Any, dict], None]
_installed: list[Deliverer] = []


@contextlib.contextmanager
def use_deliverer(deliverer: Deliverer) -> Iterator[None]:
    """Route test-processor events to ``deliverer(manager, event)`` inside the block."""
    _installed.append(deliverer)
    try:
        yield
    finally:
        _installed.remove(deliverer)


def delivery_blocker() -> ServiceUnavailable | None:
    """Why test-processor events could not be delivered now (a 503 to raise before anything is written)."""
    if _installed or secret("BACKEND_MANAGER_WEBHOOK_KEY"):
        return None
    return ServiceUnavailable("The test payment processor is not configured: set BACKEND_MANAGER_WEBHOOK_KEY "
                              "(its events are delivered to payments/webhook with that key; `mgr setup` generates one)")


def deliver_event(manager: Any, event: dict) -> None:
    if _installed:
        return _installed[-1](manager, event)
    base = os.environ.get("BEM_API_URL")
    return deliver_over_http(base, event) if base else deliver_in_process(manager, event)


def _webhook_query() -> dict[str, str]:
    blocker = delivery_blocker()
    if blocker is not None:
        raise blocker
    return {"processor": "test", "key": secret("BACKEND_MANAGER_WEBHOOK_KEY") or ""}


def deliver_over_http(base_url: str, event: dict) -> None:
    import requests

    response = requests.post(f"{base_url.rstrip('/')}/payments/webhook", json=event, params=_webhook_query(), timeout=30)
    if response.status_code >= 300:
        raise ServiceUnavailable(f"Test webhook delivery failed with HTTP {response.status_code}; try again")


def deliver_in_process(manager: Any, event: dict) -> None:
    from functions.store import backend
    from functions.wsgi import api_app

    client = api_app(manager).test_client()
    response = client.post("/backend-manager/payments/webhook", json=event, query_string=_webhook_query())
    if response.status_code >= 300:
        raise ServiceUnavailable(f"Test webhook delivery failed with HTTP {response.status_code}; try again")
    body = response.get_json(silent=True) or {}
    if backend() == "memory" and not body.get("duplicate") and not body.get("ignored"):
        from functions.payments.pipeline import process_webhook_event

        process_webhook_event(manager, event["id"])
