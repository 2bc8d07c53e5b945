"""GET /user: the caller's user document (``uid`` for another user needs admin)."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(require="user")


def main(user, settings, manager):
    _, doc = user.target_doc(settings.uid, manager.users)
    body = doc.dump()
    body.get("api", {}).pop("privateKey", None)  # shown only when regenerated
    return {"user": body}
