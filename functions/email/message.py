"""Settings → ``Message``: validation, recipients, sender, data tree, rendering (BEM's ``build``).

Every problem with the input is an ``EmailInputError`` naming the field, raised before anything
is written or sent. The footer's unsubscribe link is rendered as ``UNSUBSCRIBE_TOKEN`` and filled
in per recipient by the provider, so messages that differ only by recipient share one body (and
one SendGrid request, through personalizations).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from functions.email import recipients, render, senders, unsubscribe, utm
from functions.email.errors import EmailInputError
from functions.email.recipients import Address

UNSUBSCRIBE_TOKEN = "%bem_unsubscribe_url%"
LEGACY_TEMPLATES = {"default": "card", "core/card": "card", "core/plain": "plain", "core/engagement/feedback": "feedback"}
PRIVATE_USER_FIELDS = ("api", "oauth2", "activity", "affiliate", "attribution", "flags")
HTML_RE = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
MAX_CATEGORIES = 10
MS_THRESHOLD = 4102444800  # a sendAt above year 2100 in seconds is milliseconds


@dataclass
class Message:
    id: str
    key: str | None
    to: list[Address]
    cc: list[Address]
    bcc: list[Address]
    sender: Address
    reply_to: str
    subject: str
    template: str | None
    categories: list[str]
    group: int | None
    send_at: int | None
    html: str
    text: str
    unsubscribe_url: str | None
    settings: dict = field(repr=False, default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"List-Unsubscribe": f"<{self.unsubscribe_url}>"} if self.unsubscribe_url else {}

    def filled(self, body: str) -> str:
        """The body with this recipient's unsubscribe link in place of the token."""
        return body.replace(UNSUBSCRIBE_TOKEN, self.unsubscribe_url or "")

    def content_key(self) -> str:
        """Equal for messages a provider may send in one request (everything but the recipients)."""
        parts = (self.sender.email, self.sender.name or "", self.reply_to, self.subject, self.html, self.text,
                 ",".join(self.categories), str(self.group), str(self.send_at))
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def request(self) -> dict:
        """What the audit record keeps (BEM's ``request``), without the bodies."""
        return {
            "to": [a.dump() for a in self.to], "cc": [a.dump() for a in self.cc], "bcc": [a.dump() for a in self.bcc],
            "from": self.sender.dump(), "replyTo": self.reply_to, "subject": self.subject, "template": self.template,
            "categories": self.categories, "asm": {"groupId": self.group} if self.group is not None else None,
            "headers": self.headers, "sendAt": self.send_at,
        }


def message_id(key: str | None) -> str:
    """Stable for an idempotency key (so a repeated cause finds its first record), random otherwise."""
    if key:
        return hashlib.sha256(key.encode()).hexdigest()[:32]
    return uuid.uuid4().hex


def build(manager: Any, settings: dict, key: str | None = None) -> Message:
    config = manager.config
    if not isinstance(settings, dict):
        raise EmailInputError("settings", "expected an object")
    data = settings.get("data") or {}
    if not isinstance(data, dict):
        raise EmailInputError("data", "expected an object")
    _no_html(data, "data")

    users = _user_reader(manager)
    to = recipients.parse(settings.get("to"), "to", users)
    cc = recipients.parse(settings.get("cc"), "cc", users)
    bcc = recipients.parse(settings.get("bcc"), "bcc", users)
    if not to:
        raise EmailInputError("to", "at least one recipient is required")
    # what the queue keeps: addresses, never whole user documents (they hold api keys)
    stored = {"to": [a.dump() for a in to], "cc": [a.dump() for a in cc], "bcc": [a.dump() for a in bcc]}
    if settings.get("copy", True):
        cc += [_copy_address(config, entry) for entry in config.email.copy_.cc]
        bcc += [_copy_address(config, entry) for entry in config.email.copy_.bcc]
    to, cc, bcc = recipients.deduplicate(to, cc, bcc)

    subject = settings.get("subject") or (data.get("email") or {}).get("subject")
    if not isinstance(subject, str) or not subject.strip():
        raise EmailInputError("subject", "a subject is required")
    if "\n" in subject or "\r" in subject or len(subject) > 500:
        raise EmailInputError("subject", "one line of at most 500 characters")

    raw_html = settings.get("html")
    if raw_html is not None and not isinstance(raw_html, str):
        raise EmailInputError("html", "expected a string")
    layers = manager.options.layers("templates")
    template = _template(layers, settings.get("template"), raw=bool(raw_html))
    sender = senders.resolve(config, sender=settings.get("sender"), from_=settings.get("from"), group=settings.get("group"))
    categories = _categories(config.brand.id, settings.get("categories"))
    send_at = _send_at(settings.get("sendAt"))
    reply_to = settings.get("replyTo") or sender.address.email
    if not recipients.valid_email(reply_to):
        raise EmailInputError("replyTo", "not an e-mail address")

    website = (config.email.website_url or config.brand.url).rstrip("/")
    link = unsubscribe.url(website, email=to[0].email, group=sender.group, template=template or "html")
    params = utm.parameters(brand_id=config.brand.id, campaign=settings.get("sender") or template, utm=settings.get("utm"))
    if raw_html:
        html = utm.tag_links(raw_html, config.brand.url, params)
        rendered = render.Rendered(html=html, text=render.html_to_text(html))
    else:
        tree = _tree(config, data, settings, to[0], subject, categories, website, bool(settings.get("copy", True)))
        message_html = render.markdown(str(tree["content"].get("message") or ""))
        tree["content"]["message"] = render.safe(utm.tag_links(message_html, config.brand.url, params))
        rendered = render.render(layers, template, tree)

    clean_settings = {**{k: v for k, v in settings.items() if k != "user"}, **stored}
    return Message(id=message_id(key), key=key, to=to, cc=cc, bcc=bcc, sender=sender.address, reply_to=reply_to,
                   subject=subject, template=template, categories=categories, group=sender.group, send_at=send_at,
                   html=rendered.html, text=rendered.text, unsubscribe_url=link, settings=clean_settings)


