"""GET /user/sessions {uid?, id?}: what is known about a user's sessions.

BEM answers the Realtime Database sessions of type ``id`` (``sessions/{id}``); this port keeps
no RTDB sessions, so a request for a session type, or BEM's admin "shell" user (admin key,
no uid), answers BEM's empty map ``{}``. Otherwise the answer is Firebase Auth's metadata:
``{sessions: {lastSignIn, lastRefresh, tokensValidAfter}}`` (tokens issued before
``tokensValidAfter`` are revoked). See docs/bem-differences.md.
"""

from functions.api import RouteOptions
from functions.auth.admin import auth_admin
from functions.errors import NotFound

OPTIONS = RouteOptions(require="user")


def main(manager, user, settings):
    if settings.id or (user.method == "admin-key" and not settings.uid):
        if settings.uid:
            user.target_uid(settings.uid)  # self-or-admin still applies
        return {}
    uid = user.target_uid(settings.uid)
    account = auth_admin(manager).get_user(uid)
    if account is None:
        raise NotFound(f"User '{uid}' not found")
    return {"sessions": account.sessions()}
