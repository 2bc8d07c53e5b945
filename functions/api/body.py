"""Parse the request body: JSON (JSON5 for small bodies), urlencoded and multipart forms.

Limits are enforced while reading, never after: a ``Content-Length`` over the limit
answers 413 before anything is read, and a body without one (chunked) is read in
pieces and refused as soon as it passes the limit. JSON nested deeper than
``jsontext.MAX_DEPTH`` answers 400 before it is parsed. Only ``application/json`` (and
``+json``) bodies are parsed as JSON: a ``text/plain`` body, which a foreign page may send
without a CORS preflight, stays text (and a route that takes settings refuses it).
``data`` is the body merged with the query string (query keys win, as in BEM).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from functions.errors import BadRequest, BemError, PayloadTooLarge
from functions.jsontext import loads_tolerant

BODY_LIMIT_BYTES = 100 * 1024
JSON5_LIMIT_CHARS = 2 * 1024
"""JSON5 costs ~11 ms of CPU per KB (plain JSON: ~0.02 ms): tolerated for small hand-written bodies only."""
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_READ_CHUNK = 64 * 1024
_BODYLESS = ("GET", "HEAD", "DELETE", "OPTIONS")


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
    environ = request.environ
    length = environ.get("CONTENT_LENGTH")
    declared = _declared_length(length) if length else None
    if declared is not None and declared > limit:
        raise PayloadTooLarge(f"Request body is {declared} bytes; the limit is {limit} bytes")
    query = request.args.to_dict() if request.query_string else {}
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    if not declared and not chunked and request.method in _BODYLESS:
        return ParsedBody(body={}, query=query, data=dict(query))
    # a stream without Content-Length is cut at this by werkzeug (our read sees the extra byte → 413)
    request.max_content_length = limit + 1
    mimetype = (request.mimetype or "").lower()
    files: dict[str, Any] = {}
    raw = b""
    is_form = mimetype in FORM_TYPES
    try:
        if is_form:
            if declared is None:  # werkzeug's form parser would silently truncate a stream at the maximum
                _read_limited(request, limit)  # the form is then parsed from the bytes read
            body: Any = request.form.to_dict()
            files = request.files.to_dict()
        else:
            raw = _read_limited(request, limit)
    except RequestEntityTooLarge:
        raise PayloadTooLarge(f"Request body is over the limit of {limit} bytes") from None
    except HTTPException as error:  # werkzeug: a body shorter than its Content-Length, a broken form
        raise BemError(f"Unreadable request body: {error.description}", status=error.code or 400, code="bad-request") from None
    if not is_form:
        body = _parse_text(raw, mimetype)
    data = {**body, **query} if isinstance(body, dict) else dict(query)
    return ParsedBody(body=body, query=query, data=data, files=files, raw=raw)


def require_object(parsed: ParsedBody, mimetype: str | None) -> None:
    """400 unless the body is a JSON object or a form (or empty): a route that takes
    settings never reads ``[1,2,3]``, ``"hello"`` or a text body as "no settings"."""
    body = parsed.body
    if isinstance(body, dict):
        return
    if isinstance(body, str) and not (mimetype or "").lower().endswith("json"):
        raise BadRequest(f"Request body must be JSON (Content-Type: application/json), not {mimetype or 'untyped'} text")
    kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(body), "a number")
    raise BadRequest(f"Request body must be a JSON object, not {kind}")


def _read_limited(request: Any, limit: int) -> bytes:
    """The body, read in pieces up to ``limit`` (413 past it), kept for ``request.get_data()``."""
    stream = request.stream
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_READ_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise PayloadTooLarge(f"Request body is over the limit of {limit} bytes")
    raw = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    request._cached_data = raw  # werkzeug's get_data(cache=True) answers from here: the stream is spent
    return raw


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
    if not mimetype.endswith("json"):  # application/json, application/*+json; anything else stays text
        return raw.decode("utf-8", errors="replace")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"Malformed JSON body: not valid UTF-8 (byte {error.start})") from None
    try:
        return loads_tolerant(text, json5_limit=JSON5_LIMIT_CHARS)
    except ValueError as error:  # TooDeep, Json5TooLarge, malformed
        raise BadRequest(f"Malformed JSON body: {error}") from None
