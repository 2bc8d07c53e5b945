"""Read a stored document into its model without ever failing the request.

The fast path is one ordinary ``model_validate``. Only when it fails are the offending
fields dropped from a copy (so their defaults apply for this request), each path logged
once per process as a warning with the uid. The stored document is never rewritten.

Fields the framework decides on degrade as a whole to the safe default: a malformed
``subscription`` reads as the basic plan, malformed ``roles`` as no role, malformed ``api``
as no API key. Everything else (``personal``, ``activity``, ``consent``, ``usage.{metric}``
leaves, ...) falls back field by field.
"""

from __future__ import annotations

import copy
import threading
from typing import Any, TypeVar

import pydantic

from functions.logs import get_logger

M = TypeVar("M", bound=pydantic.BaseModel)

WHOLE_ON_ERROR = frozenset({"subscription", "roles", "api"})
"""Top-level fields that fall back whole (to the safe default) when any leaf is malformed."""
MAX_PASSES = 5
_LOGGED_LIMIT = 10_000

log = get_logger("user/document")
_logged: set[tuple[str, str]] = set()
_logged_lock = threading.Lock()


def read_tolerantly(model: type[M], data: Any, *, uid: str | None = None, prefix: str = "") -> M:
    """``model`` read from ``data``; malformed fields replaced by their defaults (see module doc)."""
    if not isinstance(data, dict):
        if data is not None:
            _warn_once(uid, prefix or "(document)", data)
        return model()
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        first_error = error
    if prefix in WHOLE_ON_ERROR:
        for item in first_error.errors():
            _warn_once(uid, ".".join([prefix, *(str(part) for part in item["loc"])]), None)
        return model()
    working = copy.deepcopy(data)
    error = first_error
    for _ in range(MAX_PASSES):
        for loc in {tuple(item["loc"]) for item in error.errors()}:
            path = _drop(working, loc, whole_top_level=not prefix)
            _warn_once(uid, ".".join(filter(None, (prefix, path))) or "(document)", None)
        try:
            return model.model_validate(working)
        except pydantic.ValidationError as again:
            error = again
    _warn_once(uid, prefix or "(document)", None)
    return model()


def _drop(document: dict, loc: tuple, *, whole_top_level: bool) -> str:
    """Remove the deepest stored key ``loc`` reaches (the whole top-level field for
    ``WHOLE_ON_ERROR``); returns the dotted path of the malformed value."""
    keys: list[str] = []
    container: Any = document
    for part in loc:
        if not (isinstance(container, dict) and isinstance(part, str) and part in container):
            break
        keys.append(part)
        container = container[part]
    if not keys:
        return ".".join(str(part) for part in loc)
    dropped = keys[:1] if whole_top_level and keys[0] in WHOLE_ON_ERROR else keys
    parent = document
    for key in dropped[:-1]:
        parent = parent[key]
    parent.pop(dropped[-1], None)
    return ".".join(keys)


def _warn_once(uid: str | None, path: str, value: Any) -> None:
    key = (uid or "?", path)
    with _logged_lock:
        if key in _logged:
            return
        if len(_logged) >= _LOGGED_LIMIT:
            _logged.clear()
        _logged.add(key)
    kind = f" ({type(value).__name__})" if value is not None else ""
    log.warning(
        "user %s: stored field %s%s is malformed; its default applies for this request (the document is left as stored)",
        uid or "?", path, kind,
    )
