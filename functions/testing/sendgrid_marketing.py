"""The SendGrid Marketing half of ``SendGridFake`` (contacts, custom fields, lists, segments, exports,
verified senders, Single Sends, ASM group suppressions), answering as SendGrid's v3 API does.

    fake.contacts()                          # email → {id, email, first_name, last_name, custom_fields, list_ids}
    fake.marketing_calls("PUT", "/v3/marketing/contacts")   # recorded requests (method, path, body, query, status)
    fake.add_sender("offers@example.com")    # a verified Sender Identity (Single Sends need one)
    fake.set_segment_members("engagement_inactive_6m", ["a@x.com"])   # who a segment (and its exports) holds
    fake.single_sends()                      # id → {body, status, send_at}
    fake.suppressions(group_id)              # ASM group → addresses
    fake.fail_next(1, status=500, endpoint="marketing")   # "mail" (default) | "marketing" | a path prefix

Custom fields and segments start as BEM's (``functions.marketing.fields``), as the brand's onboarding
tool creates them; a seeded segment's ``query_dsl`` is ``… WHERE segment = '<key>'``, and a segment
made from others (a brand-scoped temporary one) holds the contacts in all of them with that brand id.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

SEGMENT_REF = re.compile(r"segment = '([^']+)'")
BRAND_REF = re.compile(r"\"brand_id\" = '([^']*)'")


@dataclass
class MarketingCall:
    method: str
    path: str
    body: Any
    query: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


class MarketingState:
    """State and routes for ``/v3/marketing/*``, ``/v3/verified_senders``, ``/v3/asm/*`` (mixed into SendGridFake)."""

    lock: threading.RLock
    url: str

    def reset_marketing(self) -> None:
        from functions.marketing.fields import FIELDS, SEGMENTS

        with self.lock:
            self.marketing_requests: list[MarketingCall] = []
            self._contacts: dict[str, dict] = {}
            self._fields = {name: f"e{i}_{'N' if spec['type'] == 'number' else 'D' if spec['type'] == 'date' else 'T'}"
                            for i, (name, spec) in enumerate(FIELDS.items(), start=1) if "sendgrid" not in spec.get("skip", ())}
            self._segments = {f"seg_{key}": {"id": f"seg_{key}", "name": key,
                                             "query_dsl": f"SELECT contact_id, updated_at FROM contact_data WHERE segment = '{key}'"}
                              for key in SEGMENTS}
            self._members: dict[str, set[str]] = {}
            self._senders: dict[str, int] = {}
            self._single_sends: dict[str, dict] = {}
            self._suppressions: dict[str, set[str]] = {}
            self._exports: dict[str, list[dict]] = {}
            self.max_upsert = 30_000

    # test controls -------------------------------------------------------------------------------
    def contacts(self) -> dict[str, dict]:
        with self.lock:
            return {email: dict(c) for email, c in self._contacts.items()}

    def contact(self, email: str) -> dict | None:
        with self.lock:
            found = self._contacts.get(email.lower())
            return dict(found) if found else None

    def field_id(self, name: str) -> str:
        return self._fields[name]

    def marketing_calls(self, method: str | None = None, prefix: str = "") -> list[MarketingCall]:
        with self.lock:
            return [c for c in self.marketing_requests
                    if (method is None or c.method == method.upper()) and c.path.startswith(prefix)]

    def add_sender(self, email: str) -> int:
        with self.lock:
            return self._senders.setdefault(email.lower(), len(self._senders) + 1)

    def set_segment_members(self, key: str, emails: list[str]) -> None:
        with self.lock:
            self._members[key] = {e.lower() for e in emails}

    def single_sends(self) -> dict[str, dict]:
        with self.lock:
            return {k: dict(v) for k, v in self._single_sends.items()}

    def segments(self) -> dict[str, dict]:
        with self.lock:
            return {k: dict(v) for k, v in self._segments.items()}

    def suppressions(self, group_id: int | str) -> set[str]:
        with self.lock:
            return set(self._suppressions.get(str(group_id), set()))

    def seed_contact(self, email: str, **custom: Any) -> dict:
        """A contact already in the account (``custom``: BEM field name → value)."""
        with self.lock:
            return self._upsert_one({"email": email, "custom_fields": {self._fields[k]: v for k, v in custom.items()}}, [])

    # routing -----------------------------------------------------------------------------------
    def marketing_route(self, method: str, path: str, body: Any, query: dict[str, str]) -> tuple[int, Any]:
        parts = [unquote(p) for p in path.strip("/").split("/")][1:]  # drop "v3"
        if parts[:1] == ["verified_senders"] and method == "GET":
            return 200, {"results": [{"id": i, "from_email": e, "verified": True} for e, i in self._senders.items()]}
        if parts[:2] == ["asm", "groups"] and len(parts) >= 4 and parts[3] == "suppressions":
            return self._asm(method, parts[2], parts[4:], body)
        if parts[:1] != ["marketing"]:
            return 404, {"errors": [{"message": f"not found: {method} {path}"}]}
        rest = parts[1:]
        if rest == ["contacts"] and method == "PUT":
            return self._put_contacts(body)
        if rest == ["contacts"] and method == "DELETE":
            return self._delete_contacts(query)
        if rest == ["contacts", "search", "emails"] and method == "POST":
            return self._search(body)
        if rest == ["contacts", "exports"] and method == "POST":
            return self._export(body)
        if rest[:2] == ["contacts", "exports"] and len(rest) == 3 and method == "GET":
            if rest[2] not in self._exports:
                return 404, {"errors": [{"message": "export not found"}]}
            return 200, {"id": rest[2], "status": "ready", "urls": [f"{self.url}/_exports/{rest[2]}.csv"]}
        if rest == ["field_definitions"] and method == "GET":
            return 200, {"custom_fields": [{"id": i, "name": n, "field_type": "Text"} for n, i in self._fields.items()],
                         "reserved_fields": []}
        if rest[:2] == ["segments", "2.0"]:
            return self._segment_route(method, rest[2:], body)
        if rest == ["singlesends"] and method == "POST":
            return self._create_single_send(body)
        if rest[:1] == ["singlesends"] and len(rest) >= 2:
            return self._single_send_route(method, rest[1], rest[2:], body)
        return 404, {"errors": [{"message": f"not found: {method} {path}"}]}

    def export_csv(self, export_id: str) -> str | None:
        with self.lock:
            rows = self._exports.get(export_id)
        if rows is None:
            return None
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["CONTACT_ID", "EMAIL"])
        for row in rows:
            writer.writerow([row["id"], row["email"]])
        return out.getvalue()

    # contacts --------------------------------------------------------------------------------------
    def _upsert_one(self, entry: dict, list_ids: list[str]) -> dict:
        email = str(entry.get("email", "")).lower()
        contact = self._contacts.setdefault(email, {"id": str(uuid.uuid4()), "email": email, "custom_fields": {}, "list_ids": []})
        for key in ("first_name", "last_name"):
            if entry.get(key):
                contact[key] = entry[key]
        contact["custom_fields"].update(entry.get("custom_fields") or {})
        contact["list_ids"] = sorted(set(contact["list_ids"]) | set(list_ids))
        return contact

    def _put_contacts(self, body: Any) -> tuple[int, Any]:
        contacts = (body or {}).get("contacts") if isinstance(body, dict) else None
        if not isinstance(contacts, list) or not contacts:
            return 400, {"errors": [{"field": "contacts", "message": "contacts: at least one contact is required"}]}
        if len(contacts) > self.max_upsert:
            return 400, {"errors": [{"field": "contacts", "message": f"at most {self.max_upsert} contacts per request"}]}
        known = set(self._fields.values())
        for index, entry in enumerate(contacts):
            if not isinstance(entry, dict) or "@" not in str(entry.get("email", "")):
                return 400, {"errors": [{"field": f"contacts[{index}].email", "message": "email is required"}]}
            unknown = set(entry.get("custom_fields") or {}) - known
            if unknown:
                return 400, {"errors": [{"field": f"contacts[{index}].custom_fields", "message": f"unknown custom field ids {sorted(unknown)}"}]}
        list_ids = body.get("list_ids") or []
        for entry in contacts:
            self._upsert_one(entry, list_ids)
        return 202, {"job_id": str(uuid.uuid4())}

    def _delete_contacts(self, query: dict[str, str]) -> tuple[int, Any]:
        ids = [i for i in (query.get("ids") or "").split(",") if i]
        if not ids and query.get("delete_all_contacts") != "true":
            return 400, {"errors": [{"field": "ids", "message": "ids or delete_all_contacts is required"}]}
        if len(ids) > 100:
            return 400, {"errors": [{"field": "ids", "message": "at most 100 ids"}]}
        for email in [e for e, c in self._contacts.items() if c["id"] in ids or query.get("delete_all_contacts") == "true"]:
            del self._contacts[email]
        return 202, {"job_id": str(uuid.uuid4())}

    def _search(self, body: Any) -> tuple[int, Any]:
        emails = [str(e).lower() for e in (body or {}).get("emails") or []]
        result = {e: {"contact": dict(self._contacts[e])} for e in emails if e in self._contacts}
        if not result:
            return 404, {"errors": [{"message": "No contacts found"}]}
        return 200, {"result": {**result, **{e: {"error": "contact not found"} for e in emails if e not in result}}}

    def _export(self, body: Any) -> tuple[int, Any]:
        segment_ids = (body or {}).get("segment_ids") or []
        members: set[str] | None = None
        for segment_id in segment_ids:
            found = self._segment_members(segment_id)
            members = found if members is None else members | found
        export_id = str(uuid.uuid4())
        self._exports[export_id] = [{"email": e, "id": self._contacts[e]["id"]} for e in sorted(members or set()) if e in self._contacts]
        return 202, {"id": export_id}

    # segments --------------------------------------------------------------------------------------
    def _segment_members(self, segment_id: str) -> set[str]:
        segment = self._segments.get(segment_id)
        if segment is None:
            return set()
        query = segment.get("query_dsl") or ""
        keys = SEGMENT_REF.findall(query)
        members: set[str] | None = None
        for key in keys:
            found = self._members.get(key, set())
            members = set(found) if members is None else members & found
        members = members or set()
        brand = BRAND_REF.search(query)
        if brand:
            brand_field = self._fields.get("brand_id")
            members = {e for e in members if self._contacts.get(e, {}).get("custom_fields", {}).get(brand_field) == brand.group(1)}
        return members

    def _segment_route(self, method: str, rest: list[str], body: Any) -> tuple[int, Any]:
        if not rest and method == "GET":
            return 200, {"results": [{"id": s["id"], "name": s["name"]} for s in self._segments.values()]}
        if not rest and method == "POST":
            if not isinstance(body, dict) or not body.get("name") or not body.get("query_dsl"):
                return 400, {"errors": [{"field": "query_dsl", "message": "name and query_dsl are required"}]}
            segment_id = str(uuid.uuid4())
            self._segments[segment_id] = {"id": segment_id, "name": body["name"], "query_dsl": body["query_dsl"]}
            return 201, {"id": segment_id, "name": body["name"], "query_dsl": body["query_dsl"],
                         "contacts_count": len(self._segment_members(segment_id))}
        if len(rest) == 1 and rest[0] in self._segments:
            if method == "GET":
                return 200, dict(self._segments[rest[0]])
            if method == "DELETE":
                del self._segments[rest[0]]
                return 204, None
        return 404, {"errors": [{"message": "segment not found"}]}

    # single sends ----------------------------------------------------------------------------------
    def _create_single_send(self, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or not body.get("name"):
            return 400, {"errors": [{"field": "name", "message": "name is required"}]}
        config = body.get("email_config") or {}
        if config.get("sender_id") is not None and config["sender_id"] not in self._senders.values():
            return 400, {"errors": [{"field": "email_config.sender_id", "message": "sender_id is not a verified sender"}]}
        send_to = body.get("send_to") or {}
        for segment_id in send_to.get("segment_ids") or []:
            if segment_id not in self._segments:
                return 400, {"errors": [{"field": "send_to.segment_ids", "message": f"unknown segment {segment_id}"}]}
        single_send_id = str(uuid.uuid4())
        audience = set()
        for segment_id in send_to.get("segment_ids") or []:
            audience |= self._segment_members(segment_id)
        self._single_sends[single_send_id] = {"id": single_send_id, "body": body, "status": "draft", "send_at": None,
                                              "audience": sorted(audience)}
        return 201, {"id": single_send_id, "name": body["name"], "status": "draft"}

    def _single_send_route(self, method: str, single_send_id: str, rest: list[str], body: Any) -> tuple[int, Any]:
        found = self._single_sends.get(single_send_id)
        if found is None:
            return 404, {"errors": [{"message": "Single Send not found"}]}
        if rest == ["schedule"] and method == "PUT":
            config = found["body"].get("email_config") or {}
            if config.get("sender_id") is None or not (config.get("suppression_group_id") or config.get("custom_unsubscribe_url")):
                return 400, {"errors": [{"field": "email_config", "message": "a sender and an unsubscribe group or URL are required to schedule"}]}
            send_at = (body or {}).get("send_at")
            if not send_at:
                return 400, {"errors": [{"field": "send_at", "message": "send_at is required"}]}
            found.update(status="scheduled", send_at=send_at)
            return 201, {"id": single_send_id, "send_at": send_at, "status": "scheduled"}
        if not rest and method == "GET":
            return 200, {"id": single_send_id, **found["body"], "status": found["status"], "send_at": found["send_at"]}
        if not rest and method == "DELETE":
            del self._single_sends[single_send_id]
            return 204, None
        return 404, {"errors": [{"message": "not found"}]}

    # ASM -----------------------------------------------------------------------------------------
    def _asm(self, method: str, group: str, rest: list[str], body: Any) -> tuple[int, Any]:
        members = self._suppressions.setdefault(group, set())
        if method == "POST" and not rest:
            emails = (body or {}).get("recipient_emails") if isinstance(body, dict) else None
            if not isinstance(emails, list) or not emails:
                return 400, {"errors": [{"field": "recipient_emails", "message": "recipient_emails is required"}]}
            members.update(str(e).lower() for e in emails)
            return 201, {"recipient_emails": emails}
        if method == "DELETE" and len(rest) == 1:
            members.discard(rest[0].lower())
            return 204, None
        if method == "GET" and not rest:
            return 200, sorted(members)
        return 404, {"errors": [{"message": "not found"}]}


def parse_body(raw: str) -> Any:
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        return None
