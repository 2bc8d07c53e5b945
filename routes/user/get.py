"""GET /user: the caller's user document as BEM resolves it, ``{user: {..., authenticated}}``.

``uid`` for another user needs admin. The admin key without a ``uid`` answers BEM's admin
"shell" user (``roles.admin``, no account). ``api.privateKey`` is never answered (shown once,
by POST /user/api-keys; see docs/bem-differences.md).
"""

from functions.api import RouteOptions

OPTIONS = RouteOptions(require="user")


def main(user, settings, manager):
    if user.method == "admin-key" and not settings.uid:
        body = user.doc.dump()
    else:
        _, doc = user.target_doc(settings.uid, manager.users)
        body = doc.dump()
    body.get("api", {}).pop("privateKey", None)
    body["authenticated"] = True
    return {"user": body}
