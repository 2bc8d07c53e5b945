"""POST /admin/firestore/query {collection, where, orderBy, limit}: query any collection (admin only)."""

from google.cloud.firestore_v1.base_query import FieldFilter

from functions.api import RouteOptions

OPTIONS = RouteOptions(require="admin", setup_usage=False)


def main(settings, db):
    query = db.collection(settings.collection)
    for condition in settings.where:
        query = query.where(filter=FieldFilter(condition.field, condition.op, condition.value))
    for order in settings.order_by:
        query = query.order_by(order.field, direction="DESCENDING" if order.direction == "desc" else "ASCENDING")
    documents = [
        {"id": snap.id, "path": snap.reference.path, "data": snap.to_dict()}
        for snap in query.limit(settings.limit).stream()
    ]
    return {"collection": settings.collection, "count": len(documents), "documents": documents}
