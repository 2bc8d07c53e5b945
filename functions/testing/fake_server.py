"""The lifecycle the fake provider APIs share: a werkzeug server on a daemon thread.

A fake sets ``host``, ``port`` (0 = any free port) and ``_server = None`` in ``__init__``, defines
``_wsgi(environ, start_response)`` and a ``thread_name``; ``start()`` binds and serves, ``url`` is
where its SDK should point, ``stop()`` shuts it down. ``quiet = True`` drops the access log.
"""

from __future__ import annotations

import threading
from typing import Any, Self


class FakeServer:
    host: str
    port: int
    thread_name = "fake-api"
    quiet = False
    _server: Any

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        from werkzeug.serving import WSGIRequestHandler, make_server

        handler = _QuietHandler() if self.quiet else WSGIRequestHandler
        self._server = make_server(self.host, self.port, self._wsgi, threaded=True, request_handler=handler)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, name=self.thread_name, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server = None

    def _wsgi(self, environ: dict, start_response: Any) -> Any:  # pragma: no cover - each fake defines it
        raise NotImplementedError


def _QuietHandler() -> type:  # noqa: N802 (a class, made on first use so werkzeug is imported lazily)
    from werkzeug.serving import WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    return Quiet
