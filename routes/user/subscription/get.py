"""GET /user/subscription: the stored subscription and what it entitles now."""

from functions.api import RouteOptions
from functions.errors import NotFound
from functions.user import resolve_subscription

OPTIONS = RouteOptions(require="user")


def main(user, settings, manager):
    uid = user.target_uid(settings.uid)
    doc = user.doc if uid == user.uid else manager.users.get(uid)
    if doc is None:
        raise NotFound(f"User '{uid}' not found")
    return {"subscription": doc.subscription.dump(), "resolved": resolve_subscription(doc).model_dump()}
