"""GET /admin/firestore?path=users/abc: read any document (admin only).

Answers the document's data as stored, or ``{}`` when it does not exist (BEM's answer).
"""

from functions.api import RouteOptions

OPTIONS = RouteOptions(require="admin", setup_usage=False)


def main(settings, db):
    return db.document(settings.path).get().to_dict() or {}
