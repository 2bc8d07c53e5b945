"""A campaign's ``settings`` → the rendered ``Campaign`` the providers send (BEM ``sendCampaign`` steps 1–3).

1. Template variables in every string: ``{brand.name}``, ``{brand.id}``, ``{brand.url}``,
   ``{season.name}``, ``{holiday.name}``, ``{date.month}``, ``{date.year}``, ``{date.full}``
   (an unknown one is left as written).
2. Content: pre-rendered HTML (``contentHtml``, ``content``, ``html`` or ``data.content.html``:
   the newsletter generator's output) is used as it is, links UTM-tagged; otherwise the markdown
   ``data.content.message`` is rendered into the e-mail template (``template``, default ``card``)
   by the e-mail library. The footer's unsubscribe link becomes SendGrid's per-recipient
   ``<%asm_group_unsubscribe_raw_url%>`` (one HTML for every recipient).
3. Sender (``sender``, default ``marketing``, or ``from``) and unsubscribe group (``group``, else
   the sender's ``email.groups`` entry) as for transactional e-mail; ``test: true`` → name
   ``[TEST] …`` and only the ``test_admin`` segment. Unknown segments, a bad ``sendAt`` or no
   subject raise ``CampaignInputError`` (400 naming the field) before anything is sent.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from functions.email.errors import EmailInputError
from functions.marketing.fields import get_path, unknown_segments
from functions.marketing.providers import Campaign

ASM_UNSUBSCRIBE = "<%asm_group_unsubscribe_raw_url%>"
VARIABLE = re.compile(r"\{([a-zA-Z_]+(?:\.[a-zA-Z_]+)+)\}")
SEASONS = ["Winter", "Winter", "Spring", "Spring", "Spring", "Summer", "Summer", "Summer", "Fall", "Fall", "Fall", "Winter"]
HOLIDAYS = ["New Year", "Valentine's Day", "Spring", "Spring", "Memorial Day", "Summer", "Independence Day",
            "Back to School", "Labor Day", "Halloween", "Black Friday", "Christmas"]


class CampaignInputError(EmailInputError):
    """Invalid campaign settings (400, names the field)."""


def template_context(config: Any, now: dt.datetime | None = None, settings: Any = None) -> dict:
    """The ``{brand.*}``, ``{season.name}``, ``{holiday.name}``, ``{date.*}`` and ``{discount.code|percent}``
    values (BEM's buildTemplateContext); the discount is the live code named by ``data.content.discountCode``
    (or ``discountCode``), empty when none or unknown."""
    now = now or dt.datetime.now(dt.UTC)
    brand = config.brand.model_dump(by_alias=True)
    discount = config.payment.discount(_discount_code(settings))
    return {"brand": brand, "season": {"name": SEASONS[now.month - 1]}, "holiday": {"name": HOLIDAYS[now.month - 1]},
            "date": {"month": now.strftime("%B"), "year": str(now.year), "full": f"{now.strftime('%B')} {now.day}, {now.year}"},
            "discount": {"code": discount.code if discount else "", "percent": discount.percent if discount else ""}}


def _discount_code(settings: Any) -> str | None:
    if not isinstance(settings, dict):
        return None
    data = settings.get("data") if isinstance(settings.get("data"), dict) else {}
    content = data.get("content") if isinstance(data.get("content"), dict) else {}
    code = content.get("discountCode") or settings.get("discountCode")
    return code if isinstance(code, str) else None


def resolve_variables(value: Any, context: dict) -> Any:
    if isinstance(value, str):
        def replace(match: re.Match[str]) -> str:
            found = get_path(context, match.group(1))
            return match.group(0) if found is None or isinstance(found, (dict, list)) else str(found)

        return VARIABLE.sub(replace, value) if "{" in value else value
    if isinstance(value, list):
        return [resolve_variables(item, context) for item in value]
    if isinstance(value, dict):
        return {key: resolve_variables(item, context) for key, item in value.items()}
    return value


def build_campaign(manager: Any, settings: dict, *, now: dt.datetime | None = None) -> Campaign:
    from functions.email import senders, utm
    from functions.email.message import UNSUBSCRIBE_TOKEN

    if not isinstance(settings, dict):
        raise CampaignInputError("settings", "expected an object")
    config = manager.config
    resolved = resolve_variables(settings, template_context(config, now, settings))
    subject = resolved.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        raise CampaignInputError("subject", "a subject is required")
    name = resolved.get("name") if isinstance(resolved.get("name"), str) and resolved.get("name") else subject
    segments, excluded, lists = (_keys(resolved, field) for field in ("segments", "excludeSegments", "lists"))
    for field, keys in (("segments", segments), ("excludeSegments", excluded)):
        unknown = unknown_segments(keys)
        if unknown:
            raise CampaignInputError(field, f"unknown segment(s) {', '.join(unknown)}")
    test = bool(resolved.get("test"))
    if test:
        name, segments, excluded, lists = f"[TEST] {name}", ["test_admin"], [], []
    sender = senders.resolve(config, sender=resolved.get("sender") or "marketing", from_=resolved.get("from"),
                             group=resolved.get("group"))
    categories = list(dict.fromkeys(c for c in ["marketing", config.brand.id, *_keys(resolved, "categories")] if c))
    send_at = _send_at(resolved.get("sendAt"))
    data = resolved.get("data") if isinstance(resolved.get("data"), dict) else {}
    content = data.get("content") if isinstance(data.get("content"), dict) else {}
    pre_rendered = next((v for v in (resolved.get("contentHtml"), resolved.get("content"), resolved.get("html"), content.get("html"))
                         if isinstance(v, str) and v.strip()), None)
    params = utm.parameters(brand_id=config.brand.id, campaign=name, content="marketing",
                            utm=resolved.get("utm") if isinstance(resolved.get("utm"), dict) else None)
    if pre_rendered is not None:
        body = utm.tag_links(pre_rendered, config.brand.url, params)
        html = body
    else:
        message = content.get("message")
        if not isinstance(message, str) or not message.strip():
            raise CampaignInputError("data.content.message", "the campaign has no content (contentHtml or data.content.message)")
        from functions.email import render

        body = utm.tag_links(render.markdown(message), config.brand.url, params)
        built = manager.email.build({"to": config.brand.contact.email, "subject": subject, "copy": False,
                                     "template": resolved.get("template") or "card", "sender": resolved.get("sender") or "marketing",
                                     **({"from": resolved["from"]} if resolved.get("from") else {}),
                                     "data": data, "utm": {**params, **(resolved.get("utm") or {})}})
        html = built.html
    html = html.replace(UNSUBSCRIBE_TOKEN, ASM_UNSUBSCRIBE)
    website = (config.email.website_url or config.brand.url).rstrip("/")
    return Campaign(name=name, subject=subject, html=html, content_html=body,
                    preheader=resolved.get("preheader") if isinstance(resolved.get("preheader"), str) else None,
                    from_email=sender.address.email, from_name=sender.address.name, group=sender.group,
                    unsubscribe_url=f"{website}/portal/email-preferences", categories=categories[:10], send_at=send_at,
                    segments=segments, exclude_segments=excluded, lists=lists, all=bool(resolved.get("all")) and not test,
                    test=test, brand_id=config.brand.id, tags=_keys(resolved, "tags"))


def _keys(settings: dict, field: str) -> list[str]:
    value = settings.get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise CampaignInputError(field, "expected a list of strings")
    return list(value)


def _send_at(value: Any) -> str | None:
    """``now`` | an ISO time | unix seconds (or ms) → ``now`` or ISO-8601 UTC; None/'' → a draft."""
    if value is None or value == "":
        return None
    if value == "now":
        return "now"
    from functions.timestamps import iso

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 4102444800 else value
        return iso(dt.datetime.fromtimestamp(seconds, dt.UTC))
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise CampaignInputError("sendAt", "'now', an ISO-8601 time or unix seconds") from None
        return iso(moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))
    raise CampaignInputError("sendAt", "'now', an ISO-8601 time or unix seconds")
