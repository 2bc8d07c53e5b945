"""Concurrent writers of one caller's counters: queue in-process, back off across instances.

Firestore (and its emulator) lock a document read inside a transaction; two transactions
that both read and then write it wait on each other until one is aborted (the emulator
after a lock timeout of about a second). Within one instance the meter therefore takes a
per-document lock around its transaction; contention between instances is retried with
full-jitter exponential backoff, which the client's own retry loop lacks.
"""

from __future__ import annotations

import random
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from functions.errors import ServiceUnavailable

CONTENTION_DEADLINE = 45.0
"""Seconds to keep retrying a transaction that contention aborted (other instances writing
the same counters), with jittered backoff: the client's own retry loop does not sleep."""


def with_backoff(attempt: Callable[[], Any]) -> Any:
    """Run ``attempt``; while Firestore aborts it for contention, sleep (full jitter, doubling) and retry."""
    from google.api_core.exceptions import Aborted

    deadline = time.monotonic() + CONTENTION_DEADLINE
    ceiling = 0.02
    while True:
        try:
            return attempt()
        except (Aborted, ValueError) as error:
            aborted = isinstance(error, Aborted) or isinstance(error.__cause__, Aborted)
            if not aborted:
                raise
            if time.monotonic() > deadline:
                raise ServiceUnavailable("Usage is busy for this account; retry the request") from error
        time.sleep(random.uniform(0, ceiling))
        ceiling = min(ceiling * 2, 1.0)


_locks_guard = threading.Lock()
_key_locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()


def key_lock(path: str) -> threading.Lock:
    """One lock per counter document in this process: concurrent requests of one caller in one
    instance queue here instead of aborting each other's transactions (Firestore locks the
    document on read, so concurrent read-then-write transactions deadlock until one times out)."""
    with _locks_guard:
        lock = _key_locks.get(path)
        if lock is None:
            lock = threading.Lock()
            _key_locks[path] = lock
        return lock
