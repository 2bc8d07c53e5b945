"""What a route module may declare about itself (``OPTIONS = RouteOptions(...)``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Requirement = Literal["user", "admin"] | None


@dataclass(frozen=True, kw_only=True)
class RouteOptions:
    authenticate: bool = True
    """Look for credentials and load the user. Bad credentials answer 401."""

    require: Requirement = None
    """``"user"``: 401 unless authenticated. ``"admin"``: also 403 unless ``roles.admin``."""

    setup_usage: bool = True
    """Create the usage meter for this caller (``usage`` parameter, ``bm-properties.usage``)."""

    setup_settings: bool = True
    """Validate the request data against the route's schema, if it has one."""

    sanitize: bool = False
    """Strip HTML from every incoming string (fields marked ``Unsanitized`` opt out). Off by
    default, as in BEM 5.11: strings are only trimmed, and fields marked ``Sanitized`` are
    stripped on any route. Escape user text where it is rendered as HTML."""

    include_non_schema_settings: bool = False
    """Keep request keys the schema does not declare (sanitized only when ``sanitize`` is on)."""

    environments: tuple[str, ...] | None = None
    """Only serve in these environments (e.g. test routes); elsewhere answer 404."""


DEFAULT_OPTIONS = RouteOptions()

CREDENTIAL_KEYS = ("backendManagerKey", "authenticationToken", "apiKey")
"""Request keys that carry credentials: read by authentication, never passed on as settings."""
