"""What request schemas are written with.

A schema module ``schemas/{path}/{method}.py`` (fallback ``index.py``) defines either::

    class Schema(BaseModel):              # a fixed model
        name: Clean[str] = ""
        bio: Annotated[str, Sanitized] = ""   # HTML stripped on this route
        body: Annotated[str, Unsanitized] = ""

or a function of the request that returns one (plan-dependent limits)::

    def schema(user):
        limit = 1000 if user.subscription.active else 100
        class Schema(BaseModel):
            count: Annotated[int, Field(ge=1, le=limit)] = 10
        return Schema

Strings are always trimmed. HTML is stripped only where asked (BEM 5.11): on every field of a
route with ``RouteOptions(sanitize=True)`` except those marked ``Unsanitized``, and on fields
marked ``Sanitized`` on any route. Standard pydantic constraints reject bad values with a 400
that names the field.
``Clamp(lo, hi)`` reproduces BEM's softer rule: numbers are clamped, strings and
lists truncated. ``Clean`` collapses whitespace and strips control characters.

Identifiers (``Uid``, ``ProductId``, ``OrderId``, ``ApiKey``, ``DocumentPath``) are
``Verbatim``: never trimmed or sanitised, only checked against their format, so a value
that is not an identifier answers 400 naming the field instead of being altered into
another one (``"<script>…"`` sanitised to ``""`` would mean "the caller").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

__all__ = [
    "ApiKey", "BaseModel", "Clamp", "Clean", "DocumentPath", "Field", "OrderId", "ProductId", "Sanitized", "Uid", "Unsanitized",
    "Verbatim",
]

T = TypeVar("T")


@dataclass(frozen=True)
class _UnsanitizedMarker:
    """Marks a field whose HTML is kept even on a route with ``sanitize=True`` (``sanitize: false`` in BEM)."""


@dataclass(frozen=True)
class _SanitizedMarker:
    """Marks a field whose HTML is stripped on any route (the opt-in at field level)."""


Unsanitized = _UnsanitizedMarker()
Sanitized = _SanitizedMarker()


@dataclass(frozen=True)
class _VerbatimMarker(_UnsanitizedMarker):
    """Marks a field taken exactly as sent: neither trimmed nor sanitised (identifiers)."""


Verbatim = _VerbatimMarker()

Uid = Annotated[str, Verbatim, StringConstraints(pattern=r"^[A-Za-z0-9_@:+=-][A-Za-z0-9_.@:+=-]{0,127}$")]
"""A Firebase Auth uid (1–128 characters; no ``/``, spaces or markup; not ``.``/``..``)."""
ProductId = Annotated[str, Verbatim, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$")]
"""A product id as ``payment.products[].id`` spells it."""
OrderId = Annotated[str, Verbatim, StringConstraints(pattern=r"^\d{4}-\d{4}-\d{4}$")]
"""An order id ``XXXX-XXXX-XXXX`` (functions/payments/order_id.py)."""
ApiKey = Annotated[str, Verbatim, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,128}$")]
"""A ``clientId``/``privateKey`` (uuid or url-safe token)."""
DocumentPath = Annotated[str, Verbatim, StringConstraints(pattern=r"^[^/]+/[^/]+(/[^/]+/[^/]+)*$", max_length=1500)]
"""A Firestore document path ``collection/id[/collection/id...]``."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _SPACES.sub(" ", _CONTROL.sub("", value)).strip()
    return value


Clean = Annotated[T, AfterValidator(_clean)]


def Clamp(lo: float | None = None, hi: float | None = None) -> AfterValidator:  # noqa: N802 (reads like a type)
    def clamp(value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if lo is not None and value < lo:
                return type(value)(lo)
            if hi is not None and value > hi:
                return type(value)(hi)
        elif isinstance(value, (str, list)) and hi is not None:
            return value[: int(hi)]
        return value

    return AfterValidator(clamp)
