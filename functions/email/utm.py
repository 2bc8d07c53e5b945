"""UTM tagging of links to the brand's own site (BEM's ``utm.js``).

``utm_source`` = brand id, ``utm_medium`` = ``email``, ``utm_campaign`` = sender or template,
``utm_content`` = ``transactional``; ``utm`` overrides or adds. Existing parameters are kept;
links to other hosts, ``mailto:`` and relative links are left alone.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

HREF_RE = re.compile(r"""(<a\s[^>]*?href=)(["'])([^"']+)\2""", re.IGNORECASE)


def hostnames(brand_url: str) -> set[str]:
    host = (urlsplit(brand_url).hostname or "").lower()
    if not host:
        return set()
    return {host, host[4:] if host.startswith("www.") else f"www.{host}"}


def parameters(*, brand_id: str, campaign: str | None, content: str = "transactional", utm: dict | None = None) -> dict[str, str]:
    params = {"utm_source": brand_id, "utm_medium": "email", "utm_campaign": campaign, "utm_content": content, **(utm or {})}
    return {k: str(v) for k, v in params.items() if v not in (None, "")}


def tag_url(url: str, hosts: set[str], params: dict[str, str]) -> str:
    parts = urlsplit(url.replace("&amp;", "&"))
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in hosts:
        return url
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _ in query}
    query += [(k, v) for k, v in params.items() if k not in present]
    return urlunsplit(parts._replace(query=urlencode(query)))


def tag_links(html: str, brand_url: str, params: dict[str, str]) -> str:
    """Append ``params`` to every ``<a href>`` pointing at ``brand_url``'s host (and its www twin)."""
    hosts = hostnames(brand_url)
    if not html or not hosts or not params:
        return html

    def replace(match: re.Match[str]) -> str:
        tagged = tag_url(match.group(3), hosts, params).replace("&", "&amp;")
        return f"{match.group(1)}{match.group(2)}{tagged}{match.group(2)}"

    return HREF_RE.sub(replace, html)
