"""Batched writes for jobs that touch many documents: commit every ``size`` writes, count them."""

from __future__ import annotations

from typing import Any

BATCH_SIZE = 500  # Firestore's limit of writes per batch


class Batcher:
    """Add updates and deletes; a batch is committed every ``size`` writes and by ``flush``."""

    def __init__(self, db: Any, size: int = BATCH_SIZE) -> None:
        self._db, self._size = db, size
        self._batch = db.batch()
        self._pending = 0
        self.written = 0

    def update(self, ref: Any, updates: dict) -> None:
        self._batch.update(ref, updates)
        self._added()

    def set(self, ref: Any, data: dict, merge: bool = False) -> None:
        self._batch.set(ref, data, merge=merge)
        self._added()

    def delete(self, ref: Any) -> None:
        self._batch.delete(ref)
        self._added()

    def _added(self) -> None:
        self._pending += 1
        if self._pending >= self._size:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._batch.commit()
            self.written += self._pending
            self._batch, self._pending = self._db.batch(), 0
