"""Where an issue's material comes from (BEM's ``source-resolver.js`` rules, for the newsletter).

Each entry of ``content.sources`` is a pool:
- ``$feed:<url>``: the feed's items, newest first;
- ``$parent``: the parent's ``newsletter-sources`` endpoint, up to 3 per category, deduplicated
  (``GET {sourcesUrl}?limit=3&category=X&backendManagerKey=…``; ``{sources: [...]}``);
- ``$brand``: the brand's own feed (``marketing.newsletter.brandFeed``, else ``{brand.url}/feed.xml``).
A pool that cannot be read is logged and skipped. Items already used (``content-sources``) are
dropped; then ``sourceCount`` items are taken round-robin across the pools, in config order, so
every pool contributes and the choice is reproducible (BEM picks pools at random).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from functions.marketing.generators.newsletter import feeds, tracking

log = logging.getLogger("bem.marketing.newsletter")

FEED_PREFIX = "$feed:"
PARENT_PER_CATEGORY = 3


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    url: str
    content: str
    origin: str
    feed_url: str = ""
    categories: tuple[str, ...] = ()
    publisher: str = ""
    """Where the parent got the item (its ``source.from``); feeds use their host."""
    ai: dict = field(default_factory=dict)
    """The parent's digest of the item (``headline``, ``summary``, ``takeaways``), when it has one."""

    @property
    def key(self) -> str:
        """What ``content-sources.url`` records: the item's URL, else its id (BEM)."""
        return self.url or self.id

    @property
    def item_id(self) -> str:
        return self.id

    @property
    def tracking_id(self) -> str:
        return tracking.source_id(self.origin, self.key)

    @property
    def host(self) -> str:
        return self.publisher or urlsplit(self.feed_url or self.url).hostname or ""


def resolve(manager: Any, newsletter: Any, content: Any, *, occurrence: str) -> list[Source]:
    """Up to ``content.source_count`` unused sources (``[]`` when there is nothing new)."""
    pools = [_pool(manager, newsletter, entry, content) for entry in content.sources]
    candidates = [[s for s in pool if s.key] for pool in pools]
    used = tracking.used_ids(manager.db, (s.tracking_id for pool in candidates for s in pool), occurrence)
    fresh = [[s for s in pool if s.tracking_id not in used] for pool in candidates]
    chosen: list[Source] = []
    seen: set[str] = set()
    while len(chosen) < content.source_count and any(fresh):
        for pool in fresh:
            while pool:
                source = pool.pop(0)
                if source.key not in seen:
                    seen.add(source.key)
                    chosen.append(source)
                    break
            if len(chosen) >= content.source_count:
                break
    log.info("newsletter: %d source(s) chosen (%d candidate(s), %d already used)",
             len(chosen), sum(len(p) for p in candidates), len(used))
    return chosen


def _pool(manager: Any, newsletter: Any, entry: str, content: Any) -> list[Source]:
    if entry.startswith(FEED_PREFIX):
        return _feed(entry[len(FEED_PREFIX):], entry, content, newsletter.feed_timeout)
    if entry == "$brand":
        url = newsletter.brand_feed or f"{manager.config.brand.url.rstrip('/')}/feed.xml"
        return _feed(url, "$brand", content, newsletter.feed_timeout)
    if entry == "$parent":
        return _parent(manager, newsletter, content)
    log.warning("newsletter: source '%s' is not $feed:<url>, $parent or $brand; ignored", entry[:80])
    return []


def _feed(url: str, origin: str, content: Any, timeout: float) -> list[Source]:
    try:
        items = feeds.fetch(url, timeout)
    except feeds.FeedError as error:
        log.error("newsletter: feed %s could not be read: %s", url, error)
        return []
    return [Source(id=i.id, title=i.title, url=i.url, content=i.content or i.summary, origin=origin, feed_url=url,
                   categories=tuple(content.categories)) for i in items]


def parent_sources_url(manager: Any, newsletter: Any) -> str | None:
    """``marketing.newsletter.sourcesUrl``, else ``https://api.{parent host}/newsletter-sources`` (BEM's getParentApiUrl)."""
    config = manager.config
    if newsletter.sources_url:
        return newsletter.sources_url
    parent = config.brand.url if config.parent == "self" else (config.parent or "")
    host = parent.split("://", 1)[-1].strip("/")
    return f"https://api.{host}/newsletter-sources" if host else None


def _parent(manager: Any, newsletter: Any, content: Any) -> list[Source]:
    import requests

    from functions.config.secrets import secret

    url = parent_sources_url(manager, newsletter)
    if not url:
        log.info("newsletter: $parent listed but no parent configured (config parent or marketing.newsletter.sourcesUrl)")
        return []
    raw: list[dict] = []
    for category in content.categories or [""]:
        query = {"limit": PARENT_PER_CATEGORY, "backendManagerKey": secret("BACKEND_MANAGER_KEY") or ""}
        if category:
            query["category"] = category
        try:
            response = requests.get(url, params=query, timeout=newsletter.feed_timeout)
            payload = response.json() if response.status_code < 400 else None
        except (requests.RequestException, ValueError) as error:
            log.error("newsletter: parent sources (category %s) could not be read: %s", category or "-", type(error).__name__)
            continue
        if payload is None:
            log.error("newsletter: parent sources (category %s) answered HTTP %s", category or "-", response.status_code)
            continue
        listed = payload.get("sources") if isinstance(payload, dict) else None
        raw += [s for s in listed or [] if isinstance(s, dict)]
    return [_from_parent(item, content) for item in raw]


def _from_parent(item: dict, content: Any) -> Source:
    origin_source = item.get("source") if isinstance(item.get("source"), dict) else {}
    url = str(item.get("url") or "")
    categories = item.get("categories") if isinstance(item.get("categories"), list) else [item.get("category")]
    return Source(
        id=str(item.get("id") or url), title=str(item.get("title") or item.get("subject") or origin_source.get("subject") or ""),
        url=url if url.startswith("http") else "", content=str(origin_source.get("content") or item.get("content") or item.get("summary") or ""),
        origin="$parent", publisher=str(origin_source.get("from") or ""),
        categories=tuple(str(c) for c in categories if c) or tuple(content.categories),
        ai=item.get("ai") if isinstance(item.get("ai"), dict) else {},
    )
