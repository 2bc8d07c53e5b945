"""``marketing-campaigns/{id}``: BEM's document shape and the checks every write goes through.

A campaign document (BEM ``routes/marketing/campaign/utils.js``)::

    {type: email|push, sendAt: unix seconds, status: pending|processing|sent|failed,
     settings: {name, subject, preheader, template, content, data, lists, segments, excludeSegments,
                all, utm, filters, test, _testUid, sender, providers, group, categories, ...},
     recurrence?: {pattern, hour, minute, day, nth, month}, generator?: "newsletter",
     recurringId?: id of the recurring campaign a history document records an occurrence of,
     results?, error?, metadata: {created, updated}}

``sendAt`` accepts BEM's formats: ``"now"`` / empty (now), unix seconds (a number or a string of
digits) and an ISO 8601 date or date-time (a time without a zone is UTC). Anything else is a 400
naming ``sendAt`` (BEM silently sends such a campaign now).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from functions.errors import ValidationError
from functions.marketing.campaigns import recurrence as recurrences

COLLECTION = "marketing-campaigns"
TYPES = ("email", "push")
STATUSES = ("pending", "processing", "sent", "failed")
DOC_LEVEL_FIELDS = ("id", "sendAt", "type", "recurrence", "generator", "recurringId")
SEGMENT_FIELDS = ("segments", "excludeSegments")
_MAX_UNIX = 253402300799  # 9999-12-31T23:59:59Z


def parse_send_at(value: Any, now: int, field: str = "sendAt") -> int:
    """BEM's ``normalizeSendAt``, strict: unix seconds, or a 400 naming the field."""
    if value is None or value == "" or value == "now":
        return now
    if isinstance(value, bool):
        raise ValidationError(f"{field} must be 'now', unix seconds or an ISO 8601 date", field=field)
    if isinstance(value, (int, float)):
        seconds = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        seconds = int(value.strip())
    elif isinstance(value, str):
        seconds = _iso_seconds(value.strip(), field)
    else:
        raise ValidationError(f"{field} must be 'now', unix seconds or an ISO 8601 date", field=field)
    if not 0 <= seconds <= _MAX_UNIX:
        raise ValidationError(f"{field} is out of range (unix seconds, 1970 to 9999)", field=field)
    return seconds


def _iso_seconds(text: str, field: str) -> int:
    try:
        moment = dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValidationError(f"{field} {text[:40]!r} is not 'now', unix seconds or an ISO 8601 date", field=field) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp())


def validate_segments(settings: dict) -> None:
    """``segments`` / ``excludeSegments`` must name BEM's SEGMENTS (functions/marketing/fields.py)."""
    for field in SEGMENT_FIELDS:
        names = settings.get(field)
        if not names:
            continue
        from functions.marketing.fields import SEGMENTS, unknown_segments

        unknown = unknown_segments(list(names))
        if unknown:
            index = list(names).index(unknown[0])
            raise ValidationError(f"{field}.{index}: unknown segment {unknown[0]!r} (known: {', '.join(SEGMENTS)})",
                                  field=f"{field}.{index}")


def split_fields(fields: dict, now: int, *, creating: bool) -> tuple[dict, dict]:
    """BEM's ``buildCampaignDoc``: the document-level fields and the nested ``settings``.

    Creating: ``sendAt`` defaults to now and ``type`` to email. Updating: only the fields given
    are returned (BEM resets ``sendAt`` to now on a PUT without one; we do not).
    """
    doc: dict[str, Any] = {}
    if creating or fields.get("sendAt") not in (None, ""):
        doc["sendAt"] = parse_send_at(fields.get("sendAt"), now)
    if creating or fields.get("type"):
        doc["type"] = fields.get("type") or "email"
        if doc["type"] not in TYPES:
            raise ValidationError(f"type must be one of {', '.join(TYPES)}", field="type")
    if fields.get("recurrence") is not None:
        doc["recurrence"] = recurrences.validate(fields["recurrence"])
    for key in ("generator", "recurringId"):
        if fields.get(key):
            doc[key] = fields[key]
    settings = {key: value for key, value in fields.items() if key not in DOC_LEVEL_FIELDS and not _empty(value)}
    validate_segments(settings)
    return doc, settings


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, dict)) and not value)


def public(campaign_id: str, data: dict) -> dict:
    """The campaign as the routes answer it: ``{id, ...document}``."""
    return {"id": campaign_id, **data}


def pending_campaign(snapshot: Any, action: str) -> dict:
    """The stored campaign if it may still change (``pending``): else 404, or 400 naming its status (BEM)."""
    from functions.errors import BadRequest, NotFound

    data = snapshot.to_dict() if snapshot.exists else None
    if not isinstance(data, dict):
        raise NotFound("Campaign not found")
    if data.get("status") != "pending":
        raise BadRequest(f'Cannot {action} campaign with status "{data.get("status")}"')
    return data
