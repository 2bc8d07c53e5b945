"""A fake GitHub Contents API (``PUT``/``GET /repos/{owner}/{repo}/contents/{path}``) for the
newsletter's asset host; point ``GITHUB_API_URL`` at ``fake.url``.

    fake = GitHubFake().start()
    fake.files        # {"owner/repo:path": bytes}
    fake.requests     # [(method, path, body, headers)]
    fake.fail_next(500)

A ``PUT`` on an existing file without its ``sha`` answers 422, as GitHub does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from collections.abc import Callable
from typing import Any

from functions.testing.fake_server import FakeServer

_PATH = re.compile(r"^/repos/([^/]+/[^/]+)/contents/(.+)$")


class GitHubFake(FakeServer):
    thread_name = "github-fake"
    quiet = True

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.lock = threading.Lock()
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, str, Any, dict]] = []
        self._failures: list[int] = []
        self._server: Any = None

    def reset(self) -> None:
        with self.lock:
            self.files.clear()
            self.requests.clear()
            self._failures.clear()

    def fail_next(self, status: int = 500, times: int = 1) -> None:
        with self.lock:
            self._failures.extend([status] * times)

    def _wsgi(self, environ: dict, start_response: Callable) -> Any:
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        body = json.loads(request.get_data() or b"null")
        match = _PATH.match(request.path)
        with self.lock:
            self.requests.append((request.method, request.path, body, dict(request.headers)))
            status, payload = self._answer(request.method, match, body, request.headers.get("Authorization", ""))
        return Response(json.dumps(payload), status=status, mimetype="application/json")(environ, start_response)

    def _answer(self, method: str, match: Any, body: Any, auth: str) -> tuple[int, Any]:
        if self._failures:
            return self._failures.pop(0), {"message": "fake failure"}
        if not auth.startswith("Bearer "):
            return 401, {"message": "Requires authentication"}
        if match is None:
            return 404, {"message": "Not Found"}
        key = f"{match.group(1)}:{match.group(2)}"
        existing = self.files.get(key)
        sha = hashlib.sha1(existing).hexdigest() if existing is not None else None
        if method == "GET":
            return (200, {"path": match.group(2), "sha": sha}) if existing is not None else (404, {"message": "Not Found"})
        if method != "PUT" or not isinstance(body, dict) or "content" not in body:
            return 400, {"message": "Invalid request"}
        if existing is not None and body.get("sha") != sha:
            return 422, {"message": "\"sha\" wasn't supplied."}
        self.files[key] = base64.b64decode(body["content"])
        return (200 if existing is not None else 201), {"content": {"path": match.group(2)}}


__all__ = ["GitHubFake"]
