"""GET /marketing/campaign (admin only): ``{success, campaign}`` for ``id``, else ``{success, campaigns,
count}`` filtered by ``status``, ``type`` and ``start``/``end`` (``sendAt`` in unix seconds), by ``sendAt``
ascending, at most ``limit`` (100). BEM's calendar reads it.
"""

from functions.api import RouteOptions
from functions.errors import NotFound
from functions.marketing.campaigns.model import COLLECTION, public

OPTIONS = RouteOptions(require="admin", setup_usage=False)


def main(settings, db):
    from google.cloud.firestore_v1.base_query import FieldFilter

    if settings.id:
        snapshot = db.collection(COLLECTION).document(settings.id).get()
        data = snapshot.to_dict() if snapshot.exists else None
        if not isinstance(data, dict):
            raise NotFound("Campaign not found")
        return {"success": True, "campaign": public(snapshot.id, data)}
    query = db.collection(COLLECTION)
    for name in ("status", "type"):
        if getattr(settings, name):
            query = query.where(filter=FieldFilter(name, "==", getattr(settings, name)))
    if settings.start is not None:
        query = query.where(filter=FieldFilter("sendAt", ">=", settings.start))
    if settings.end is not None:
        query = query.where(filter=FieldFilter("sendAt", "<=", settings.end))
    campaigns = [public(s.id, s.to_dict()) for s in query.order_by("sendAt").limit(settings.limit).get() if isinstance(s.to_dict(), dict)]
    return {"success": True, "campaigns": campaigns, "count": len(campaigns)}
