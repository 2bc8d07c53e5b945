"""A fake Cloud Logging REST API for tests: ``POST /v2/entries:list`` from a list of entries.

    fake = LoggingFake().start()                    # werkzeug, 127.0.0.1, background thread
    monkeypatch.setenv("BEM_LOGGING_API_ENDPOINT", fake.url)
    fake.entries = [{"insertId": "1", "severity": "ERROR", "textPayload": "boom", ...}]
    fake.requests                                   # every request body (resourceNames, filter, orderBy, pageSize)
    fake.fail_next(1, status=403)                   # the next call answers with Google's error shape

The fake returns the entries as given (in pages of ``pageSize``): filtering is Cloud Logging's
job, so tests assert on the filter the client sent, not on a re-implementation of it.
"""

from __future__ import annotations

import json
import threading
from typing import Any


class LoggingFake:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.entries: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self._server: Any = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LoggingFake:
        from werkzeug.serving import make_server

        self._server = make_server(self.host, self.port, self._wsgi, threaded=True)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        with self._lock:
            self._failures.extend([status] * count)

    def _wsgi(self, environ: dict, start_response: Any) -> list[bytes]:
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        body = request.get_json(silent=True) or {}
        with self._lock:
            self.requests.append({"method": request.method, "path": request.path, **body})
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            error = {"error": {"code": failure, "message": "simulated failure", "status": "PERMISSION_DENIED"}}
            return Response(json.dumps(error), status=failure, mimetype="application/json")(environ, start_response)
        if request.method != "POST" or request.path != "/v2/entries:list":
            return Response("{}", status=404, mimetype="application/json")(environ, start_response)
        start = int(body.get("pageToken") or 0)
        size = int(body.get("pageSize") or 50)
        page = self.entries[start:start + size]
        answer: dict[str, Any] = {"entries": page}
        if start + size < len(self.entries):
            answer["nextPageToken"] = str(start + size)
        return Response(json.dumps(answer), mimetype="application/json")(environ, start_response)
