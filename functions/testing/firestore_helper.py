"""The ``firestore`` fixture: terse document access for tests (either tier)."""

from __future__ import annotations

from typing import Any


class FirestoreHelper:
    def __init__(self, db: Any) -> None:
        self.db = db

    def get(self, path: str) -> dict | None:
        snapshot = self.db.document(path).get()
        return snapshot.to_dict() if snapshot.exists else None

    def set(self, path: str, data: dict, merge: bool = False) -> None:
        self.db.document(path).set(data, merge=merge)

    def delete(self, path: str) -> None:
        self.db.document(path).delete()

    def exists(self, path: str) -> bool:
        return self.db.document(path).get().exists

    def list(self, collection: str) -> dict[str, dict]:
        return {snap.id: snap.to_dict() for snap in self.db.collection(collection).stream()}
