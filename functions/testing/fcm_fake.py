"""A fake FCM HTTP v1 API for tests: firebase-admin's ``messaging.send_each`` talks HTTP to it.

    fake = FCMFake(port=0).start()                 # werkzeug, 127.0.0.1, background thread
    manager.services["fcm_api_base"] = fake.url    # the seam in functions/notifications/fcm.py
    fake.unregister("tok-old")                     # → 404 UNREGISTERED for that token, every time
    fake.invalidate("not-a-token")                 # → 400 INVALID_ARGUMENT "not a valid FCM registration token"
    fake.fail_next(3, status=503)                  # the next 3 sends answer 5xx
    fake.sends                                     # → [Recorded(path, body, headers)]; one per message
    fake.tokens_sent                               # tokens that got a 200

Serves ``POST /v1/projects/{project}/messages:send`` with FCM's shapes: ``{"name": "projects/p/messages/N"}``
or a google.rpc error ``{"error": {code, message, status, details: [FcmError{errorCode}]}}``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from functions.testing.fake_server import FakeServer

SEND_PATH = re.compile(r"^/v1/projects/([^/]+)/messages:send$")
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"


@dataclass
class Recorded:
    path: str
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def token(self) -> str | None:
        return ((self.body or {}).get("message") or {}).get("token")


def fcm_error(status: int, code: str, message: str) -> dict:
    grpc = {400: "INVALID_ARGUMENT", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
    return {"error": {"code": status, "message": message, "status": grpc.get(status, "UNKNOWN"),
                      "details": [{"@type": FCM_ERROR, "errorCode": code}]}}


class FCMFake(FakeServer):
    thread_name = "fcm-fake"
    quiet = True  # one log line per message would drown a 100,000-token run

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.lock = threading.Lock()
        self.sends: list[Recorded] = []
        self._unregistered: set[str] = set()
        self._invalid: set[str] = set()
        self._failures: list[int] = []
        self._server: Any = None

    def reset(self) -> None:
        with self.lock:
            self.sends.clear()
            self._unregistered.clear()
            self._invalid.clear()
            self._failures.clear()

    # test controls ------------------------------------------------------------------------
    def unregister(self, *tokens: str) -> FCMFake:
        with self.lock:
            self._unregistered.update(tokens)
        return self

    def invalidate(self, *tokens: str) -> FCMFake:
        with self.lock:
            self._invalid.update(tokens)
        return self

    def fail_next(self, times: int = 1, status: int = 500) -> FCMFake:
        with self.lock:
            self._failures.extend([status] * times)
        return self

    @property
    def tokens_sent(self) -> list[str]:
        with self.lock:
            return [r.token for r in self.sends if r.headers.get("X-Fake-Status") == "200"]

    # serving ------------------------------------------------------------------------------
    def _answer(self, project: str, recorded: Recorded) -> tuple[int, dict]:
        token = recorded.token
        with self.lock:
            failure = self._failures.pop(0) if self._failures else None
            unregistered, invalid = token in self._unregistered, token in self._invalid
            number = len(self.sends)
        if failure:
            return failure, fcm_error(failure, "INTERNAL" if failure == 500 else "UNAVAILABLE", "fake outage")
        if not token:
            return 400, fcm_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.")
        if unregistered:
            return 404, fcm_error(404, "UNREGISTERED", "Requested entity was not found.")
        if invalid:
            return 400, fcm_error(400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token")
        return 200, {"name": f"projects/{project}/messages/{number}"}

    def _wsgi(self, environ: dict, start_response: Callable) -> list[bytes]:
        from werkzeug.wrappers import Request, Response

        http = Request(environ)
        match = SEND_PATH.match(http.path)
        try:
            body = json.loads(http.get_data() or b"null")
        except ValueError:
            body = None
        recorded = Recorded(http.path, body, dict(http.headers.items()))
        if match is None or http.method != "POST":
            status, payload = 404, fcm_error(404, "UNSPECIFIED_ERROR", f"no fake route {http.method} {http.path}")
        else:
            status, payload = self._answer(match.group(1), recorded)
        recorded.headers["X-Fake-Status"] = str(status)
        with self.lock:
            self.sends.append(recorded)
        return Response(json.dumps(payload), status=status, mimetype="application/json")(environ, start_response)
