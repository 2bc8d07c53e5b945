"""The ``content-sources`` collection (BEM's shape, shared with the blog pipeline): one document per
used item, id ``sha256("{origin}::{url}")[:20]``. An item with a document is never used again,
except by the occurrence that wrote it (``occurrence``, ours), so a retried occurrence can rebuild
its issue. Documents are written in one batch, only after the issue is produced."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

COLLECTION = "content-sources"
USED_BY = "newsletter"


def source_id(origin: str, url: str) -> str:
    return hashlib.sha256(f"{origin}::{url}".encode()).hexdigest()[:20]


def used_ids(db: Any, ids: Iterable[str], occurrence: str) -> set[str]:
    """Of ``ids``, those already used by another occurrence (one batched read)."""
    refs = [db.collection(COLLECTION).document(i) for i in dict.fromkeys(ids)]
    if not refs:
        return set()
    used = set()
    for snapshot in db.get_all(refs):
        data = snapshot.to_dict() if snapshot.exists else None
        if isinstance(data, dict) and data.get("occurrence") != occurrence:
            used.add(snapshot.id)
    return used


def mark_used(db: Any, sources: Iterable[Any], *, brand_id: str, occurrence: str, now: dt.datetime) -> None:
    """One document per source, all in one batch (a failed write marks none)."""
    stamp = {"timestamp": now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"), "timestampUNIX": int(now.timestamp())}
    batch = db.batch()
    for source in sources:
        batch.set(db.collection(COLLECTION).document(source.tracking_id), {
            "url": source.key or None, "origin": source.origin or None, "feedUrl": source.feed_url or None,
            "itemId": source.item_id or None, "itemTitle": source.title or None, "postTitle": None,
            "usedBy": USED_BY, "brandId": brand_id or None, "postUrl": None, "postSlug": None,
            "occurrence": occurrence, "metadata": {"created": stamp, "updated": stamp},
        })
    batch.commit()
