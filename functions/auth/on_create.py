"""A user was created (Auth v2 event ``google.firebase.auth.user.v2.created``).

Anonymous users are skipped. Otherwise the default document is written through
``manager.users.provision`` (the same atomic ``create`` lazy provisioning uses, so whichever
comes first wins and the other changes nothing): name split from the display name,
``metadata.created`` from the Auth creation time. The document is created with BEM's
``metadata.tag = "auth:on-create"`` in the same write (what BEM's account setup waits for). Transient failures are retried (1 s, 2 s,
4 s); if all fail the error is logged and lazy provisioning creates the document on the
user's first API call. Then the project hook ``hooks/auth/on_create.py`` runs once per
event (errors logged, never raised).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from functions.auth import hooks
from functions.auth.delivery import claim_event, with_retries
from functions.auth.events import AuthUser
from functions.logs import get_logger
from functions.timestamps import Stamp

if TYPE_CHECKING:
    from functions.manager import Manager

Outcome = Literal["created", "exists", "anonymous", "duplicate", "failed"]
EVENT_TYPE = "google.firebase.auth.user.v2.created"
ON_CREATE_TAG = "auth:on-create"

log = get_logger("auth/on_create")


def handle(manager: Manager, user: AuthUser, *, event_id: str | None = None, event: Any = None,
           sleep: Callable[[float], None] = time.sleep) -> Outcome:
    if user.anonymous:
        log.info("on_create: skipping anonymous user %s", user.uid)
        return "anonymous"
    created = Stamp.at(user.created) if user.created else None
    try:
        _, created_now = with_retries(
            lambda: manager.users.provision(
                user.uid, user.email, display_name=user.display_name, created=created, tag=ON_CREATE_TAG
            ),
            sleep=sleep,
        )
    except Exception:
        log.exception("on_create: could not write users/%s; lazy provisioning will create it", user.uid)
        return "failed"
    if not with_retries(lambda: claim_event(manager, event_id, EVENT_TYPE, user.uid), sleep=sleep):
        log.info("on_create: duplicate delivery of event for %s; nothing to do", user.uid)
        return "duplicate"
    hooks.run_background(manager, "on_create", user, event, log)
    return "created" if created_now else "exists"
