"""Section illustrations (BEM's ``image-illustrator.js``): optional, off by default
(``content.image.enabled``).

The AI library draws only with OpenAI (``manager.ai.image``, ``gpt-image-2``), and an e-mail can
only show an image that is hosted somewhere (BEM commits them to ITW's GitHub repository behind
its CDN; here ``marketing.newsletter.assets``). Publishing to that host is not built yet, so an
enabled ``image`` logs why no image is added and the issue renders without them: every template
handles a section without an image.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("bem.marketing.newsletter")


def illustrate(manager: Any, content: Any, issue: dict, *, campaign_id: str) -> tuple[list[str], list[dict]]:
    """(one image URL per section, or none; per-image metadata)."""
    if not content.image.enabled:
        return [], []
    provider = content.provider.image or "openai"
    if provider != "openai":
        log.warning("newsletter: section images need the openai provider (the AI library draws only with it), not %s: no images", provider)
        return [], []
    if not manager.ai.configured("openai"):
        log.warning("newsletter: section images need an OpenAI key: no images")
        return [], []
    log.warning("newsletter: section images need an asset host (marketing.newsletter.assets), which is not built yet: no images")
    return [], []
