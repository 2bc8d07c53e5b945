"""GET /test/authenticate: who the credentials on this request belong to."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(setup_usage=False, setup_settings=False)


def main(user):
    return {
        "authenticated": user.authenticated,
        "uid": user.uid,
        "method": user.method,
        "admin": user.is_admin,
    }
