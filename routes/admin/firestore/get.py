"""GET /admin/firestore?path=users/abc: read any document (admin only)."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(require="admin", setup_usage=False)


def main(settings, db):
    snapshot = db.document(settings.path).get()
    return {"path": settings.path, "exists": snapshot.exists, "data": snapshot.to_dict()}
