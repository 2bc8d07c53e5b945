"""POST /user/token {uid?}: a Firebase custom token for the caller (or, as admin, any user)."""

from functions.api import RouteOptions
from functions.auth.admin import auth_admin

OPTIONS = RouteOptions(require="user")


def main(manager, user, settings):
    uid = user.target_uid(settings.uid)
    return {"token": auth_admin(manager).create_custom_token(uid)}
