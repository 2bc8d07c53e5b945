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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, Field

__all__ = ["BaseModel", "Clamp", "Clean", "Field", "Sanitized", "Unsanitized"]

T = TypeVar("T")


@dataclass(frozen=True)
class _UnsanitizedMarker:
    """Marks a field whose HTML is kept even on a route with ``sanitize=True`` (``sanitize: false`` in BEM)."""


@dataclass(frozen=True)
class _SanitizedMarker:
    """Marks a field whose HTML is stripped on any route (the opt-in at field level)."""


Unsanitized = _UnsanitizedMarker()
Sanitized = _SanitizedMarker()

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
