"""PUT /marketing/campaign {id, ...fields}: change a pending campaign (admin only); answers
``{success, campaign}``.

Only the fields sent change (BEM also resets ``sendAt`` to now when it is left out); ``settings``
fields are merged into the stored ones. A campaign that is not ``pending`` (being sent, sent,
failed): 400. Read and written in one transaction, so an edit never lands on a campaign the job
claimed meanwhile.
"""

from functions.api import RouteOptions
from functions.errors import ValidationError
from functions.marketing.campaigns import dispatch
from functions.marketing.campaigns.model import COLLECTION, pending_campaign, public, split_fields
from functions.timestamps import stamp_now, utcnow

OPTIONS = RouteOptions(require="admin", setup_usage=False)


def main(user, settings, db):
    from google.cloud import firestore

    fields = settings.model_dump(by_alias=True, exclude_none=True, exclude={"id"})
    doc_fields, campaign_settings = split_fields(fields, int(utcnow().timestamp()), creating=False)
    if "generator" in doc_fields and not dispatch.generator_exists(doc_fields["generator"]):
        raise ValidationError(f"generator {doc_fields['generator']!r} is not an installed generator", field="generator")
    reference = db.collection(COLLECTION).document(settings.id)

    @firestore.transactional
    def edit(transaction):
        existing = pending_campaign(reference.get(transaction=transaction), "edit")
        update = {**existing, **doc_fields, "metadata": {**_dict(existing.get("metadata")), "updated": stamp_now()}}
        if campaign_settings:
            update["settings"] = {**_dict(existing.get("settings")), **campaign_settings}
            if campaign_settings.get("test"):
                update["settings"]["_testUid"] = user.uid
        transaction.set(reference, update)
        return update

    return {"success": True, "campaign": public(reference.id, edit(db.transaction()))}


def _dict(value):
    return value if isinstance(value, dict) else {}
