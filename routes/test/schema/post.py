"""POST /test/schema: the settings BEM's schema showcase resolved for this caller (BEM's answer; not in production)."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(environments=("development", "testing"), setup_usage=False)


def main(user, settings):
    body = settings.model_dump(by_alias=True, mode="json")
    if body.get("conditionalRequired") is None:
        body.pop("conditionalRequired", None)
    return {
        "settings": body,
        "user": {"authenticated": user.authenticated, "uid": user.uid, "subscription": user.doc.subscription.product.id or "basic"},
    }
