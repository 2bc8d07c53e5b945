"""POST /marketing/campaign: create an e-mail or push campaign (admin only), BEM's answer
``{success, id, status, sendAt, providers}``.

A future ``sendAt`` saves it ``pending`` for the frequent job (``providers: null``); ``now`` or a past
``sendAt`` sends it at once through the job's own claim-and-send path, so an overlapping job run can
never send it a second time (a campaign with a ``generator`` is left to the job's next run: generating
an issue takes AI calls no request should wait for). Bad ``type``, ``sendAt``, ``recurrence``, segments or generator: 400
naming the field. An ``id`` already used: 409 (BEM overwrites the campaign).
"""

from functions.api import RouteOptions
from functions.errors import Conflict, ValidationError
from functions.marketing.campaigns import dispatch, runner
from functions.marketing.campaigns.model import COLLECTION, split_fields
from functions.timestamps import stamp_now, utcnow

OPTIONS = RouteOptions(require="admin", setup_usage=False)


def main(manager, user, settings, db):
    from google.api_core import exceptions

    now = utcnow()
    fields = settings.model_dump(by_alias=True, exclude_none=True, exclude={"id"})
    doc_fields, campaign_settings = split_fields(fields, int(now.timestamp()), creating=True)
    if "generator" in doc_fields and not dispatch.generator_exists(doc_fields["generator"]):
        raise ValidationError(f"generator {doc_fields['generator']!r} is not an installed generator", field="generator")
    if campaign_settings.get("test"):
        campaign_settings["_testUid"] = user.uid
    reference = db.collection(COLLECTION).document(settings.id) if settings.id else db.collection(COLLECTION).document()
    stamp = stamp_now()
    try:
        reference.create({**doc_fields, "settings": campaign_settings, "status": "pending",
                          "metadata": {"created": stamp, "updated": stamp}})
    except exceptions.AlreadyExists:
        raise Conflict(f"Campaign '{reference.id}' already exists: change it with PUT") from None
    if doc_fields["sendAt"] > int(now.timestamp()) or "generator" in doc_fields:  # generating (AI) is the job's, not a request's
        return {"success": True, "id": reference.id, "status": "pending", "sendAt": doc_fields["sendAt"], "providers": None}
    outcome = runner.process(manager, reference, now)
    status = outcome.status if outcome.status in ("sent", "failed") else "pending"
    return {"success": True, "id": reference.id, "status": status, "sendAt": doc_fields["sendAt"], "providers": outcome.results}
