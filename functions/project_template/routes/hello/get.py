"""GET /backend-manager/hello?name=...: an example route of this project (copy it to start a new one)."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(require="user")


def main(user, settings):
    return {"hello": settings.name, "uid": user.uid}
