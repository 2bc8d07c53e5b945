"""A user was deleted (Auth v2 event ``google.firebase.auth.user.v2.deleted``).

Deletes ``users/{uid}`` (retried 1 s, 2 s, 4 s on transient failures; deleting a missing
document is a no-op, so duplicates are harmless), removes the marketing contact (idempotent, never
raises; functions/marketing/auto_sync.py), then runs the cleanup hook
``hooks/auth/on_delete.py`` once per event (errors logged, never raised).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from functions.auth import hooks
from functions.auth.delivery import claim_event, with_retries
from functions.auth.events import AuthUser
from functions.logs import get_logger

if TYPE_CHECKING:
    from functions.manager import Manager

Outcome = Literal["deleted", "duplicate", "failed"]
EVENT_TYPE = "google.firebase.auth.user.v2.deleted"

log = get_logger("auth/on_delete")


def handle(manager: Manager, user: AuthUser, *, event_id: str | None = None, event: Any = None,
           sleep: Callable[[float], None] = time.sleep) -> Outcome:
    try:
        with_retries(lambda: manager.users.ref(user.uid).delete(), sleep=sleep)
    except Exception:
        log.exception("on_delete: could not delete users/%s", user.uid)
        return "failed"
    from functions.marketing.auto_sync import after_account_deleted

    after_account_deleted(manager, user.email, user.uid)  # idempotent: before the claim, so a crash never skips it
    if not with_retries(lambda: claim_event(manager, event_id, EVENT_TYPE, user.uid), sleep=sleep):
        log.info("on_delete: duplicate delivery of event for %s; nothing to do", user.uid)
        return "duplicate"
    hooks.run_background(manager, "on_delete", user, event, log)
    return "deleted"