def _user_reader(manager: Any) -> Any:
    def read(uid: str) -> dict | None:
        snapshot = manager.db.collection("users").document(uid).get()
        return snapshot.to_dict() if snapshot.exists else None

    return read


def _copy_address(config: Any, entry: str) -> Address:
    if entry == "brand":
        return Address(config.brand.contact.email, config.brand.name)
    return Address(entry)


def _no_html(value: Any, path: str) -> None:
    if isinstance(value, str):
        if HTML_RE.search(value):
            raise EmailInputError(path, "HTML is not allowed in data (use markdown in content.message, or the html setting)")
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_html(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _no_html(item, f"{path}[{index}]")


def _template(layers: list, name: Any, raw: bool) -> str | None:
    if raw and not name:
        return None
    name = name or "card"
    if not isinstance(name, str):
        raise EmailInputError("template", "expected a template name")
    name = LEGACY_TEMPLATES.get(name, name)
    if name.startswith(("main/order/", "core/order/")):
        name = "order"
    if not render.exists(layers, name):
        known = ", ".join(render.available(layers))
        raise EmailInputError("template", f"unknown template '{name}' (known: {known})")
    return name


def _categories(brand_id: str, extra: Any) -> list[str]:
    if extra is None:
        extra = []
    if isinstance(extra, str):
        extra = [extra]
    if not isinstance(extra, list) or not all(isinstance(c, str) and c and len(c) <= 255 for c in extra):
        raise EmailInputError("categories", "a string or a list of strings")
    result = list(dict.fromkeys(c for c in ["transactional", brand_id, *extra] if c))
    if len(result) > MAX_CATEGORIES:
        raise EmailInputError("categories", f"at most {MAX_CATEGORIES} with 'transactional' and the brand id")
    return result


def _send_at(value: Any) -> int | None:
    if value is None or value == "" or value == "now":
        return None
    if isinstance(value, bool):
        raise EmailInputError("sendAt", "a unix time or an ISO date")
    if isinstance(value, (int, float)):
        return int(value / 1000) if value > MS_THRESHOLD else int(value)
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise EmailInputError("sendAt", f"'{value}' is not a unix time or an ISO date") from None
        return int((moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp())
    raise EmailInputError("sendAt", "a unix time or an ISO date")


def _tree(config: Any, data: dict, settings: dict, first: Address, subject: str, categories: list[str],
          website: str, copy: bool) -> dict:
    brand = config.brand.model_dump(by_alias=True)
    address = brand.get("address") or {}
    user = dict(settings.get("user") or first.user or {})
    for name in PRIVATE_USER_FIELDS:
        user.pop(name, None)
    signoff = {"type": "team", **((data.get("signoff") or {}) if isinstance(data.get("signoff"), dict) else {})}
    tree: dict[str, Any] = {
        "email": {"subject": subject, "preview": None, "unsubscribeUrl": UNSUBSCRIBE_TOKEN, "categories": categories,
                  "footer": {"text": None}, "carbonCopy": copy, "year": dt.datetime.now(dt.UTC).year,
                  "address": " · ".join(str(address[k]) for k in ("line1", "line2", "city", "region", "postalCode") if address.get(k)),
                  "website": website},
        "personalization": {"email": first.email, "name": first.name},
        "signoff": signoff, "brand": brand, "user": user, "content": {}, "data": {},
    }
    _merge(tree, {k: v for k, v in data.items() if k != "signoff"})
    tree["email"]["unsubscribeUrl"] = UNSUBSCRIBE_TOKEN  # the link is always the signed one
    if not isinstance(tree.get("content"), dict):
        raise EmailInputError("data.content", "expected an object")
    return tree


def _merge(target: dict, source: dict) -> None:
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value
