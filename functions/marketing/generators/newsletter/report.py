"""The report e-mail to the brand after an issue is produced (BEM's ``sendNewsletterReportEmail``):
subject, preheader, summary, tags, the sources used and the AI cost, through the e-mail library
(``sender: internal``, template ``card``, category ``marketing/newsletter-report``) to
``marketing.newsletter.report.to`` or ``alerts@{brand domain}``. Keyed by the occurrence, so a
retried occurrence never sends a second report. Best effort: a failure is logged, never raised."""

from __future__ import annotations

import logging
from typing import Any

from functions.email.errors import EmailInputError

log = logging.getLogger("bem.marketing.newsletter")
CATEGORY = "marketing/newsletter-report"


def recipient(manager: Any, newsletter: Any) -> str | None:
    if newsletter.report.to:
        return newsletter.report.to
    domain = manager.config.brand.contact.email.partition("@")[2]
    return f"alerts@{domain}" if domain else None


def send(manager: Any, newsletter: Any, *, occurrence: str, issue: dict, sources: list[Any], meta: dict, campaign_name: str) -> Any:
    if not newsletter.report.enabled:
        return None
    to = recipient(manager, newsletter)
    if not to:
        log.info("newsletter: report e-mail skipped: no brand.contact.email or marketing.newsletter.report.to")
        return None
    lines = [f"The newsletter **{_md(campaign_name)}** was generated and handed to the campaign job for sending.", "",
             "**Details**", "", f"- Subject: {_md(issue['subject'])}", f"- Preheader: {_md(issue.get('preheader') or '(none)')}"]
    if issue.get("tags"):
        lines.append(f"- Tags: {_md(', '.join(issue['tags']))}")
    lines.append(f"- Template: {meta['template']}")
    if issue.get("summary"):
        lines += ["", "**Summary**", "", _md(issue["summary"])]
    lines += ["", f"**Sources**: {len(sources)} used", ""]
    for s in sources:
        label = _md(s.title or s.url or "Untitled")
        where = f" ({_md(s.host)})" if s.host else ""
        lines.append(f"- [{label}]({s.url}){where}" if s.url.startswith("http") else f"- {label}{where}")
    totals = meta.get("totals") or {}
    lines += ["", f"AI: {totals.get('aiCalls', 0)} call(s), {totals.get('totalTokens', 0)} tokens, ${totals.get('totalCostUSD', 0)}"]
    try:
        return manager.email.send(
            sender="internal", to=to, copy=False, template="card", categories=[CATEGORY],
            subject=f'Newsletter generated: "{issue["subject"]}"',
            data={"email": {"preview": "Newsletter generated and ready to send"},
                  "content": {"title": "Newsletter Generated", "message": "\n".join(lines)}},
            idempotency_key=f"newsletter-report:{occurrence}",
        )
    except EmailInputError as error:
        log.error("newsletter: report e-mail not sent: %s", error)
        return None


def _md(text: str) -> str:
    """Text safe inside markdown (``<`` would be refused by the e-mail library's no-HTML check)."""
    return str(text).replace("<", "‹").replace(">", "›").replace("[", "(").replace("]", ")")
