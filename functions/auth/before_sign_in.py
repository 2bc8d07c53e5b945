"""Before a user signs in (blocking).

Records ``metadata.updated``, ``activity.geolocation.ip`` and ``activity.client``
(``userAgent``, ``language``) on ``users/{uid}`` with ``update``: a document that does not
exist yet is left alone (on-create or lazy provisioning writes the whole default document;
a partial one written here would make provisioning skip it). A failed update never blocks
the sign-in. Then the project hook ``hooks/auth/before_sign_in.py`` runs and may refuse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.auth import hooks
from functions.auth.events import AuthUser, SignInContext
from functions.logs import get_logger
from functions.timestamps import Stamp

if TYPE_CHECKING:
    from functions.manager import Manager

log = get_logger("auth/before_sign_in")


def activity_update(context: SignInContext, now: Stamp | None = None) -> dict[str, Any]:
    """The field updates (dotted paths) a sign-in writes; unknown client details are not written."""
    updates: dict[str, Any] = {"metadata.updated": (now or Stamp.now()).dump()}
    fields = {
        "activity.geolocation.ip": context.ip,
        "activity.client.userAgent": context.user_agent,
        "activity.client.language": context.language,
    }
    updates.update({path: value for path, value in fields.items() if value})
    return updates


def record_activity(manager: Manager, user: AuthUser, context: SignInContext) -> bool:
    """True when the document existed and was updated."""
    from google.api_core.exceptions import NotFound

    try:
        manager.users.ref(user.uid).update(activity_update(context))
        return True
    except NotFound:
        log.info("before_sign_in: no user document yet for %s; activity not recorded", user.uid)
    except Exception:
        log.exception("before_sign_in: activity update failed for %s (sign-in allowed)", user.uid)
    return False


def handle(manager: Manager, user: AuthUser, context: SignInContext, event: Any = None) -> None:
    record_activity(manager, user, context)
    hooks.run_blocking(manager, "before_sign_in", user, event if event is not None else context, log)
