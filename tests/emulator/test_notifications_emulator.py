"""bm_notificationsOnWrite in the Functions emulator: a real Firestore trigger on notifications/{token}
keeps meta/stats.notifications.total in step with creates and deletes, ignores updates, and leaves one
ledger record per event (what makes a redelivered event a no-op; the redelivery itself is proven in
tests/unit/test_notifications_stats.py, since the emulator does not redeliver)."""

from __future__ import annotations

import time
import uuid

import pytest
from google.cloud.firestore_v1.base_query import FieldFilter

from functions.notifications.stats import EVENTS_COLLECTION

pytestmark = pytest.mark.emulator
TRIGGER_TIMEOUT = 30


def total(firestore) -> int:
    return int((((firestore.get("meta/stats") or {}).get("notifications") or {}).get("total")) or 0)


def ledger(manager, token: str) -> list[str]:
    query = manager.db.collection(EVENTS_COLLECTION).where(filter=FieldFilter("token", "==", token))
    return sorted(s.to_dict()["type"] for s in query.stream())


def test_create_update_delete_move_the_counter_once_each(manager, firestore, wait_for):
    start = total(firestore)
    tokens = [f"emu-{uuid.uuid4().hex[:12]}" for _ in range(3)]
    for token in tokens:
        firestore.set(f"notifications/{token}", {"token": token, "tags": ["news"], "owner": None})
    wait_for(lambda: total(firestore) == start + 3, timeout=TRIGGER_TIMEOUT, message="creates were not counted")
    firestore.set(f"notifications/{tokens[0]}", {"token": tokens[0], "tags": ["news", "sale"], "owner": "u-1"})
    firestore.delete(f"notifications/{tokens[1]}")
    wait_for(lambda: total(firestore) == start + 2, timeout=TRIGGER_TIMEOUT, message="the delete was not counted")
    wait_for(lambda: ledger(manager, tokens[1]) == ["create", "delete"], timeout=TRIGGER_TIMEOUT)
    time.sleep(2)  # the update's trigger has run by now too: it changes nothing and records nothing
    assert total(firestore) == start + 2
    assert ledger(manager, tokens[0]) == ["create"]
    for token in tokens:
        firestore.delete(f"notifications/{token}")
    wait_for(lambda: total(firestore) == start, timeout=TRIGGER_TIMEOUT, message="cleanup deletes were not counted")
