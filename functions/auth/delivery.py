"""At-least-once delivery helpers for the on-create / on-delete triggers.

- ``retrying``: transient Firestore failures are retried after 1 s, 2 s and 4 s.
- ``claim_event``: Eventarc may deliver one event twice (same event id). The first
  delivery creates ``auth-events/{eventId}`` atomically; a duplicate finds it and skips
  the project hook, so each hook runs at most once per event.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import tenacity

from functions.timestamps import Stamp

if TYPE_CHECKING:
    from functions.manager import Manager

EVENTS_COLLECTION = "auth-events"
RETRY_WAITS = (1, 2, 4)  # seconds before the 2nd, 3rd and 4th attempt


def is_transient(error: BaseException) -> bool:
    from google.api_core import exceptions

    transient = (
        exceptions.ServiceUnavailable,
        exceptions.DeadlineExceeded,
        exceptions.InternalServerError,
        exceptions.TooManyRequests,
        exceptions.Aborted,
        exceptions.GatewayTimeout,
        ConnectionError,
        TimeoutError,
    )
    return isinstance(error, transient)


def retrying(sleep: Callable[[float], None] = time.sleep) -> tenacity.Retrying:
    return tenacity.Retrying(
        retry=tenacity.retry_if_exception(is_transient),
        stop=tenacity.stop_after_attempt(len(RETRY_WAITS) + 1),
        wait=tenacity.wait_exponential(multiplier=RETRY_WAITS[0], min=RETRY_WAITS[0], max=RETRY_WAITS[-1]),
        sleep=sleep,
        reraise=True,
    )


def with_retries(action: Callable[[], Any], sleep: Callable[[float], None] = time.sleep) -> Any:
    return retrying(sleep)(action)


def claim_event(manager: Manager, event_id: str | None, kind: str, uid: str) -> bool:
    """True for the first delivery of ``event_id`` (always True without an id)."""
    if not event_id:
        return True
    from google.api_core.exceptions import AlreadyExists

    record = {"id": event_id, "type": kind, "uid": uid, "created": Stamp.now().dump()}
    try:
        manager.db.collection(EVENTS_COLLECTION).document(_safe_id(event_id)).create(record)
        return True
    except AlreadyExists:
        return False


def _safe_id(event_id: str) -> str:
    return event_id.replace("/", "_")[:500]
