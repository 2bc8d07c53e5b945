"""One accessor for Firestore, whichever backend runs.

- ``FIRESTORE_EMULATOR_HOST`` set → the emulator, with anonymous credentials
  (firebase-admin's ``firestore.client()`` demands real credentials even there).
- ``BEM_FIRESTORE=memory``         → the in-process ``MemoryFirestore`` (unit tier, ``mgr serve``).
- otherwise                        → production, with application default credentials.

google-cloud-firestore is imported only when the first client is made (cold start).
"""

from __future__ import annotations

import os
import threading
from typing import Any

_lock = threading.Lock()
_clients: dict[tuple[str, str], Any] = {}


def backend() -> str:
    if os.environ.get("FIRESTORE_EMULATOR_HOST"):
        return "emulator"
    if os.environ.get("BEM_FIRESTORE") == "memory":
        return "memory"
    return "production"


def firestore_client(project: str) -> Any:
    key = (backend(), project)
    with _lock:
        if key not in _clients:
            _clients[key] = _make(key[0], project)
        return _clients[key]


def _make(kind: str, project: str) -> Any:
    if kind == "memory":
        from functions.store.memory import MemoryFirestore

        return MemoryFirestore(project)
    from google.cloud import firestore

    if kind == "emulator":
        from google.auth.credentials import AnonymousCredentials

        return firestore.Client(project=project, credentials=AnonymousCredentials())
    return firestore.Client(project=project)


def reset_clients() -> None:
    with _lock:
        _clients.clear()


__all__ = ["backend", "firestore_client", "reset_clients"]
