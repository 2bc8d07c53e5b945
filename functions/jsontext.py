"""JSON text that may be JSON5, parsed with a nesting limit.

Plain JSON goes through the fast C parser; JSON5 (comments, trailing commas, unquoted
keys) falls back to the pure-Python ``json5``, which is ~5,000x slower, so callers on
the request path allow it only for small texts (``json5_limit``).

Every function that walks a parsed value recurses once per level (trim, sanitize, pydantic,
the Firestore encoder), so a text nested deeper than ``max_depth`` is refused with
``TooDeep`` instead of a ``RecursionError`` somewhere later. Plain JSON is parsed by the C
parser, whose own recursion guard stops absurd nesting (caught: ``TooDeep``), and the
result's depth is then measured without recursion; JSON5 text is measured *before*
``json5`` sees it (it recurses ~20 Python frames per level).
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32
"""Objects/arrays nested deeper than this are refused (Firestore itself stores 20 levels)."""
JSON5_MAX_DEPTH = 20
"""``json5`` uses ~20 Python frames per level: keep it far from the recursion limit."""

_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|\'[^\'\\]*(?:\\.[^\'\\]*)*\'', re.DOTALL)
_INNERMOST = re.compile(r"\[\]|\{\}")
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


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
    deeper, so nothing is scanned. Otherwise strings are cut out, everything but brackets
    dropped, and innermost pairs removed one level per pass (C-speed passes, at most
    ``limit`` of them). A bracket inside a JSON5 comment counts too: refusing is the
    safe side. Unbalanced leftovers are malformed JSON, which the parser reports."""
    if text.count("{") + text.count("[") <= limit:
        return False
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    for _ in range(limit):
        reduced = _INNERMOST.sub("", brackets)
        if reduced == brackets:
            return False
        brackets = reduced
    return _INNERMOST.search(brackets) is not None


def nested_deeper(value: Any, limit: int) -> bool:
    """Whether parsed JSON nests objects/arrays deeper than ``limit`` (iterative: any depth is safe)."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        container, depth = stack.pop()
        if depth > limit:
            return True
        for item in container.values() if type(container) is dict else container:
            if type(item) is dict or type(item) is list:
                stack.append((item, depth + 1))
    return False


def loads_tolerant(text: str, *, max_depth: int = MAX_DEPTH, json5_limit: int | None = None) -> Any:
    """Parse JSON, else JSON5 when ``text`` is at most ``json5_limit`` characters (None: any size).

    Raises ``TooDeep`` / ``Json5TooLarge`` / ``ValueError`` (malformed)."""
    try:
        value = json.loads(text)
    except RecursionError:  # the C parser's guard: far deeper than any limit
        raise TooDeep(max_depth) from None
    except ValueError as error:
        plain_error = error
    else:
        if text.count("{") + text.count("[") > max_depth and nested_deeper(value, max_depth):
            raise TooDeep(max_depth)
        return value
    if json5_limit is not None and len(text) > json5_limit:
        raise Json5TooLarge(json5_limit) from plain_error
    if exceeds_depth(text, min(max_depth, JSON5_MAX_DEPTH)):
        raise TooDeep(min(max_depth, JSON5_MAX_DEPTH))
    import json5

    try:
        return json5.loads(text)
    except RecursionError:
        raise TooDeep(JSON5_MAX_DEPTH) from None
