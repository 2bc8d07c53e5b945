"""GET /user/sessions {uid?}: what Firebase Auth knows about a user's sessions.

Firebase keeps no list of sessions; the answer has the last sign-in, the last token
refresh and ``tokensValidAfter`` (tokens issued earlier are revoked).
"""

from functions.api import RouteOptions
from functions.auth.admin import auth_admin
from functions.errors import NotFound

OPTIONS = RouteOptions(require="user")


def main(manager, user, settings):
    uid = user.target_uid(settings.uid)
    account = auth_admin(manager).get_user(uid)
    if account is None:
        raise NotFound(f"User '{uid}' not found")
    return {"sessions": account.sessions()}
