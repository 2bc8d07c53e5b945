"""SendGrid Marketing through the official SDK (``sendgrid``, imported when the first client is made).

Endpoints (BEM ``providers/sendgrid.js``): contacts ``PUT /v3/marketing/contacts`` (upsert, up to
30,000 per request; the facade sends 1,000), ``POST /v3/marketing/contacts/search/emails``,
``DELETE /v3/marketing/contacts?ids=`` (100 ids per request), exports
``POST|GET /v3/marketing/contacts/exports``; custom fields ``GET /v3/marketing/field_definitions``;
lists (``marketing.campaigns.listId``); segments ``GET|POST|DELETE /v3/marketing/segments/2.0``;
senders ``GET /v3/verified_senders``; Single Sends ``POST /v3/marketing/singlesends`` +
``PUT …/{id}/schedule``; ASM group suppressions ``POST /v3/asm/groups/{id}/suppressions`` and
``DELETE …/suppressions/{email}``. Field, segment and sender ids are cached per client (thread-safe).
Every failure is a ``ProviderError`` (status, SendGrid's message) turned into BEM's
``{success: false, error}`` answer by the public operations.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from functions.marketing.providers import CAMPAIGNS, Campaign, Contact, ProviderError

log = logging.getLogger("bem.marketing")

DELETE_BATCH = 100  # ids per DELETE /marketing/contacts (BEM)
UPSERT_LIMIT = 30_000  # contacts per PUT /marketing/contacts (SendGrid's limit)


class SendGridMarketing:
    name = CAMPAIGNS

    def __init__(self, api_key: str, host: str, *, timeout: float = 30.0) -> None:
        from sendgrid import SendGridAPIClient

        self.sdk = SendGridAPIClient(api_key=api_key, host=host.rstrip("/"))
        self.sdk.client.timeout = timeout
        self._lock = threading.Lock()
        self._ids: dict[str, dict[str, Any]] = {}

    def bound(self, *, list_id: str | None = None, config: Any = None) -> Bound:
        return Bound(self, list_id=list_id, config=config)

    # transport ---------------------------------------------------------------------------------
    def call(self, method: str, *path: str, body: Any = None, query: dict | None = None) -> Any:
        """One request; the parsed JSON answer (None for an empty body)."""
        endpoint = self.sdk.client
        for part in path:
            endpoint = endpoint._(part)
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs["request_body"] = body
        if query:
            kwargs["query_params"] = query
        try:
            response = getattr(endpoint, method)(**kwargs)
        except Exception as error:  # HTTPError subclasses carry status/body; urllib/socket errors on timeouts
            raise _error(error, method, path) from None
        raw = response.body
        text = raw.decode(errors="replace") if isinstance(raw, (bytes, bytearray)) else str(raw or "")
        try:
            return json.loads(text) if text.strip() else None
        except ValueError:
            return None

    def cached(self, kind: str, load: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self._lock:
            if kind in self._ids:
                return self._ids[kind]
        ids = load()
        with self._lock:
            self._ids[kind] = ids
        return ids

    def forget(self, kind: str) -> None:
        with self._lock:
            self._ids.pop(kind, None)

    # metadata ------------------------------------------------------------------------------------
    def field_ids(self) -> dict[str, str]:
        """Custom field name → SendGrid id (e.g. ``brand_id`` → ``e1_T``)."""
        def load() -> dict[str, Any]:
            data = self.call("get", "marketing", "field_definitions") or {}
            return {f["name"]: f["id"] for f in data.get("custom_fields") or [] if f.get("name") and f.get("id")}

        return self.cached("fields", load)

    def segment_ids(self) -> dict[str, str]:
        """Segment name (BEM's keys) → SendGrid id."""
        def load() -> dict[str, Any]:
            data = self.call("get", "marketing", "segments", "2.0") or {}
            return {s["name"]: s["id"] for s in data.get("results") or [] if s.get("name") and s.get("id")}

        return self.cached("segments", load)

    def sender_ids(self) -> dict[str, int]:
        """Verified sender from-address → id."""
        def load() -> dict[str, Any]:
            data = self.call("get", "verified_senders") or {}
            return {s["from_email"].lower(): s["id"] for s in data.get("results") or [] if s.get("from_email")}

        return self.cached("senders", load)

    # contacts ----------------------------------------------------------------------------------
    def upsert_contacts(self, contacts: list[dict], list_ids: list[str] | None = None) -> dict:
        if len(contacts) > UPSERT_LIMIT:
            raise ValueError(f"at most {UPSERT_LIMIT} contacts per request")
        body: dict[str, Any] = {"contacts": contacts}
        if list_ids:
            body["list_ids"] = list_ids
        data = self.call("put", "marketing", "contacts", body=body) or {}
        if not data.get("job_id"):
            raise ProviderError(_first_error(data, "no job id in the answer"))
        return {"success": True, "jobId": data["job_id"], "count": len(contacts)}

    def find_contact(self, email: str) -> dict | None:
        try:
            data = self.call("post", "marketing", "contacts", "search", "emails", body={"emails": [email]}) or {}
        except ProviderError as error:
            if error.status == 404:  # SendGrid's "none of these e-mails"
                return None
            raise
        return ((data.get("result") or {}).get(email) or {}).get("contact")

    def delete_contacts(self, ids: list[str]) -> dict:
        """Delete by id, ``DELETE_BATCH`` per request; ``deleted`` counts the ids of accepted requests."""
        deleted, errors, jobs = 0, [], []
        for start in range(0, len(ids), DELETE_BATCH):
            chunk = ids[start:start + DELETE_BATCH]
            try:
                data = self.call("delete", "marketing", "contacts", query={"ids": ",".join(chunk)}) or {}
                jobs.append(data.get("job_id"))
                deleted += len(chunk)
            except ProviderError as error:
                errors.append(str(error))
        return {"success": not errors, "deleted": deleted, "jobIds": jobs, **({"error": "; ".join(errors)} if errors else {})}

    def remove_contact(self, email: str) -> dict:
        contact = self.find_contact(email.lower())
        if not contact or not contact.get("id"):
            return {"success": True, "skipped": True, "reason": "Contact not found"}
        data = self.call("delete", "marketing", "contacts", query={"ids": contact["id"]}) or {}
        return {"success": True, "jobId": data.get("job_id")}

    def export_segment(self, segment_id: str, *, max_wait: float = 180.0, poll: float = 3.0) -> list[dict]:
        """Every ``{email, id}`` in a segment (export job, polled, CSV downloaded)."""
        request = {"segment_ids": [segment_id], "file_type": "csv", "compression": "none"}
        started = self.call("post", "marketing", "contacts", "exports", body=request) or {}
        job = started.get("id")
        if not job:
            raise ProviderError("export not started")
        deadline = time.monotonic() + max_wait
        while True:
            status = self.call("get", "marketing", "contacts", "exports", job) or {}
            if status.get("status") == "ready" and status.get("urls"):
                try:
                    return _read_export(status["urls"], self.sdk.client.timeout)
                except Exception as error:  # the download is plain HTTPS (a pre-signed URL), not the SDK
                    raise ProviderError(f"SendGrid export download failed: {type(error).__name__}") from None
            if status.get("status") == "failure":
                raise ProviderError("export failed")
            if time.monotonic() > deadline:
                raise ProviderError("export timed out")
            time.sleep(poll)

    # segments ------------------------------------------------------------------------------------
    def segment_query(self, segment_id: str) -> str | None:
        return (self.call("get", "marketing", "segments", "2.0", segment_id) or {}).get("query_dsl")

    def create_segment(self, name: str, query_dsl: str) -> str:
        data = self.call("post", "marketing", "segments", "2.0", body={"name": name, "query_dsl": query_dsl}) or {}
        if not data.get("id"):
            raise ProviderError(_first_error(data, "segment not created"))
        return data["id"]

    def delete_segment(self, segment_id: str) -> None:
        try:
            self.call("delete", "marketing", "segments", "2.0", segment_id)
        except ProviderError as error:
            log.warning("SendGrid: temporary segment %s not deleted: %s", segment_id, error)

    def brand_scoped_segment(self, segment_ids: list[str], brand_id: str | None, *, skip_brand_filter: bool = False) -> str | None:
        """A temporary segment ANDing ``segment_ids``' conditions (and ``brand_id``): SendGrid ORs a
        Single Send's segments, so this is how "cancelled users of this brand" is targeted (BEM)."""
        parts = [] if skip_brand_filter or not brand_id else [f"\"brand_id\" = '{brand_id}'"]
        for segment_id in segment_ids:
            query = self.segment_query(segment_id) or ""
            where = query.upper().find(" WHERE ")
            if where >= 0:
                parts.append(f"({query[where + 7:].strip()})")
        if not parts:
            return None
        query = f"SELECT contact_id, updated_at FROM contact_data WHERE {' AND '.join(parts)}"
        return self.create_segment(f"__temp_{brand_id or 'global'}_{int(time.time() * 1000)}", query)

    # single sends ----------------------------------------------------------------------------------
    def create_single_send(self, body: dict) -> str:
        data = self.call("post", "marketing", "singlesends", body=body) or {}
        if not data.get("id"):
            raise ProviderError(_first_error(data, "Single Send not created"))
        return data["id"]

    def schedule_single_send(self, single_send_id: str, send_at: str) -> dict:
        data = self.call("put", "marketing", "singlesends", single_send_id, "schedule", body={"send_at": send_at}) or {}
        if not (data.get("send_at") or data.get("status") == "scheduled"):
            raise ProviderError(_first_error(data, "Schedule failed"))
        return data

    def cancel_single_send(self, single_send_id: str) -> dict:
        self.call("delete", "marketing", "singlesends", single_send_id)
        return {"success": True}

    # ASM group suppressions ----------------------------------------------------------------------
    def suppress(self, group_id: int | str, emails: list[str]) -> dict:
        data = self.call("post", "asm", "groups", str(group_id), "suppressions", body={"recipient_emails": emails}) or {}
        return {"success": True, "recipientEmails": data.get("recipient_emails", emails)}

    def unsuppress(self, group_id: int | str, email: str) -> dict:
        self.call("delete", "asm", "groups", str(group_id), "suppressions", quote(email, safe="@"))
        return {"success": True}


class Bound:
    """A client with this project's settings (list id, config): what the facade calls."""

    name = CAMPAIGNS

    def __init__(self, client: SendGridMarketing, *, list_id: str | None, config: Any) -> None:
        self.client, self.list_id, self.config = client, list_id, config

    def contact_body(self, contact: Contact, field_ids: dict[str, str]) -> dict:
        from functions.marketing.fields import for_provider

        body: dict[str, Any] = {"email": contact.email.lower()}
        if contact.first_name:
            body["first_name"] = contact.first_name
        if contact.last_name:
            body["last_name"] = contact.last_name
        values = dict(for_provider(contact.values, "sendgrid"))
        if contact.company:
            values.setdefault("user_personal_company", contact.company)
        custom = {field_ids[name]: value for name, value in values.items() if name in field_ids}
        body["custom_fields"] = custom
        return body

    def upsert(self, contacts: list[Contact]) -> dict:
        try:
            ids = self.client.field_ids() if any(c.values or c.company for c in contacts) else {}
            bodies = [self.contact_body(c, ids) for c in contacts]
            result = self.client.upsert_contacts(bodies, [self.list_id] if self.list_id else None)
        except ProviderError as error:
            return error.answer()
        if self.list_id:
            result["listId"] = self.list_id
        return result

    def remove(self, email: str) -> dict:
        try:
            return self.client.remove_contact(email)
        except ProviderError as error:
            return error.answer()

    def send_campaign(self, campaign: Campaign) -> dict:
        try:
            return self._send(campaign)
        except ProviderError as error:
            return error.answer()

    def _send(self, campaign: Campaign) -> dict:
        cleanup: list[str] = []
        try:
            send_to, excluded = self._audience(campaign, cleanup)
            config: dict[str, Any] = {"subject": campaign.subject, "editor": "code", "html_content": campaign.html,
                                      "generate_plain_content": True}
            if campaign.from_email:
                sender_id = self.client.sender_ids().get(campaign.from_email.lower())
                if sender_id is None:
                    return {"success": False, "error": f'No SendGrid Sender Identity found for "{campaign.from_email}". '
                                                       "Verify it in SendGrid (Sender Authentication)."}
                config["sender_id"] = sender_id
            if campaign.group is not None:
                config["suppression_group_id"] = campaign.group
            elif campaign.unsubscribe_url:
                config["custom_unsubscribe_url"] = campaign.unsubscribe_url
            if campaign.categories:
                config["categories"] = campaign.categories[:10]
            if excluded:
                send_to["exclude_segment_ids"] = excluded
            body = {"name": campaign.name[:100], "send_to": send_to, "email_config": config}
            single_send = self.client.create_single_send(body)
            if not campaign.send_at:
                return {"success": True, "id": single_send, "scheduled": False}
            try:
                self.client.schedule_single_send(single_send, campaign.send_at)
            except ProviderError as error:
                return {**error.answer(), "id": single_send}
            return {"success": True, "id": single_send, "scheduled": True}
        finally:
            for segment_id in cleanup:
                self.client.delete_segment(segment_id)

    def _audience(self, campaign: Campaign, cleanup: list[str]) -> tuple[dict, list[str]]:
        """BEM's ``_resolveAudience``: all | brand-scoped segments | lists | the brand's list."""
        send_to: dict[str, Any] = {}
        ids = self.client.segment_ids() if (campaign.segments or campaign.exclude_segments) else {}
        if campaign.all:
            send_to["all"] = True
        elif campaign.segments:
            wanted = [ids.get(key, key) for key in campaign.segments]
            temp = self.client.brand_scoped_segment(wanted, campaign.brand_id, skip_brand_filter=campaign.test)
            if temp:
                cleanup.append(temp)
                send_to["segment_ids"] = [temp]
        elif campaign.lists:
            send_to["list_ids"] = list(campaign.lists)
        elif self.list_id:
            send_to["list_ids"] = [self.list_id]
        excluded: list[str] = []
        if campaign.exclude_segments and not campaign.test:
            wanted = [ids.get(key, key) for key in campaign.exclude_segments]
            temp = self.client.brand_scoped_segment(wanted, campaign.brand_id, skip_brand_filter=True)
            if temp:
                cleanup.append(temp)
                excluded = [temp]
        return send_to, excluded


def _error(error: Exception, method: str, path: tuple[str, ...]) -> ProviderError:
    status = getattr(error, "status_code", None)
    where = f"SendGrid {method.upper()} /v3/{'/'.join(path)}"
    if status is None:
        return ProviderError(f"{where}: unreachable ({type(error).__name__})")
    body = getattr(error, "body", b"")
    text = body.decode(errors="replace") if isinstance(body, (bytes, bytearray)) else str(body or "")
    try:
        reason = _first_error(json.loads(text), text)
    except (ValueError, AttributeError):
        reason = text
    return ProviderError(f"{where}: {status} {reason}"[:1000], status=status)


def _first_error(data: Any, default: str) -> str:
    errors = data.get("errors") if isinstance(data, dict) else None
    if errors and isinstance(errors, list) and isinstance(errors[0], dict):
        return str(errors[0].get("message") or default)
    return default


def _read_export(urls: list[str], timeout: float) -> list[dict]:
    import csv
    import io

    import requests

    contacts: list[dict] = []
    for url in urls:
        response = requests.get(url, timeout=timeout)
        response.raise_for_status()
        for row in csv.DictReader(io.StringIO(response.text)):
            lowered = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            if lowered.get("email"):
                contacts.append({"email": lowered["email"], "id": lowered.get("contact_id") or lowered.get("id")})
    return contacts
