"""The composite indexes the framework's own queries need (single source of truth)."""

from __future__ import annotations

REQUIRED_INDEXES: list[dict] = [
    {"collectionGroup": "data-requests", "fields": [("owner", "ASCENDING"), ("metadata.created.timestampUNIX", "DESCENDING")]},
    {"collectionGroup": "payments-orders", "fields": [("owner", "ASCENDING"), ("type", "ASCENDING")]},
    {"collectionGroup": "notifications", "fields": [("tags", "CONTAINS"), ("owner", "ASCENDING")]},
    {"collectionGroup": "payments-carts", "fields": [("status", "ASCENDING"), ("nextReminderAt", "ASCENDING")]},
    {"collectionGroup": "marketing-campaigns", "fields": [("status", "ASCENDING"), ("sendAt", "ASCENDING")]},
    {"collectionGroup": "users", "fields": [("subscription.status", "ASCENDING"), ("subscription.product.id", "ASCENDING")]},
    {"collectionGroup": "marketing-campaigns", "fields": [("type", "ASCENDING"), ("sendAt", "ASCENDING")]},
    {"collectionGroup": "emails-queue", "fields": [("status", "ASCENDING"), ("sendAt", "ASCENDING")]},   # drain
    {"collectionGroup": "emails-queue", "fields": [("status", "ASCENDING"), ("updated", "ASCENDING")]},  # prune
]


def _render(spec: dict) -> dict:
    fields = []
    for path, order in spec["fields"]:
        key = "arrayConfig" if order == "CONTAINS" else "order"
        fields.append({"fieldPath": path, key: order})
    return {"collectionGroup": spec["collectionGroup"], "queryScope": "COLLECTION", "fields": fields}


def _key(index: dict) -> tuple:
    return (index.get("collectionGroup"), index.get("queryScope", "COLLECTION"),
            tuple((f.get("fieldPath"), f.get("order") or f.get("arrayConfig")) for f in index.get("fields", [])))


def merge_indexes(current: dict) -> tuple[dict, list[dict]]:
    """Add missing required indexes; keep the project's own and its field overrides."""
    indexes = list(current.get("indexes", []))
    present = {_key(i) for i in indexes}
    added = [_render(spec) for spec in REQUIRED_INDEXES if _key(_render(spec)) not in present]
    return {"indexes": indexes + added, "fieldOverrides": current.get("fieldOverrides", [])}, added
