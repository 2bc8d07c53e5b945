"""The bm_api request pipeline. One stage per step, called in this order:

 1. CORS             preflight answered here; headers added to every answer
 2. body             JSON (JSON5 for small bodies) / form / multipart; >100 KB → 413 (while reading);
                    bad or over-deep JSON → 400; data Firestore could not store → 400 naming the field
 3. route            legacy command or REST route; unknown → 404, wrong method → 405
 4. wakeup           ``data.wakeup`` answers at once (keeps instances warm)
 5. authenticate     admin key / ID token / API key; bad credential → 401; route ``require`` → 401/403
 6. usage            the caller's usage meter (filled by the usage module)
 7. settings         schema resolution → trim → sanitize → validate; failure → 400 naming the field
 8. handler          ``main(...)`` with its parameters injected by name
 9. errors           a ``BemError`` renders as JSON with its status; anything else is logged → 500
10. finalize         ``bm-properties`` header ``{code, tag, usage, schema}``

A route that takes settings refuses a body that is not a JSON object (or form) with 400.
"""

from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Response

from functions.api import inject, legacy, storable
from functions.api.authentication import authenticate
from functions.api.body import require_object
from functions.api.routes import LoadedRoute
from functions.api.settings import build_settings, resolve_model
from functions.assistant import Assistant
from functions.errors import BemError, InternalError, NotFound, SetupError

if TYPE_CHECKING:
    from functions.manager import Manager

