"""A WSGI app that serves one Manager's bm_api the way functions-framework does (Flask).

Used by the in-process test client and by ``mgr serve``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import flask

if TYPE_CHECKING:
    from functions.manager import Manager

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]


def api_app(manager: Manager, mount: str = "/bm_api") -> flask.Flask:
    """``{mount}/...`` and ``/backend-manager/...`` both reach bm_api, as on the emulator and Hosting."""
    app = flask.Flask("bm_api")

    def entry(path: str = "") -> flask.Response:
        return manager.handle_api(flask.request)

    app.add_url_rule("/", "root", entry, methods=ALL_METHODS)
    app.add_url_rule("/<path:path>", "path", entry, methods=ALL_METHODS)
    return app
