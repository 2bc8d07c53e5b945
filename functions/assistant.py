"""The Assistant: one request's context and the ways to answer it.

Request info (``ip``, ``geolocation``, ``client``, ``body``, ``query``, ``data``),
answers (``respond``, ``redirect``, ``text``), ``errorify``, environment helpers
and a logger tagged ``{function}/{execution id}``.
"""

from __future__ import annotations

import functools
import json
import random
from typing import TYPE_CHECKING, Any

from flask import Response

from functions.api import client_info
from functions.api.body import NOT_PARSED, ParsedBody, parse_request
from functions.api.current_user import CurrentUser
from functions.errors import BadRequest, BemError, clamp_status
from functions.logs import get_logger

if TYPE_CHECKING:
    from functions.manager import Manager


class Assistant:
    def __init__(self, manager: Manager, request: Any, function_name: str = "bm_api") -> None:
        self.manager = manager
        self.request = request
        # environ, not request.headers: a missing header costs a raised KeyError there
        self.id = request.environ.get("HTTP_FUNCTION_EXECUTION_ID") or f"{random.getrandbits(48):012x}"  # a log tag, not a secret
        self.tag = f"{function_name}/{self.id}"
        self.parsed: ParsedBody = NOT_PARSED
        self.user = CurrentUser()
        self.usage: Any = None
        self.settings: Any = None
        self.schema_name: str | None = None
        self.schema_fields: list[str] = []

    @functools.cached_property
    def log(self) -> Any:
        """A logger whose lines carry this request's tag."""
        return get_logger(self.tag)

    # who is calling (computed on first use) -------------------------------------------
    @functools.cached_property
    def ip(self) -> str:
        api = self.manager.config.api
        return client_info.client_ip(
            self.request.headers,
            self.request.remote_addr,
            trusted_proxy_hops=api.trusted_proxy_hops,
            trust_cloudflare=api.trust_cloudflare,
            trust_app_engine=api.trust_app_engine,
        )

    @functools.cached_property
    def geolocation(self) -> dict:
        api = self.manager.config.api
        headers = client_info.geolocation(self.request.headers, trust_cloudflare=api.trust_cloudflare, trust_app_engine=api.trust_app_engine)
        return {"ip": self.ip, **headers}

    @functools.cached_property
    def client(self) -> dict:
        return client_info.client_hints(self.request.headers)

    # request data ------------------------------------------------------------
    def parse_body(self, limit: int | None = None) -> None:
        self.parsed = parse_request(self.request, limit) if limit else parse_request(self.request)

    @property
    def body(self) -> Any:
        return self.parsed.body

    @property
    def query(self) -> dict:
        return self.parsed.query

    @property
    def data(self) -> dict:
        return self.parsed.data

    @property
    def files(self) -> dict:
        return self.parsed.files

    # environment ----------------------------------------------------------------
    @property
    def environment(self) -> str:
        return self.manager.environment

    def is_development(self) -> bool:
        return self.environment == "development"

    def is_testing(self) -> bool:
        return self.environment == "testing"

    def is_production(self) -> bool:
        return self.environment == "production"

    # answers ------------------------------------------------------------------------
    def respond(self, body: Any = None, code: int = 200, headers: dict | None = None) -> Response:
        """JSON for objects, text for strings, a redirect for 3xx, errorify for errors and 4xx/5xx."""
        if code == 200 and type(body) is dict:  # the usual answer
            return Response(_ENCODER.encode(body), status=200, content_type="application/json", headers=headers)
        if isinstance(body, BaseException) or code >= 400:
            return self.error_response(self.errorify(body, code=code))
        if 300 <= code < 400:
            return self.redirect(str(body), code=code)
        if isinstance(body, str):
            return self.text(body, code=code, headers=headers)
        return Response(_ENCODER.encode(_jsonable(body)), status=code, content_type="application/json", headers=headers)

    def text(self, body: str, code: int = 200, headers: dict | None = None) -> Response:
        return Response(body, status=code, mimetype="text/plain", headers=headers)

    def redirect(self, url: str, code: int = 302) -> Response:
        """A redirect to ``url``, made a valid URI here (werkzeug would otherwise fail while
        sending the header, outside our error handling, on a host IDNA cannot encode)."""
        from werkzeug.urls import iri_to_uri

        try:
            location = iri_to_uri(url)
        except (UnicodeError, ValueError):
            raise BadRequest(f"Cannot redirect to {url[:200]!r}: not a valid URL") from None
        return Response("", status=code if 300 <= code < 400 else 302, headers={"Location": location})

    def errorify(self, error: Any, code: int | None = None) -> BemError:
        """Turn anything into a ``BemError`` with a 400–599 status (else 500)."""
        if isinstance(error, BemError):
            if code is not None and code != error.status:
                error.status = clamp_status(code)
            return error
        message = str(error) if error not in (None, "") else "Unknown error"
        return BemError(message, status=clamp_status(code if code is not None else 500))

    def error_response(self, error: BemError) -> Response:
        body = {"error": {"message": error.message, "code": error.code, "status": error.status, "tag": self.tag}}
        field = getattr(error, "field", None)
        if field:
            body["error"]["field"] = field
        return Response(json.dumps(body), status=error.status, mimetype="application/json")


def json_default(value: Any) -> Any:
    """Encode what Firestore documents hold: datetimes, bytes, sets, models."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(by_alias=True, mode="json")
    return str(value)


_ENCODER = json.JSONEncoder(default=json_default)
"""``json.dumps(value, default=json_default)`` without building an encoder per response."""


def _jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(by_alias=True, mode="json")
    if value is None:
        return {}
    return value
