"""A WSGI app that serves one Manager's bm_api the way functions-framework does (Flask).

Used by the in-process test client and by ``mgr serve``. Like functions-framework, the
rules accept every HTTP method (TRACE, PROPFIND, ...), so the pipeline answers an unknown
one with its JSON 405, and any error Flask raises before the pipeline runs is answered in
the framework's error shape too, never as Flask's HTML page.
"""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING

import flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

if TYPE_CHECKING:
    from functions.manager import Manager


def api_app(manager: Manager, mount: str = "/bm_api") -> flask.Flask:
    """``{mount}/...`` and ``/backend-manager/...`` both reach bm_api, as on the emulator and Hosting."""
    app = flask.Flask("bm_api")

    def entry(path: str = "") -> flask.Response:
        return manager.handle_api(flask.request)

    app.url_map.add(Rule("/", endpoint="api", defaults={"path": ""}))  # no ``methods``: all of them
    app.url_map.add(Rule("/<path:path>", endpoint="api"))
    app.view_functions["api"] = entry
    app.register_error_handler(HTTPException, error_response)
    return app


def error_response(error: HTTPException) -> flask.Response:
    """``{"error": {message, code, status, tag}}`` for an error raised outside the pipeline."""
    status = error.code or 500
    body = {"error": {"message": error.description or error.name, "code": error.name.lower().replace(" ", "-"),
                      "status": status, "tag": f"bm_api/{random.getrandbits(48):012x}"}}
    return flask.Response(json.dumps(body), status=status, mimetype="application/json")
