"""Development and tests without a provider key: marketing calls are recorded, never silently dropped.

Every call writes ``marketing-local/{id}`` (``provider``, ``action`` upsert | remove | campaign,
the addresses, the fields sent, ``created``) and logs where; a campaign is also delivered to the
local mailbox (``emails-mailbox``, ``mgr mail list``) so its rendering can be read. The answer says
``local: true`` and ``where`` so a caller can tell it from a real provider's success.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from functions.marketing.providers import Campaign, Contact
from functions.timestamps import stamp_now

COLLECTION = "marketing-local"
MAILBOX = "emails-mailbox"
RECORDED_CONTACTS = 50  # contacts kept in full per record (the addresses are always all kept)
log = logging.getLogger("bem.marketing")


class Local:
    def __init__(self, db: Any, name: str) -> None:
        self.db, self.name = db, name

    def _record(self, action: str, fields: dict) -> dict:
        record_id = uuid.uuid4().hex
        self.db.collection(COLLECTION).document(record_id).set({"id": record_id, "provider": self.name, "action": action,
                                                                **fields, "created": stamp_now()})
        where = f"{COLLECTION}/{record_id}"
        log.info("marketing %s %s recorded locally in %s (no %s key)", self.name, action, where,
                 "SENDGRID_API_KEY" if self.name == "campaigns" else "BEEHIIV_API_KEY")
        return {"success": True, "local": True, "id": record_id, "where": where}

    def upsert(self, contacts: list[Contact]) -> dict:
        kept = [{"email": c.email, "firstName": c.first_name, "lastName": c.last_name, "source": c.source,
                 "fields": c.values} for c in contacts[:RECORDED_CONTACTS]]
        return {**self._record("upsert", {"emails": [c.email for c in contacts], "count": len(contacts), "contacts": kept}),
                "count": len(contacts)}

    def remove(self, email: str) -> dict:
        return self._record("remove", {"emails": [email], "count": 1})

    def send_campaign(self, campaign: Campaign) -> dict:
        answer = self._record("campaign", {
            "name": campaign.name, "subject": campaign.subject, "preheader": campaign.preheader,
            "segments": campaign.segments, "excludeSegments": campaign.exclude_segments, "lists": campaign.lists,
            "all": campaign.all, "test": campaign.test, "sendAt": campaign.send_at, "group": campaign.group})
        audience = ", ".join(campaign.segments) or ", ".join(campaign.lists) or "all contacts"
        self.db.collection(MAILBOX).document(answer["id"]).set({
            "id": answer["id"], "to": [{"email": f"{self.name} campaign: {audience}"}], "cc": [], "bcc": [],
            "from": {"email": campaign.from_email or "", "name": campaign.from_name}, "subject": campaign.subject,
            "template": None, "categories": campaign.categories, "headers": {}, "html": campaign.html,
            "text": "", "created": stamp_now(), "campaign": {"provider": self.name, "record": answer["where"]}})
        return {**answer, "mailbox": f"{MAILBOX}/{answer['id']}"}
