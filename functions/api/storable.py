"""Refuse request data that Firestore could not store, before any handler runs.

Firestore refuses a document whose strings are not valid UTF-8 (a lone surrogate such
as ``"\\ud800"``, which JSON can spell), whose maps/arrays nest deeper than 20 levels,
whose field names are over 1,500 bytes or reserved (``__name__``), whose values are over
1 MiB - 89 bytes, or whose integers do not fit 64 bits. Such data fails only when it is
written, after a handler may already have called a processor or written other
documents, and a lone surrogate also crashes the HTML sanitiser. So the pipeline checks
the request data once, up front, and answers 400 naming the field (``items.2.name``).

Written for the usual small body: ASCII strings cost one ``str.isascii()`` each.
"""

from __future__ import annotations

from typing import Any, NoReturn

from functions.errors import ValidationError

MAX_DEPTH = 20
"""Firestore's "maximum depth of fields in a map or array": names on the path to the deepest
field, maps and arrays each adding one (``{a: {b: {c: 1}}}`` is 3 deep)."""
MAX_FIELD_NAME_BYTES = 1500
MAX_VALUE_BYTES = 1_048_487
INT64 = (-(2**63), 2**63 - 1)


def check(data: Any) -> None:
    """Raise ``ValidationError`` (400, ``field`` set) for the first value Firestore would refuse."""
    if isinstance(data, dict):
        _check_map(data, "", 0)
    elif isinstance(data, list):
        _check_list(data, "", 0)
    else:
        _check_scalar(data, "(body)")


def _check_map(mapping: dict, prefix: str, depth: int) -> None:
    for key, value in mapping.items():
        if not isinstance(key, str):
            key = str(key)
        path = f"{prefix}{key}" if not prefix else f"{prefix}.{key}"
        if not key.isascii():
            printable = key.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate spelled \udxxx
            if _utf8_length(key, path.replace(key, printable)) > MAX_FIELD_NAME_BYTES:
                _refuse(path, f"field name is over {MAX_FIELD_NAME_BYTES} bytes")
        elif len(key) > MAX_FIELD_NAME_BYTES:
            _refuse(path, f"field name is over {MAX_FIELD_NAME_BYTES} bytes")
        if len(key) > 3 and key.startswith("__") and key.endswith("__"):
            _refuse(path, "field names of the form __name__ are reserved by Firestore")
        _check_item(value, path, depth)


def _check_list(items: list, prefix: str, depth: int) -> None:
    for index, value in enumerate(items):
        _check_item(value, f"{prefix}.{index}" if prefix else str(index), depth)


def _check_item(value: Any, path: str, depth: int) -> None:
    kind = type(value)
    if kind is dict or kind is list:
        if depth + 2 > MAX_DEPTH:  # ``path`` has depth + 1 names; this container's fields one more
            _refuse(path, f"maps/arrays are nested deeper than the {MAX_DEPTH} levels Firestore stores")
        if kind is dict:
            _check_map(value, path, depth + 1)
        else:
            _check_list(value, path, depth + 1)
    else:
        _check_scalar(value, path)


def _check_scalar(value: Any, path: str) -> None:
    kind = type(value)
    if kind is str:
        size = len(value) if value.isascii() else _utf8_length(value, path)
        if size > MAX_VALUE_BYTES:
            _refuse(path, f"text is over the {MAX_VALUE_BYTES} bytes Firestore stores in one field")
    elif kind is int and not INT64[0] <= value <= INT64[1]:
        _refuse(path, "integer does not fit in 64 bits")


def _utf8_length(text: str, path: str) -> int:
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError as error:
        character = text[error.start]
        _refuse(path, f"contains a lone surrogate (\\u{ord(character):04x}), which is not valid Unicode text")


def _refuse(path: str, reason: str) -> NoReturn:
    raise ValidationError(f"Invalid value for {path or '(body)'}: {reason}", field=path or "(body)")
