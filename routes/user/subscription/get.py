"""GET /user/subscription: the stored subscription and what it entitles now."""

from functions.api import RouteOptions
from functions.user import resolve_subscription

OPTIONS = RouteOptions(require="user")


def main(user, settings, manager):
    _, doc = user.target_doc(settings.uid, manager.users)
    return {"subscription": doc.subscription.dump(), "resolved": resolve_subscription(doc).model_dump()}