API_PREFIXES = ("backend-manager", "bm_api")
CORS_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
CORS_HEADERS = ("authorization", "content-type")
"""The request headers a browser may send cross-origin: the only ones the API reads from browsers."""
CORS_MAX_AGE = "600"
_LOCALHOST = re.compile(r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$")
_COMPACT = json.JSONEncoder(separators=(",", ":"))
_json_string = json.encoder.encode_basestring_ascii  # str → JSON string literal, as the encoder writes it


def handle(manager: Manager, request: Any) -> Response:
    assistant = Assistant(manager, request)
    try:
        response = _run(manager, assistant)
    except BemError as error:
        if error.status >= 500:
            assistant.log.error("%s: %s", type(error).__name__, error.message)
        response = assistant.error_response(error)
    except Exception:
        if manager.propagate_exceptions:
            raise
        assistant.log.exception("Unhandled error")
        response = assistant.error_response(InternalError("Internal error"))
    return _finalize(manager, assistant, response)


def strip_prefix(path: str) -> str:
    """``/bm_api/backend-manager/user/x/`` → ``user/x`` (the prefixes, repeated or not, and stray slashes)."""
    if "//" in path:
        path = "/".join(part for part in path.split("/") if part)
    path = path.strip("/")
    head, _, rest = path.partition("/")
    while head in API_PREFIXES:
        path = rest
        head, _, rest = path.partition("/")
    return path


def _body_limit(manager: Manager, path: str, method: str) -> int | None:
    """The route's own ``RouteOptions.body_limit`` (e.g. 1 MB for payments/webhook), else the default."""
    if not path:
        return None
    try:
        return manager.routes.resolve(path, method).options.body_limit
    except (BemError, SetupError):
        return None  # unknown route or method: answered after parsing, with the default limit


def _run(manager: Manager, assistant: Assistant) -> Response:
    request = assistant.request
    if request.method == "OPTIONS":
        return Response("", status=204)
    path = strip_prefix(request.path)
    assistant.parse_body(_body_limit(manager, path, request.method))
    if assistant.parsed.data:
        storable.check(assistant.parsed.data)
    command = legacy.command_of(assistant.data) if not path else None
    if command:
        return _run_command(manager, assistant, command)
    if not path:
        return assistant.redirect(manager.config.brand.url)
    route = manager.routes.resolve(path, request.method)
    return _run_route(manager, assistant, route, path, request.method.lower())


def _run_command(manager: Manager, assistant: Assistant, command: str) -> Response:
    assistant.parsed.data = legacy.payload_of(assistant.data, command)
    route = manager.routes.command(command)
    schema_route, method = command.replace(":", "/"), "index"
    if route is None:
        target = legacy.REST_EQUIVALENTS.get(command)
        if target is None:
            raise NotFound(f"Command '{command}' not found")
        schema_route, method = target
        route = manager.routes.resolve(*target)
    for hook in manager.handlers.get("bm_api", []):
        hook(command, "pre", assistant)
    response = _run_route(manager, assistant, route, schema_route, method)
    for hook in manager.handlers.get("bm_api", []):
        replaced = hook(command, "post", assistant, response)
        if isinstance(replaced, Response):
            response = replaced
    return response


def _run_route(manager: Manager, assistant: Assistant, route: LoadedRoute, path: str, method: str) -> Response:
    options = route.options
    if options.environments is not None and manager.environment not in options.environments:
        raise NotFound(f"Route '/{path}' not found")
    data = assistant.parsed.data
    if options.setup_settings and type(assistant.parsed.body) is not dict:
        require_object(assistant.parsed, assistant.request.mimetype)
    if data.get("wakeup"):
        return assistant.respond({"wakeup": True})
    if options.authenticate:
        assistant.user = authenticate(assistant, options.require)
    if options.require:
        assistant.user.require(options.require)
    if options.setup_usage:
        assistant.usage = manager.usage_for(assistant)
    available = _Injectables(manager, assistant)
    if options.setup_settings:
        schema = manager.schemas.find(path, method)
        model = resolve_model(schema, available)
        assistant.schema_name = f"{path}/{method}" if model else None
        assistant.schema_fields = list(model.model_fields) if model else []
        assistant.settings = build_settings(
            model, data, sanitize=options.sanitize, include_extra=options.include_non_schema_settings or model is None
        )
    elif data:
        assistant.settings = build_settings(None, data, sanitize=options.sanitize, include_extra=True)
    else:
        assistant.settings = {}
    available["settings"] = assistant.settings
    result = inject.call(route.main, route.params, available)
    return result if isinstance(result, Response) else assistant.respond(result)


class _Injectables(dict):
    """What a handler may ask for by name (``inject.INJECTABLE``): the cheap ones filled in,
    the Firestore client, the logger and the AI library made only when a handler asks for them."""

    def __init__(self, manager: Manager, assistant: Assistant) -> None:
        parsed = assistant.parsed
        super().__init__(
            manager=manager, assistant=assistant, request=assistant.request, user=assistant.user,
            settings=assistant.settings, usage=assistant.usage, config=manager.config, data=parsed.data, files=parsed.files,
        )
        self._manager, self._assistant = manager, assistant

    def __missing__(self, name: str) -> Any:
        if name == "db":
            value = self._manager.db
        elif name == "logger":
            value = self._assistant.log
        elif name == "email":
            value = self._manager.email
        elif name == "ai":
            value = self._manager.ai.for_caller(self._assistant.usage)
        else:
            raise KeyError(name)
        self[name] = value
        return value


def _finalize(manager: Manager, assistant: Assistant, response: Response) -> Response:
    """Add the ``bm-properties`` header (and CORS headers for browsers).

    Set on the built response: cheaper than passing headers to ``Response()`` (measured)."""
    usage = assistant.usage.report() if assistant.usage is not None and hasattr(assistant.usage, "report") else {}
    response.headers["bm-properties"] = properties_header(
        response.status_code, assistant.tag, usage, assistant.schema_name, assistant.schema_fields
    )
    origin = assistant.request.environ.get("HTTP_ORIGIN")
    if origin:  # CORS headers matter only to browsers, which always send Origin
        response.headers.extend(_cors_headers(manager, assistant, origin))
    return response


def properties_header(code: int, tag: str, usage: dict, schema_name: str | None, fields: list[str]) -> str:
    """The ``bm-properties`` JSON ``{code, tag, usage, schema: {name, fields}}``, compact.

    Written out rather than built as a dict and encoded: it is on every response, and the
    usual parts (no usage, no schema) are constants."""
    return (
        f'{{"code":{int(code)},"tag":{_json_string(tag)},"usage":{_COMPACT.encode(usage) if usage else "{}"},'
        f'"schema":{{"name":{_json_string(schema_name) if schema_name else "null"},"fields":{_COMPACT.encode(fields) if fields else "[]"}}}}}'
    )


def _cors_headers(manager: Manager, assistant: Assistant, origin: str) -> list[tuple[str, str]]:
    """CORS for one answer. ``brand.url``'s origin, the origins listed in ``api.allowedOrigins``
    and, in development, localhost are echoed with credentials;
    ``"*"`` allows any origin *without* credentials (no cookie, no reading as the user);
    ``null`` and unlisted origins get no CORS headers, so the browser withholds the answer."""
    listed, wildcard = _allowed_origins(tuple(manager.config.api.allowed_origins), manager.config.brand.url)
    headers = [("Vary", "Origin")]
    if origin in listed or (manager.environment == "development" and _LOCALHOST.match(origin)):
        headers += [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true")]
    elif wildcard:
        headers.append(("Access-Control-Allow-Origin", "*"))
    else:
        return headers
    headers += [("Access-Control-Allow-Methods", CORS_METHODS), ("Access-Control-Expose-Headers", "bm-properties")]
    if assistant.request.method == "OPTIONS":
        headers += [("Access-Control-Allow-Headers", _allowed_request_headers(assistant)), ("Access-Control-Max-Age", CORS_MAX_AGE)]
    return headers


def _allowed_request_headers(assistant: Assistant) -> str:
    """The preflight's requested headers that the API reads (others are not echoed)."""
    asked = assistant.request.environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")
    wanted = [name.strip() for name in asked.split(",") if name.strip().lower() in CORS_HEADERS]
    return ", ".join(wanted) if wanted else "Authorization, Content-Type"


@functools.lru_cache(maxsize=8)
def _allowed_origins(configured: tuple[str, ...], brand_url: str) -> tuple[frozenset[str], bool]:
    """(exact origins allowed with credentials, whether ``*`` is configured). ``null`` is never allowed."""
    origins = {_origin_of(entry) for entry in (brand_url, *configured) if entry not in ("*", "null")}
    return frozenset(origins - {""}), "*" in configured


def _origin_of(url: str) -> str:
    """``https://example.com/path`` → ``https://example.com`` (what a browser sends as Origin)."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""
