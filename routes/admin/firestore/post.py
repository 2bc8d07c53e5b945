"""POST /admin/firestore {path, document, merge}: write any document (admin only)."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(require="admin", setup_usage=False)


def main(settings, db):
    db.document(settings.path).set(settings.document, merge=settings.merge)
    return {"path": settings.path, "written": True, "merge": settings.merge}
