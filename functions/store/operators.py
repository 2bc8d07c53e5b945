"""Query operators as google-cloud-firestore spells them.

Firestore's JavaScript SDKs (BEM, its clients, BEM's ``admin/firestore/query`` bodies) write
``array-contains`` and ``array-contains-any``; the Python client accepts only ``array_contains`` and
``array_contains_any`` (every other operator is spelled alike). ``client_op`` maps one to the other;
the in-memory store accepts exactly what the Python client accepts, so a JavaScript spelling that
reaches a query fails in the unit tier as it would in production.
"""

from __future__ import annotations

JAVASCRIPT_SPELLINGS = {"array-contains": "array_contains", "array-contains-any": "array_contains_any"}


def client_op(op: str) -> str:
    """The Python client's spelling of a query operator (JavaScript's ``array-contains…`` included)."""
    return JAVASCRIPT_SPELLINGS.get(op, op)
