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
        _check_map(data, (), 0)
    elif isinstance(data, list):
        _check_list(data, (), 0)
    else:
        _check_value(data, (), "(body)", 0)


# Paths are built only for an error: the loops below test the usual value (short ASCII
# text, a number) inline and call the slow checks only when something looks unusual.
def _check_map(mapping: dict, trail: tuple, depth: int) -> None:
    for key, value in mapping.items():
        if type(key) is not str or not key.isascii() or len(key) > MAX_FIELD_NAME_BYTES or key.startswith("__"):
            _check_key(key, trail)
        kind = type(value)
        if kind is str:
            if not value.isascii() or len(value) > MAX_VALUE_BYTES:
                _check_text(value, (*trail, key))
        elif kind is dict or kind is list or kind is int:
            _check_value(value, trail, key, depth)


def _check_list(items: list, trail: tuple, depth: int) -> None:
    for index, value in enumerate(items):
        kind = type(value)
        if kind is str:
            if not value.isascii() or len(value) > MAX_VALUE_BYTES:
                _check_text(value, (*trail, index))
        elif kind is dict or kind is list or kind is int:
            _check_value(value, trail, index, depth)


def _check_value(value: Any, trail: tuple, key: Any, depth: int) -> None:
    kind = type(value)
    if kind is dict or kind is list:
        if depth + 2 > MAX_DEPTH:  # the path to ``value`` has depth + 1 names; its fields one more
            _refuse((*trail, key), f"maps/arrays are nested deeper than the {MAX_DEPTH} levels Firestore stores")
        if kind is dict:
            _check_map(value, (*trail, key), depth + 1)
        else:
            _check_list(value, (*trail, key), depth + 1)
    elif kind is int and not INT64[0] <= value <= INT64[1]:
        _refuse((*trail, key), "integer does not fit in 64 bits")
    elif kind is str:
        _check_text(value, (*trail, key))


def _check_key(key: Any, trail: tuple) -> None:
    key = str(key)
    if _utf8_length(key, (*trail, _printable(key))) > MAX_FIELD_NAME_BYTES:
        _refuse((*trail, key), f"field name is over {MAX_FIELD_NAME_BYTES} bytes")
    if len(key) > 3 and key.startswith("__") and key.endswith("__"):
        _refuse((*trail, key), "field names of the form __name__ are reserved by Firestore")


def _check_text(text: str, path: tuple) -> None:
    if _utf8_length(text, path) > MAX_VALUE_BYTES:
        _refuse(path, f"text is over the {MAX_VALUE_BYTES} bytes Firestore stores in one field")


def _utf8_length(text: str, path: tuple) -> int:
    if text.isascii():
        return len(text)
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError as error:
        _refuse(path, f"contains a lone surrogate (\\u{ord(text[error.start]):04x}), which is not valid Unicode text")


def _printable(key: str) -> str:
    """A field name as an error can show it (a lone surrogate spelled ``\\udxxx``)."""
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def _refuse(path: tuple, reason: str) -> NoReturn:
    field = ".".join(str(part) for part in path) or "(body)"
    raise ValidationError(f"Invalid value for {field}: {reason}", field=field)
