"""Errors the framework raises, and the HTTP status each one answers with.

Hierarchy::

    BemError                    a request could not be served (rendered as JSON)
    ├── BadRequest         400  ─ ValidationError (names the field path)
    ├── Unauthorized       401
    ├── Forbidden          403
    ├── NotFound           404
    ├── MethodNotAllowed   405
    ├── Conflict           409
    ├── PayloadTooLarge    413
    ├── TooManyRequests    429
    ├── InternalError      500
    ├── NotImplementedYet  501
    └── ServiceUnavailable 503
    SetupError (RuntimeError)   the developer's mistake, raised at start-up
    └── ConfigError             backend-manager-config.json is invalid

Only ``BemError`` messages reach a client. Any other exception is logged and
answered with a generic 500, so internals and secrets never leak.
"""

from __future__ import annotations


class BemError(Exception):
    status: int = 500
    code: str = "internal"

    def __init__(self, message: str | None = None, *, status: int | None = None, code: str | None = None):
        super().__init__(message or self.__class__.__doc__ or "Error")
        self.message = message or (self.__class__.__doc__ or "Error").strip()
        if status is not None:
            self.status = clamp_status(status)
        if code is not None:
            self.code = code


class BadRequest(BemError):
    """Bad request"""

    status, code = 400, "bad-request"


class ValidationError(BadRequest):
    """Invalid settings"""

    code = "invalid-argument"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class Unauthorized(BemError):
    """Authentication required"""

    status, code = 401, "unauthenticated"


class Forbidden(BemError):
    """Admin required"""

    status, code = 403, "permission-denied"


class NotFound(BemError):
    """Not found"""

    status, code = 404, "not-found"


class MethodNotAllowed(BemError):
    """Method not allowed"""

    status, code = 405, "method-not-allowed"


class Conflict(BemError):
    """Conflict"""

    status, code = 409, "conflict"


class PayloadTooLarge(BemError):
    """Request body too large"""

    status, code = 413, "payload-too-large"


class TooManyRequests(BemError):
    """Too many requests"""

    status, code = 429, "resource-exhausted"


class InternalError(BemError):
    """Internal error"""

    status, code = 500, "internal"


class NotImplementedYet(BemError):
    """Not implemented"""

    status, code = 501, "not-implemented"


class ServiceUnavailable(BemError):
    """Service unavailable"""

    status, code = 503, "unavailable"


class SetupError(RuntimeError):
    """A developer mistake found while the Manager starts (bad route file, bad option)."""


class ConfigError(SetupError):
    """backend-manager-config.json failed validation; the message names the key path."""


def clamp_status(code: int | None) -> int:
    """BEM's rule: an error status outside 400–599 becomes 500."""
    if isinstance(code, int) and 400 <= code <= 599:
        return code
    return 500
