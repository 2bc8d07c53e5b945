"""Beehiiv API v2 over ``requests`` (Beehiiv publishes no official Python SDK; docs/dependencies.md).

Base ``https://api.beehiiv.com/v2`` (``BEEHIIV_API_BASE`` overrides it, e.g. for the fake), bearer
``BEEHIIV_API_KEY``, publication ``marketing.newsletter.publicationId``. Endpoints (BEM
``providers/beehiiv.js``): subscriptions ``POST /publications/{pub}/subscriptions`` (create or
reactivate), ``PUT …/subscriptions/{id}`` (update), ``GET …/subscriptions/by_email/{email}``,
``DELETE …/subscriptions/{id}``; many at once ``POST /publications/{pub}/bulk_subscriptions``;
segments ``GET …/segments``; posts ``POST …/posts``. Every failure is a ``ProviderError`` turned
into BEM's ``{success: false, error}`` answer by the public operations.
"""

from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import quote

from functions.marketing.providers import NEWSLETTER, Campaign, Contact, ProviderError

log = logging.getLogger("bem.marketing")

NO_PUBLICATION = "Publication not found"


class Beehiiv:
    name = NEWSLETTER

    def __init__(self, api_key: str, base: str, *, timeout: float = 30.0) -> None:
        import requests

        self.base = base.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"})
        self._lock = threading.Lock()
        self._segments: dict[str, dict[str, str]] = {}

    def bound(self, *, publication_id: str | None, testing: bool = False) -> Bound:
        return Bound(self, publication_id=publication_id, testing=testing)

    def call(self, method: str, path: str, *, body: Any = None, params: dict | None = None) -> Any:
        import requests

        where = f"Beehiiv {method.upper()} {path}"
        try:
            response = self.session.request(method, self.base + path, json=body, params=params, timeout=self.timeout)
        except requests.RequestException as error:
            raise ProviderError(f"{where}: unreachable ({type(error).__name__})") from None
        if response.status_code >= 400:
            raise ProviderError(f"{where}: {response.status_code} {_reason(response)}"[:1000], status=response.status_code)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return None

    # subscriptions -------------------------------------------------------------------------------
    def subscribe(self, publication: str, body: dict) -> dict:
        data = self.call("post", f"/publications/{publication}/subscriptions", body=body) or {}
        subscription = data.get("data") or {}
        if not subscription.get("id"):
            raise ProviderError(data.get("message") or "no subscription id in the answer")
        return subscription

    def update(self, publication: str, subscription_id: str, body: dict) -> dict:
        data = self.call("put", f"/publications/{publication}/subscriptions/{subscription_id}", body=body) or {}
        return data.get("data") or {}

    def bulk_subscribe(self, publication: str, subscriptions: list[dict]) -> dict:
        return self.call("post", f"/publications/{publication}/bulk_subscriptions", body={"subscriptions": subscriptions}) or {}

    def find(self, publication: str, email: str) -> dict | None:
        try:
            data = self.call("get", f"/publications/{publication}/subscriptions/by_email/{quote(email, safe='@')}") or {}
        except ProviderError as error:
            if error.status == 404:
                return None
            raise
        return data.get("data") or None

    def delete(self, publication: str, subscription_id: str) -> None:
        self.call("delete", f"/publications/{publication}/subscriptions/{subscription_id}")

    # segments and posts --------------------------------------------------------------------------
    def segment_ids(self, publication: str) -> dict[str, str]:
        with self._lock:
            if publication in self._segments:
                return self._segments[publication]
        data = self.call("get", f"/publications/{publication}/segments", params={"limit": 100}) or {}
        ids = {s["name"]: s["id"] for s in data.get("data") or [] if s.get("name") and s.get("id")}
        with self._lock:
            self._segments[publication] = ids
        return ids

    def create_post(self, publication: str, body: dict) -> dict:
        data = self.call("post", f"/publications/{publication}/posts", body=body) or {}
        post = data.get("data") or {}
        if not post.get("id"):
            raise ProviderError(data.get("message") or "no post id in the answer")
        return post


