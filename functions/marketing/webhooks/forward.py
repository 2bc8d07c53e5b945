"""``POST marketing/webhook/forward?provider=…&key=…``: the parent brand's fan-out (BEM
``routes/marketing/webhook/forward/post.js``).

SendGrid and Beehiiv post to the parent alone; the parent re-posts the body, byte for byte, to
``marketing/webhook?provider=…&key=…`` of every brand in its ``brands`` collection (itself
included), in parallel, 10 s each. Each brand then acts on its own users; brands are idempotent,
so a provider retry can fan out again safely.

Only when ``config.parent == "self"``: on any other brand the route answers 404 (even with the
right key). ``provider`` missing → 400, key wrong → 401. A brand's API is
``https://api.{host of brand.url}/backend-manager/marketing/webhook`` (BEM), or ``brand.apiUrl``
when its document has one. Answers 200 ``{received, forwarded, succeeded, failed[, failures]}``:
a brand that fails does not make the provider retry the parent.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from functions.errors import BadRequest, InternalError, NotFound

BRANDS = "brands"
CHILD_TIMEOUT_S = 10.0
PARALLEL = 8
RECEIVER_PATH = "/backend-manager/marketing/webhook"
log = logging.getLogger("bem.marketing.forward")


def forward(manager: Any, assistant: Any) -> dict:
    from functions.payments.processors.shared import check_webhook_key

    if manager.config.parent != "self":
        raise NotFound("Not found")
    query = assistant.query
    provider = query.get("provider")
    if not provider:
        raise BadRequest("Missing provider parameter")
    check_webhook_key(query, "Marketing webhooks")
    try:
        snapshots = list(manager.db.collection(BRANDS).stream())
    except Exception:
        log.exception("marketing webhook forward: reading the brands collection failed")
        raise InternalError("Failed to load brands") from None
    targets = []
    for snapshot in snapshots:
        brand = (snapshot.to_dict() or {}).get("brand")
        brand = brand if isinstance(brand, dict) else {}
        brand_id = str(brand.get("id") or snapshot.id)
        url = receiver_url(brand, str(provider), str(query.get("key")))
        if url is None:
            log.info("marketing webhook forward: brand %s has no usable brand.url, skipping", brand_id)
            continue
        targets.append((brand_id, url))
    if not targets:
        return {"received": True, "forwarded": 0}
    body = assistant.parsed.raw
    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(targets))) as pool:
        outcomes = list(pool.map(lambda target: post(target[1], body), targets))
    failures = [{"brandId": brand_id, "reason": error} for (brand_id, _), error in zip(targets, outcomes, strict=True) if error]
    for failure in failures:
        log.error("marketing webhook forward: %s failed: %s", failure["brandId"], failure["reason"])
    answer = {"received": True, "forwarded": len(targets), "succeeded": len(targets) - len(failures), "failed": len(failures)}
    return {**answer, "failures": failures} if failures else answer


def receiver_url(brand: dict, provider: str, key: str) -> str | None:
    """The brand's ``marketing/webhook`` URL with ``provider`` and ``key``, or None (no usable URL)."""
    query = urlencode({"provider": provider, "key": key})
    api_url = brand.get("apiUrl")
    if isinstance(api_url, str) and api_url.startswith(("https://", "http://")):
        parts = urlsplit(api_url.rstrip("/"))
        return urlunsplit((parts.scheme, parts.netloc, parts.path + RECEIVER_PATH, query, ""))
    url = brand.get("url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    netloc = f"api.{parts.hostname}" + (f":{port}" if port else "")
    return urlunsplit((parts.scheme, netloc, RECEIVER_PATH, query, ""))


def post(url: str, body: bytes) -> str | None:
    """POST ``body`` as JSON; None when the brand answered 2xx, else why not."""
    import requests

    try:
        response = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=CHILD_TIMEOUT_S)
    except requests.RequestException as error:
        return type(error).__name__
    return None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
