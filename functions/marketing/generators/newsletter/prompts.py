"""The prompts (``prompts/*.md``) filled for one issue: the brand-fit system prompt and its input,
the issue's system prompt (template-specific brief) and its research notes."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).parent / "prompts"
PREVIEW_CHARS = 400
RESEARCH_CHARS = 1500


@functools.lru_cache(maxsize=16)
def _read(name: str) -> str:
    return (FOLDER / f"{name}.md").read_text(encoding="utf-8")


def _brand_lines(brand: Any, content: Any) -> str:
    lines = [f"{brand.name} description: {brand.description}" if brand.description else "",
             f"Brand instructions: {content.instructions}" if content.instructions else ""]
    return "\n".join(line for line in lines if line)


def brand_fit(brand: Any, content: Any, sources: list[Any]) -> tuple[str, str]:
    system = _read("brand-fit").format(brand_name=brand.name, brand_lines=_brand_lines(brand, content),
                                       categories=", ".join(content.categories) or "general", tone=content.tone)
    payload = [{"id": s.id, "from": s.host, "subject": s.title, "categories": list(s.categories),
                "preview": " ".join(s.content.split())[:PREVIEW_CHARS]} for s in sources]
    user = (f"Score these {len(sources)} sources for brand fit: exactly one score per source, with its \"id\" verbatim.\n\n"
            f"Input sources:\n{json.dumps(payload, indent=2, ensure_ascii=False)}")
    return system, user


def issue(brand: Any, content: Any, sources: list[Any]) -> tuple[str, str]:
    brief = _read("field-report-sections" if content.template == "field-report" else "classic-sections").format(brand_name=brand.name)
    system = _read("classic").format(
        brand_name=brand.name, brand_lines=_brand_lines(brand, content), tone=content.tone,
        keyword_line=f"Keywords to weave in naturally: {', '.join(content.keywords)}" if content.keywords else "",
        link_line=f"Brand links to use where relevant: {', '.join(content.links)}" if content.links else "",
        template_brief=brief.rstrip("\n"),
    )
    return system, _read("research").format(research=research(sources))


def research(sources: list[Any]) -> str:
    """Numbered notes; the publication is deliberately left out so the model cannot name it (BEM)."""
    notes = []
    for i, s in enumerate(sources, 1):
        digest = s.ai or {}
        lines = [f"[Research {i}]", f"Topic: {digest.get('headline') or s.title or f'Topic {i}'}"]
        if digest.get("summary"):
            lines.append(f"Summary: {digest['summary']}")
        if digest.get("takeaways"):
            lines.append(f"Key takeaways: {'; '.join(map(str, digest['takeaways']))}")
        if not digest.get("summary") and s.content:
            lines.append(f"Raw content (excerpt):\n{s.content[:RESEARCH_CHARS]}")
        notes.append("\n".join(lines))
    return "\n\n".join(notes)
