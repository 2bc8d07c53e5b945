"""GET /user: the caller's user document (``uid`` for another user needs admin)."""

from functions.api import RouteOptions
from functions.errors import NotFound

OPTIONS = RouteOptions(require="user")


def main(user, settings, manager):
    uid = user.target_uid(settings.uid)
    doc = user.doc if uid == user.uid else manager.users.get(uid)
    if doc is None:
        raise NotFound(f"User '{uid}' not found")
    body = doc.dump()
    body.get("api", {}).pop("privateKey", None)  # shown only when regenerated
    return {"user": body}