class Bound:
    """A client with this project's publication: what the facade calls."""

    name = NEWSLETTER

    def __init__(self, client: Beehiiv, *, publication_id: str | None, testing: bool) -> None:
        self.client, self.publication, self.testing = client, publication_id, testing

    def subscription_body(self, contact: Contact) -> dict:
        from functions.marketing.fields import FIELDS, for_provider

        body: dict[str, Any] = {"email": contact.email.lower(), "reactivate_existing": True, "send_welcome_email": True}
        if contact.source:
            body["utm_source"] = contact.source
        fields = [{"name": FIELDS[name]["display"], "value": str(value)}
                  for name, value in for_provider(contact.values, "beehiiv").items()
                  if name not in ("user_personal_name_first", "user_personal_name_last")]
        if contact.first_name:
            fields.append({"name": "first_name", "value": contact.first_name})
        if contact.last_name:
            fields.append({"name": "last_name", "value": contact.last_name})
        if contact.company and "user_personal_company" not in contact.values:
            fields.append({"name": "company", "value": contact.company})
        if fields:
            body["custom_fields"] = fields
        return body

    def upsert(self, contacts: list[Contact]) -> dict:
        if not self.publication:
            log.warning("Beehiiv: marketing.newsletter.publicationId is not set: nobody is subscribed")
            return {"success": False, "error": NO_PUBLICATION}
        try:
            if len(contacts) == 1:
                subscription = self.client.subscribe(self.publication, self.subscription_body(contacts[0]))
                return {"success": True, "id": subscription["id"]}
            data = self.client.bulk_subscribe(self.publication, [self.subscription_body(c) for c in contacts])
        except ProviderError as error:
            return error.answer()
        return {"success": True, "count": len(contacts), **({"id": data["data"].get("id")} if isinstance(data.get("data"), dict) else {})}

    def remove(self, email: str) -> dict:
        if not self.publication:
            return {"success": False, "error": NO_PUBLICATION}
        try:
            subscription = self.client.find(self.publication, email.lower())
            if not subscription or not subscription.get("id"):
                return {"success": True, "skipped": True, "reason": "Subscriber not found"}
            self.client.delete(self.publication, subscription["id"])
        except ProviderError as error:
            return error.answer()
        return {"success": True, "deleted": True, "subscriptionId": subscription["id"]}

    def send_campaign(self, campaign: Campaign) -> dict:
        if not self.publication:
            return {"success": False, "error": NO_PUBLICATION}
        body: dict[str, Any] = {"title": campaign.name, "body_content": campaign.content_html,
                                "status": "draft" if self.testing and not campaign.send_at else "confirmed"}
        if campaign.tags:
            body["content_tags"] = list(campaign.tags)
        if campaign.send_at and campaign.send_at != "now":
            body["scheduled_at"] = campaign.send_at
        email_settings = {k: v for k, v in (("subject_line", campaign.subject), ("preview_text", campaign.preheader)) if v}
        if email_settings:
            body["email_settings"] = email_settings
        try:
            if campaign.segments or campaign.exclude_segments:
                ids = self.client.segment_ids(self.publication)
                recipients: dict[str, Any] = {}
                if campaign.segments:
                    recipients["segment_ids"] = [ids.get(key, key) for key in campaign.segments]
                if campaign.exclude_segments and not campaign.test:
                    recipients["exclude_segment_ids"] = [ids.get(key, key) for key in campaign.exclude_segments]
                body["recipients"] = recipients
            post = self.client.create_post(self.publication, body)
        except ProviderError as error:
            return error.answer()
        return {"success": True, "id": post["id"], "scheduled": bool(campaign.send_at)}


def _reason(response: Any) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(data, dict):
        errors = data.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message") or data)
        return str(data.get("message") or data)
    return str(data)
