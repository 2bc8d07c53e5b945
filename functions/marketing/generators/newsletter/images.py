"""Section illustrations (BEM's ``image-illustrator.js``): optional, off by default
(``content.image.enabled``).

The AI library draws only with OpenAI (``manager.ai.image``, ``gpt-image-2``, BEM's flat-vector
prompt in the brand palette). An e-mail can only show a hosted image, so each PNG is published to
``marketing.newsletter.assets.repository`` (GitHub Contents API, ``GH_TOKEN``) at
``{brandId}/content/{campaignId}/section-N.png`` and linked through ``assets.cdn`` (else
raw.githubusercontent.com). When a condition is missing the log says which and the issue renders
without images; a section whose image fails renders without it (every template handles that).
"""

from __future__ import annotations

import base64
import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger("bem.marketing.newsletter")

GITHUB_API = "https://api.github.com"
_SAFE = re.compile(r"[^A-Za-z0-9_-]")

PROMPT = """Minimal flat vector illustration for the newsletter of "{brand}".
STYLE: modern flat 2D vector illustration, like the marketing graphics of Stripe, Linear or undraw.co: clean geometric
shapes, flat solid fills, crisp edges. No photorealism, 3D, textures, gradients, shading or glossy surfaces.
PALETTE (only these flat colours, plus white): primary {primary}, secondary {secondary}, accent {accent}. White background.
COMPOSITION: one clear subject, lots of negative space, uncluttered.
HARD CONSTRAINTS: no text, letters, numbers, logos, watermarks, UI mockups, borders or frames.
SUBJECT: {subject}"""


def illustrate(manager: Any, newsletter: Any, content: Any, issue: dict, *, campaign_id: str) -> tuple[list[str | None], list[dict]]:
    """(one image URL or ``None`` per section, per-image metadata); ``([], [])`` when images are off or impossible."""
    if not content.image.enabled:
        return [], []
    assets = newsletter.assets
    provider = content.provider.image or "openai"
    problem = (f"the AI library draws only with openai, not {provider}" if provider != "openai"
               else "no OpenAI key" if not manager.ai.configured("openai")
               else "no marketing.newsletter.assets.repository" if not assets.repository
               else "no GH_TOKEN" if not os.environ.get("GH_TOKEN") else None)
    if problem:
        log.warning("newsletter: section images skipped: %s", problem)
        return [], []
    sections = issue.get("sections") or []
    folder = f"{_SAFE.sub('-', manager.config.brand.id)}/content/{_SAFE.sub('-', campaign_id)}"
    with ThreadPoolExecutor(max_workers=min(len(sections), 4) or 1) as pool:
        results = list(pool.map(lambda pair: _one(manager, content, assets, folder, *pair), enumerate(sections, 1)))
    return [url for url, _ in results], [meta for _, meta in results]


def _one(manager: Any, content: Any, assets: Any, folder: str, number: int, section: dict) -> tuple[str | None, dict]:
    from functions.ai.errors import AIError

    theme = content.theme
    prompt = PROMPT.format(brand=manager.config.brand.name, primary=theme.primary_color, secondary=theme.secondary_color,
                           accent=theme.accent_color, subject=section.get("image_prompt") or section.get("title") or "an abstract shape")
    meta: dict = {"section": number, "provider": "openai", "model": content.model.image}
    try:
        image = manager.ai.image(prompt, model=content.model.image, size=content.image.size, quality=content.image.quality, background="opaque")[0]
        meta["model"] = image.model
        url = publish(assets, f"{folder}/section-{number}.png", image.buffer, message=f"newsletter: {folder} section {number}")
    except (AIError, IndexError, PublishError) as error:
        log.error("newsletter: section %d image failed: %s", number, getattr(error, "message", None) or error)
        return None, {**meta, "error": str(getattr(error, "message", None) or error)[:200]}
    return url, meta


class PublishError(Exception):
    """The asset host refused or did not answer."""


def publish(assets: Any, path: str, data: bytes, *, message: str) -> str:
    """Create or replace ``path`` in the repository; answer its public URL."""
    import requests

    api = os.environ.get("GITHUB_API_URL") or GITHUB_API
    url = f"{api}/repos/{assets.repository}/contents/{path}"
    headers = {"Authorization": f"Bearer {os.environ['GH_TOKEN']}", "Accept": "application/vnd.github+json"}
    body: dict = {"message": message, "content": base64.b64encode(data).decode()}
    try:
        response = requests.put(url, json=body, headers=headers, timeout=30)
        if response.status_code == 422:  # the file exists (a retried occurrence): replace it
            current = requests.get(url, headers=headers, timeout=30)
            body["sha"] = (current.json() or {}).get("sha") if current.ok else None
            response = requests.put(url, json=body, headers=headers, timeout=30)
    except requests.RequestException as error:
        raise PublishError(type(error).__name__) from None
    if response.status_code not in (200, 201):
        raise PublishError(f"GitHub answered {response.status_code}")
    base = assets.cdn.rstrip("/") if assets.cdn else f"https://raw.githubusercontent.com/{assets.repository}/HEAD"
    return f"{base}/{path}"
