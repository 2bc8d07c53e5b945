"""What the AI library's ``test`` provider answers for a newsletter step: a deterministic stand-in
built from the sources, appended to the prompt as the provider's ``[[reply:...]]`` directive.

It makes ``mgr newsletter preview`` without keys show a real (clearly placeholder) issue, and lets
tests drive every step. Brand fit: 9 when a source mentions a configured category or keyword
(any source when none are configured), else 2. The issue: one section per source. A directive
already in a source (``[[error:boom]]`` in a feed item) comes first and wins, which is how tests
script a failing model.
"""

from __future__ import annotations

import json
import re
from typing import Any

_WORD = re.compile(r"[a-z0-9]+")


def _topics(content: Any) -> list[str]:
    return [t.lower().replace("-", " ") for t in (*content.categories, *content.keywords) if t.strip()]


def brand_fit(content: Any, sources: list[Any]) -> dict:
    topics = _topics(content)
    scores = []
    for s in sources:
        text = " ".join(_WORD.findall(f"{s.title} {s.content}".lower().replace("-", " ")))
        hit = next((t for t in topics if t in text), None)
        fit = 9 if hit or not topics else 2
        scores.append({"id": s.id, "fit": fit, "reason": f"mentions {hit}" if hit else ("no topics configured" if not topics else "off-topic")})
    return {"scores": scores}


def issue(brand: Any, content: Any, sources: list[Any]) -> dict:
    first = sources[0].title or "This week"
    tags = [re.sub(r"[^a-z0-9]+", "-", c.lower()).strip("-") for c in content.categories][:5]
    base = {
        "subject": f"{brand.name}: {first}"[:60], "preheader": f"{len(sources)} stories this week, starting with {first}"[:100],
        "summary": f"Placeholder issue written by the test AI provider from {len(sources)} source(s).",
        "tags": tags, "citations": [], "signoff": f"Best,\nThe {brand.name} Team",
    }
    if content.template == "field-report":
        return {**base, "tldr": f"{len(sources)} dispatches. Lead: {first}."[:200], "dateline": "REMOTE", "dispatches": [
            {"kicker": "LEAD DISPATCH" if i == 0 else "DISPATCH", "headline": s.title[:90] or f"Dispatch {i + 1}",
             "byline": f"Filed by The {brand.name} desk", "location": "REMOTE", "lede": _excerpt(s.content, 200),
             "dispatch": _excerpt(s.content, 900), "dataPoints": [], "image_prompt": f"An editorial illustration of {s.title}"}
            for i, s in enumerate(sources)]}
    return {**base, "intro": f"This week: {', '.join(s.title for s in sources[:3])}.", "sections": [
        {"title": s.title or f"Story {i + 1}", "body": _excerpt(s.content, 900), "image_prompt": f"A flat illustration of {s.title}"}
        for i, s in enumerate(sources)]}


def directive(answer: dict) -> str:
    """``[[reply:<json>]]`` that the test provider's parser reads back intact (no ``]]`` inside)."""
    text = json.dumps(answer, ensure_ascii=False).replace("]]", "] ]").replace("[[", "[ [")
    return f"\n\n[[reply:{text}]]"


def _excerpt(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
