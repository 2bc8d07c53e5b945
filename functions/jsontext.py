"""JSON text that may be JSON5, parsed with a nesting limit.

Plain JSON goes through the fast C parser; JSON5 (comments, trailing commas, unquoted
keys) falls back to the pure-Python ``json5``, which is ~5,000x slower, so callers on
the request path allow it only for small texts (``json5_limit``).

Nesting is measured on the text *before* parsing: ``json.loads`` and ``json5`` recurse
once per level, and so does every function that walks the result (trim, sanitize,
pydantic, the Firestore encoder); a text nested deeper than ``max_depth`` is refused
with ``TooDeep`` instead of a ``RecursionError`` somewhere later.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32
"""Objects/arrays nested deeper than this are refused (Firestore itself stores 20 levels)."""
JSON5_MAX_DEPTH = 20
"""``json5`` uses ~20 Python frames per level: keep it far from the recursion limit."""

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


class TooDeep(ValueError):
    """The text nests objects/arrays deeper than allowed."""

    def __init__(self, depth_limit: int) -> None:
        super().__init__(f"objects/arrays are nested deeper than {depth_limit} levels")
        self.depth_limit = depth_limit


class Json5TooLarge(ValueError):
    """The text is not plain JSON, and too large to be parsed as JSON5."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"not valid JSON (JSON5 is accepted only up to {limit} characters)")


def exceeds_depth(text: str, limit: int) -> bool:
    """Whether brackets outside string literals nest deeper than ``limit``.

    Fast for the usual body: with no more opening brackets than ``limit`` it cannot be
    deeper, so nothing is scanned. Otherwise strings are cut out and the brackets
    counted (a bracket inside a JSON5 comment counts too: refusing is the safe side)."""
    if text.count("{") + text.count("[") <= limit:
        return False
    depth = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def loads_tolerant(text: str, *, max_depth: int = MAX_DEPTH, json5_limit: int | None = None) -> Any:
    """Parse JSON, else JSON5 when ``text`` is at most ``json5_limit`` characters (None: any size).

    Raises ``TooDeep`` / ``Json5TooLarge`` / ``ValueError`` (malformed)."""
    if exceeds_depth(text, max_depth):
        raise TooDeep(max_depth)
    try:
        return json.loads(text)
    except ValueError as error:
        plain_error = error
    if json5_limit is not None and len(text) > json5_limit:
        raise Json5TooLarge(json5_limit) from plain_error
    if exceeds_depth(text, JSON5_MAX_DEPTH):
        raise TooDeep(JSON5_MAX_DEPTH)
    import json5

    return json5.loads(text)
