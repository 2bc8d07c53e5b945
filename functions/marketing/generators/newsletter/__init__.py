"""The newsletter generator (BEM's ``generators/newsletter.js``), run by the campaign job for a
campaign with ``generator: "newsletter"`` (docs/marketing.md#newsletter):

1. config: ``marketing.newsletter`` enabled, first ``content`` entry, categories set (else ``None``);
2. sources (sources.py): feeds, the parent, the brand's feed, minus those already used (``None`` when none is new);
3. brand fit (writer.py): the AI scores each source; below the threshold is dropped (``None`` when none fits);
4. the issue (writer.py): the AI writes it in the template's schema (an AI failure raises);
5. section images (images.py), only when enabled and the provider can draw them;
6. rendering (rendering.py): the template's MJML → HTML, brand links UTM-tagged;
7. the report e-mail (report.py), once per occurrence;
8. the sources marked used in ``content-sources`` (tracking.py), in one batch, last.

Nothing is written before step 8, so a failed generation leaves every source unused. Publishing
(Beehiiv post, SendGrid Single Send) is the campaign job's, through ``manager.marketing.send_campaign``
with the overlay returned here: ``{subject, preheader, content, contentHtml, summary, tags, meta}``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

log = logging.getLogger("bem.marketing.newsletter")

__all__ = ["generate", "occurrence_key"]


def occurrence_key(campaign: dict, now: dt.datetime) -> str:
    """``{campaign id}:{sendAt}``: what a retry of the same occurrence shares (report key, reusable sources)."""
    ident = campaign.get("id") or campaign.get("recurringId") or campaign.get("generatedFrom") or "newsletter"
    send_at = campaign.get("sendAt")
    return f"{ident}:{send_at if send_at not in (None, '') else now.astimezone(dt.UTC).date().isoformat()}"


def generate(manager: Any, campaign: dict, *, now: dt.datetime, preview: bool = False) -> dict | None:
    """The overlay for this occurrence, ``None`` when there is nothing to send; raises when the AI fails.
    ``preview`` (``mgr newsletter preview``) ignores ``enabled`` and writes nothing: no report, no source marked used."""
    from functions.marketing.generators.newsletter import images, rendering, report, sources, tracking, writer
    from functions.marketing.generators.newsletter.config import newsletter_config

    newsletter = newsletter_config(manager)
    if not newsletter.enabled and not preview:
        log.info("newsletter: marketing.newsletter.enabled is false; nothing generated")
        return None
    if not newsletter.content:
        log.info("newsletter: no marketing.newsletter.content entry; nothing generated")
        return None
    content = newsletter.content[0]
    if not content.categories and "$parent" in content.sources:
        log.info("newsletter: marketing.newsletter.content[0].categories is empty; nothing generated")
        return None
    settings = campaign.get("settings") if isinstance(campaign.get("settings"), dict) else {}
    occurrence = occurrence_key(campaign, now)
    brand = manager.config.brand
    started = time.monotonic()

    chosen = sources.resolve(manager, newsletter, content, occurrence=occurrence)
    if not chosen:
        log.info("newsletter: no new sources for %s", occurrence)
        return None
    kept, scores, fit_step = writer.brand_fit(manager, brand, content, chosen)
    if not kept:
        log.info("newsletter: no source passed the brand-fit filter for %s", occurrence)
        return None
    issue, issue_step = writer.write_issue(manager, brand, content, kept)
    image_urls, image_meta = images.illustrate(manager, newsletter, content, issue, campaign_id=occurrence.replace(":", "-"))
    campaign_name = str(settings.get("name") or "newsletter")
    html = rendering.html(manager, content, issue, images=image_urls, now=now, campaign=_utm_campaign(settings, brand, now),
                          utm_overrides=_utm(settings, brand, now))
    meta = _meta(content, chosen, kept, scores, fit_step, issue_step, image_meta, now, started)
    if not preview:
        report.send(manager, newsletter, occurrence=occurrence, issue=issue, sources=kept, meta=meta, campaign_name=campaign_name)
        tracking.mark_used(manager.db, chosen, brand_id=brand.id, occurrence=occurrence, now=now)
    log.info("newsletter: issue '%s' generated for %s from %d source(s)", issue["subject"], occurrence, len(kept))
    return {"subject": issue["subject"], "preheader": issue["preheader"], "content": html, "contentHtml": html,
            "summary": issue["summary"], "tags": issue["tags"], "meta": meta,
            **({"assets": {"imageUrls": image_urls}} if any(image_urls) else {})}


def _fill(text: str, brand: Any, now: dt.datetime) -> str:
    """The campaign variables a UTM value may use (the rest are the campaign job's)."""
    for name, value in (("{brand.id}", brand.id), ("{brand.name}", brand.name), ("{date.month}", f"{now:%B}"), ("{date.year}", str(now.year))):
        text = text.replace(name, value)
    return text


def _utm(settings: dict, brand: Any, now: dt.datetime) -> dict:
    utm = settings.get("utm") if isinstance(settings.get("utm"), dict) else {}
    return {k: _fill(str(v), brand, now) for k, v in utm.items() if v not in (None, "")}


def _utm_campaign(settings: dict, brand: Any, now: dt.datetime) -> str:
    return _fill(str(settings.get("name") or "newsletter"), brand, now)


def _meta(content: Any, chosen: list, kept: list, scores: list, fit_step: Any, issue_step: Any, image_meta: list,
          now: dt.datetime, started: float) -> dict:
    steps = [fit_step.tokens, issue_step.tokens, *(m.get("tokens") or {} for m in image_meta)]
    total = sum(s.get("total", 0) for s in steps if s)
    cost = sum(s.get("price", 0.0) for s in steps if s)
    return {
        "timestamp": now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "durationMs": int((time.monotonic() - started) * 1000),
        "template": content.template,
        "sources": {"total": len(chosen), "filtered": len(kept), "scores": scores,
                    "used": [{"title": s.title, "url": s.url, "origin": s.origin} for s in kept]},
        "steps": {"filter": fit_step.dump(), "structure": issue_step.dump(), "images": image_meta},
        "totals": {"aiCalls": sum(1 for s in steps if s), "totalTokens": total, "totalCostUSD": round(cost, 4)},
    }
