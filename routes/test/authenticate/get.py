"""GET /test/authenticate: who the credentials on this request belong to, as BEM answers it.

``{user}``: the caller's user document with ``authenticated`` (BEM's resolved user), the
port's ``method`` and ``admin`` flags kept as extras. ``api.privateKey`` is never echoed.
"""

from functions.api import RouteOptions

OPTIONS = RouteOptions(setup_usage=False, setup_settings=False)


def main(user):
    body = user.doc.dump()
    body.get("api", {}).pop("privateKey", None)
    body["authenticated"] = user.authenticated
    if user.is_admin:
        body.setdefault("roles", {})["admin"] = True
    return {"user": body, "authenticated": user.authenticated, "uid": user.uid, "method": user.method, "admin": user.is_admin}
