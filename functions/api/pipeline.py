"""The bm_api request pipeline. One stage per step, called in this order:

 1. CORS             preflight answered here; headers added to every answer
 2. body             JSON (JSON5 tolerated) / form / multipart; >100 KB → 413; bad JSON → 400
 3. route            legacy command or REST route; unknown → 404, wrong method → 405
 4. wakeup           ``data.wakeup`` answers at once (keeps instances warm)
 5. authenticate     admin key / ID token / API key; bad credential → 401; route ``require`` → 401/403
 6. usage            the caller's usage meter (filled by the usage module)
 7. settings         schema resolution → trim → sanitize → validate; failure → 400 naming the field
 8. handler          ``main(...)`` with its parameters injected by name
 9. errors           a ``BemError`` renders as JSON with its status; anything else is logged → 500
10. finalize         ``bm-properties`` header ``{code, tag, usage, schema}``
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from flask import Response

from functions.api import inject, legacy
from functions.api.authentication import authenticate
from functions.api.routes import LoadedRoute
from functions.api.settings import build_settings, resolve_model
from functions.assistant import Assistant
from functions.errors import BemError, InternalError, NotFound

if TYPE_CHECKING:
    from functions.manager import Manager

API_PREFIXES = ("backend-manager", "bm_api")
CORS_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
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


def _run(manager: Manager, assistant: Assistant) -> Response:
    request = assistant.request
    if request.method == "OPTIONS":
        return Response("", status=204)
    assistant.parse_body()
    path = strip_prefix(request.path)
    command = legacy.command_of(assistant.data) if not path else None
    if command:
        return _run_command(manager, assistant, command)
    if not path:
        return assistant.redirect(manager.config.brand.url)
    route = manager.routes.resolve(path, request.method)
    return _run_route(manager, assistant, route, path, request.method.lower())


def _run_command(manager: Manager, assistant: Assistant, command: str) -> Response:
    assistant.parsed.data = legacy.payload_of(assistant.data)
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
    allowed = manager.config.api.allowed_origins
    headers = [
        ("Vary", "Origin"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", CORS_METHODS),
        ("Access-Control-Allow-Headers",
         assistant.request.headers.get("access-control-request-headers", "Authorization, Content-Type")),
        ("Access-Control-Expose-Headers", "bm-properties"),
    ]
    if "*" in allowed or origin in allowed:
        headers.append(("Access-Control-Allow-Origin", origin))
    return headers
