"""Run one call on many threads released at the same moment, for race tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def all_at_once(count: int, call: Callable[[], T]) -> list[T]:
    """``call()`` on ``count`` threads that start together (a barrier); the results, in no order."""
    start = threading.Barrier(count)

    def released() -> T:
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return [future.result() for future in [pool.submit(released) for _ in range(count)]]
