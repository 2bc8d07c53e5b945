"""DELETE /marketing/campaign {id}: delete a pending campaign (admin only); answers ``{success, deleted}``.

Sent and failed campaigns are history, and one being sent is the job's: 400 (BEM). Read and
deleted in one transaction, so a campaign the job claimed meanwhile is never deleted mid-send.
"""

from functions.api import RouteOptions
from functions.marketing.campaigns.model import COLLECTION, pending_campaign

OPTIONS = RouteOptions(require="admin", setup_usage=False)


def main(settings, db):
    from google.cloud import firestore

    reference = db.collection(COLLECTION).document(settings.id)

    @firestore.transactional
    def delete(transaction):
        pending_campaign(reference.get(transaction=transaction), "delete")
        transaction.delete(reference)

    delete(db.transaction())
    return {"success": True, "deleted": reference.id}
