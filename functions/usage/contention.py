"""Concurrent writers of one caller's counters: queue in-process, back off across instances.

The meter writes with optimistic concurrency (a precondition on the version it read), so
a write that lost the race fails with ``FailedPrecondition`` (``AlreadyExists`` when two
created the document; ``Aborted`` when Firestore gave up on a lock) and is retried after
full-jitter exponential backoff. Within one instance, requests of one caller queue on a
per-document lock first, so only other instances can make a write lose.
"""

from __future__ import annotations

import random
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from functions.errors import ServiceUnavailable

CONTENTION_DEADLINE = 30.0
"""Seconds to keep retrying a write that lost to another instance writing the same counters."""


def with_backoff(attempt: Callable[[], Any]) -> Any:
    """Run ``attempt``; while it loses a race (see module doc), sleep (full jitter, doubling) and retry.
    Past the deadline the caller gets 503 and nothing was written."""
    from google.api_core.exceptions import Conflict, FailedPrecondition  # Conflict covers Aborted and AlreadyExists

    deadline = time.monotonic() + CONTENTION_DEADLINE
    ceiling = 0.02
    while True:
        try:
            return attempt()
        except (Conflict, FailedPrecondition) as error:
            if time.monotonic() > deadline:
                raise ServiceUnavailable("Usage is busy for this account; retry the request") from error
        time.sleep(random.uniform(0, ceiling))
        ceiling = min(ceiling * 2, 0.5)


_locks_guard = threading.Lock()
_key_locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()


def key_lock(path: str) -> threading.Lock:
    """One lock per counter document in this process: concurrent requests of one caller in one
    instance queue here instead of failing each other's conditional writes and backing off."""
    with _locks_guard:
        lock = _key_locks.get(path)
        if lock is None:
            lock = threading.Lock()
            _key_locks[path] = lock
        return lock
