"""Parse the request body: JSON (JSON5 tolerated), urlencoded and multipart forms.

Bodies over the limit answer 413 before they are read; malformed JSON answers 400.
``data`` is the body merged with the query string (query keys win, as in BEM).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from werkzeug.exceptions import HTTPException

from functions.errors import BadRequest, BemError, PayloadTooLarge
from functions.jsontext import loads_tolerant

BODY_LIMIT_BYTES = 100 * 1024
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class ParsedBody:
    """The parsed request: ``body``, ``query``, ``data`` (body merged with query), ``files``, ``raw`` bytes."""

    __slots__ = ("body", "data", "files", "query", "raw")

    def __init__(self, body: Any = None, query: dict | None = None, data: dict | None = None,
                 files: dict | None = None, raw: bytes = b"") -> None:
        self.body = body
        self.query = {} if query is None else query
        self.data = {} if data is None else data
        self.files = {} if files is None else files
        self.raw = raw


NOT_PARSED = ParsedBody(query=MappingProxyType({}), data=MappingProxyType({}), files=MappingProxyType({}))  # type: ignore[arg-type]
"""What an Assistant holds until the pipeline parses the request: empty and read-only."""


def parse_request(request: Any, limit: int = BODY_LIMIT_BYTES) -> ParsedBody:
    length = request.environ.get("CONTENT_LENGTH")
    declared = _declared_length(length) if length else None
    if declared is not None and declared > limit:
        raise PayloadTooLarge(f"Request body is {declared} bytes; the limit is {limit} bytes")
    query = request.args.to_dict() if request.query_string else {}
    if not declared and request.method in ("GET", "HEAD", "DELETE", "OPTIONS"):
        return ParsedBody(body={}, query=query, data=dict(query))
    mimetype = (request.mimetype or "").lower()
    files: dict[str, Any] = {}
    raw = b""
    is_form = mimetype in FORM_TYPES
    try:
        if is_form:
            body: Any = request.form.to_dict()
            files = request.files.to_dict()
        else:
            raw = request.get_data(cache=True)
    except HTTPException as error:  # werkzeug: a body shorter than its Content-Length, a broken form
        raise BemError(f"Unreadable request body: {error.description}", status=error.code or 400, code="bad-request") from None
    if not is_form:
        if len(raw) > limit:
            raise PayloadTooLarge(f"Request body is {len(raw)} bytes; the limit is {limit} bytes")
        body = _parse_text(raw, mimetype)
    data = {**body, **query} if isinstance(body, dict) else dict(query)
    return ParsedBody(body=body, query=query, data=data, files=files, raw=raw)


def _declared_length(value: str) -> int | None:
    """``Content-Length`` from the WSGI environ as an int (None when not a number); werkzeug's
    ``request.content_length`` goes through the header mapping, which costs more."""
    try:
        return max(0, int(value))
    except ValueError:
        return None


def _parse_text(raw: bytes, mimetype: str) -> Any:
    if not raw.strip():
        return {}
    text = raw.decode("utf-8", errors="replace")
    looks_json = mimetype.endswith("json") or text.lstrip()[:1] in ("{", "[")
    if not looks_json:
        return text
    try:
        return loads_tolerant(text)
    except ValueError as error:
        raise BadRequest(f"Malformed JSON body: {error}") from None
