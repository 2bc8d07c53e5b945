"""Parse the request body: JSON (JSON5 tolerated), urlencoded and multipart forms.

Bodies over the limit answer 413 before they are read; malformed JSON answers 400.
``data`` is the body merged with the query string (query keys win, as in BEM).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from functions.errors import BadRequest, PayloadTooLarge
from functions.jsontext import loads_tolerant

BODY_LIMIT_BYTES = 100 * 1024


@dataclass
class ParsedBody:
    body: Any = None
    query: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Any] = field(default_factory=dict)
    raw: bytes = b""


def parse_request(request: Any, limit: int = BODY_LIMIT_BYTES) -> ParsedBody:
    declared = _declared_length(request.environ)
    if declared is not None and declared > limit:
        raise PayloadTooLarge(f"Request body is {declared} bytes; the limit is {limit} bytes")
    query = request.args.to_dict() if request.query_string else {}
    if not declared and request.method in ("GET", "HEAD", "DELETE", "OPTIONS"):
        return ParsedBody(body={}, query=query, data=dict(query))
    mimetype = (request.mimetype or "").lower()
    files: dict[str, Any] = {}
    raw = b""
    if mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        body: Any = request.form.to_dict()
        files = request.files.to_dict()
    else:
        raw = request.get_data(cache=True)
        if len(raw) > limit:
            raise PayloadTooLarge(f"Request body is {len(raw)} bytes; the limit is {limit} bytes")
        body = _parse_text(raw, mimetype)
    data = {**body, **query} if isinstance(body, dict) else dict(query)
    return ParsedBody(body=body, query=query, data=data, files=files, raw=raw)


def _declared_length(environ: dict) -> int | None:
    """``Content-Length`` as an int (None when absent or not a number), read straight from the
    WSGI environ: werkzeug's property goes through the header mapping, which costs more."""
    value = environ.get("CONTENT_LENGTH")
    if not value:
        return None
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
