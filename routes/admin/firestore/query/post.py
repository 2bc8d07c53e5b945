"""POST /admin/firestore/query {queries: [...]}: query any collections (admin only), as BEM does.

Each query runs, its documents pass the regex ``filter``, ``filterIndex`` slices them, and the
answer is one list ``[{path, data}]`` without duplicate paths (BEM's answer). A query without a
``collection`` finds nothing. The single-query body answers ``{collection, count, documents}``.
"""

import re

from google.cloud.firestore_v1.base_query import FieldFilter

from functions.api import RouteOptions
from functions.store.operators import client_op

OPTIONS = RouteOptions(require="admin", setup_usage=False)
REGEX_LITERAL = re.compile(r"^/(.*)/([a-z]*)$", re.DOTALL)
FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}


def regexify(text: str) -> re.Pattern:
    """``"/abc/i"`` → a case-insensitive pattern; anything else is a plain pattern (BEM's regexify)."""
    literal = REGEX_LITERAL.match(text)
    if not literal:
        return re.compile(text)
    flags = 0
    for letter in literal.group(2):
        flags |= FLAGS.get(letter, 0)
    return re.compile(literal.group(1), flags)


def field_value(data: dict, dotted: str) -> object:
    value: object = data
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def passes(data: dict, filters) -> bool:
    """Every filter matches a string in one of its ``a || b`` fields."""
    for condition in filters:
        pattern = regexify(condition.matches)
        fields = str(condition.field).split(" || ")
        if not any(isinstance(v := field_value(data, f), str) and pattern.search(v) for f in fields):
            return False
    return True


def run_query(db, query) -> list[tuple[str, str, dict]]:
    if not query.collection:
        return []
    ref = db.collection(query.collection)
    for condition in query.where:
        ref = ref.where(filter=FieldFilter(condition.field, client_op(condition.op), condition.value))
    for order in query.order_by:
        ref = ref.order_by(order.field, direction="DESCENDING" if order.direction == "desc" else "ASCENDING")
    found = []
    for snap in ref.limit(query.limit).stream():
        data = snap.to_dict() or {}
        if passes(data, query.filter):
            found.append((snap.id, snap.reference.path, data))
    if query.filter_index:
        start, end = query.filter_index
        found = found[start:min(end, len(found))]
    return found


def main(settings, db):
    documents, seen = [], set()
    for query in settings.queries:
        for doc_id, path, data in run_query(db, query):
            if path not in seen:
                seen.add(path)
                documents.append((doc_id, path, data))
    if settings.single:
        collection = settings.queries[0].collection
        rows = [{"id": i, "path": p, "data": d} for i, p, d in documents]
        return {"collection": collection, "count": len(rows), "documents": rows}
    return [{"path": p, "data": d} for _, p, d in documents]
