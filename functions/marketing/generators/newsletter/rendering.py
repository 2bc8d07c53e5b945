"""An issue → e-mail-safe HTML, with the e-mail library's templates and UTM tagging.

The template is ``templates/email/newsletter/{clean|editorial|field-report}.mjml`` (a project's
``templates/`` layer wins, so a copied file restyles the issue). This module prepares what the
templates print: markdown bodies rendered (raw HTML escaped), editorial pull-quotes, the issue
number (days since 2024-01-01, BEM's counter), sponsorships split by position. Links to the
brand's site are UTM-tagged as the e-mail library does (``utm_content=marketing``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from functions.email import render, utm

FOLDER = "newsletter"
EPOCH = dt.date(2024, 1, 1)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_HOOK = re.compile(r"\b(means|matters|will|should|need|important|key|critical|practical|takeaway|risk|trust)\b", re.IGNORECASE)


def html(manager: Any, content: Any, issue: dict, *, images: list[str], now: dt.datetime, campaign: str, utm_overrides: dict | None = None) -> str:
    config = manager.config
    brand = config.brand
    variables = {
        "issue": issue,
        "sections": [_section(s, i, len(issue.get("sections") or []), images) for i, s in enumerate(issue.get("sections") or [])],
        "dispatches": [_dispatch(d, i, images) for i, d in enumerate(issue.get("dispatches") or [])],
        "intro_html": _markdown(issue.get("intro") or ""),
        "signoff_lines": [line for line in (issue.get("signoff") or "").split("\n") if line.strip()],
        "theme": content.theme.model_dump(by_alias=True),
        "brand": {"id": brand.id, "name": brand.name, "url": brand.url},
        "address": format_address(brand.address),
        "sponsorships": _sponsorships(content.sponsorships),
        "edition": edition(now),
    }
    rendered = render.render(manager.options.layers("templates"), f"{FOLDER}/{content.template}", variables)
    params = utm.parameters(brand_id=brand.id, campaign=campaign, content="marketing", utm=utm_overrides)
    return utm.tag_links(rendered.html, brand.url, params)


def edition(now: dt.datetime) -> dict:
    day = now.astimezone(dt.UTC).date()
    return {"number": f"{(day - EPOCH).days:04d}", "date": f"{day:%B} {day.day}, {day.year}",
            "short": f"{day:%b} {day.day}, {day.year}".upper(), "day": f"{day:%b} {day.day}".upper()}


def format_address(address: Any) -> str:
    """BEM's ``formatAddress``: "line1, line2, City, ST 12345, Country" (a string is kept as is)."""
    if isinstance(address, str):
        return address
    if not isinstance(address, dict):
        return ""
    city = ", ".join(p for p in (address.get("city"), " ".join(p for p in (address.get("region"), address.get("postalCode")) if p)) if p)
    return ", ".join(str(p) for p in (address.get("line1"), address.get("line2"), city, address.get("country")) if p)


def pull_quote(body: str) -> str | None:
    """BEM's editorial pull-quote: a 60-180 character sentence, preferring one with a hook word."""
    sentences = [s.strip() for s in _SENTENCE.split(" ".join((body or "").split())) if 60 <= len(s.strip()) <= 180]
    if not sentences:
        return None
    return next((s for s in sentences if _HOOK.search(s)), max(sentences, key=len))


def _markdown(text: str) -> Any:
    return render.safe(render.markdown(text)) if text else ""


def _section(section: dict, index: int, total: int, images: list[str]) -> dict:
    body = section.get("body") or ""
    quote = pull_quote(body)
    rest = " ".join(body.replace(quote, " ").split()) if quote else body
    return {**section, "number": f"{index + 1:02d}", "image": images[index] if index < len(images) else None,
            "body_html": _markdown(body), "pull_quote": quote, "rest_html": _markdown(rest)}


def _dispatch(dispatch: dict, index: int, images: list[str]) -> dict:
    return {**dispatch, "image": images[index] if index < len(images) else None,
            "lede_html": render.safe(render.markdown(dispatch.get("lede") or "").strip().removeprefix("<p>").removesuffix("</p>")),
            "body_html": _markdown(dispatch.get("dispatch") or "")}


def _sponsorships(items: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"top": [], "middle": [], "end": []}
    for item in items:
        if isinstance(item, dict) and item.get("url"):
            out.setdefault(item.get("position") or "middle", []).append(item)
    return out
