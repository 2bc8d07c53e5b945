"""DELETE /user/sessions {uid?}: sign out everywhere (revoke every refresh token).

ID tokens already issued stay valid until they expire (≤ 1 hour) unless the API checks
revocation (``api.checkRevoked`` in the config). Answers BEM's ``{sessions, message}``:
``sessions`` counts the Realtime Database sessions BEM signs out, which this port does not
keep (always 0); ``success`` and ``auth`` (Auth's session metadata) are the port's extras.
"""

from functions.api import RouteOptions
from functions.auth.admin import auth_admin
from functions.errors import NotFound

OPTIONS = RouteOptions(require="user")


def main(manager, user, settings):
    uid = user.target_uid(settings.uid)
    admin = auth_admin(manager)
    if admin.get_user(uid) is None:
        raise NotFound(f"User '{uid}' not found")
    admin.revoke_refresh_tokens(uid)
    account = admin.get_user(uid)
    return {
        "sessions": 0,
        "message": f"Successfully signed {uid} out of all sessions",
        "success": True,
        "auth": account.sessions() if account else None,
    }
