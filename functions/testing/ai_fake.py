"""What the fake OpenAI and Anthropic servers share: a werkzeug server on 127.0.0.1 in a
thread that records every request and answers the model endpoint from a script.

    fake.reply_text("Hello")                        # the next model answers, in order
    fake.reply_json({"firstName": "Ada"})
    fake.reply_tool_calls(("get_weather", {"city": "Paris"}))
    fake.fail(429, retry_after=1)                   # the next model call fails (then the script goes on)
    fake.fail(500, times=2)
    fake.reply_text("late", delay=2.0)              # answer after 2 s (client timeouts)
    fake.requests_to("/v1/responses")               # → [Recorded(method, path, body, headers)]

With the script empty the model endpoint echoes the last user text. Subclasses
(``openai_fake``, ``anthropic_fake``) give the provider's paths and body shapes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from functions.testing.fake_server import FakeServer


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Answer:
    kind: str  # text | json | tools | error
    value: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class AIFake(FakeServer):
    thread_name = "ai-fake"
    model_path = "/v1/model"

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.lock = threading.Lock()
        self.requests: list[Recorded] = []
        self._script: list[Answer] = []
        self._server: Any = None
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self._script.clear()

    # test controls --------------------------------------------------------------------------
    def reply_text(self, text: str, *, delay: float = 0.0) -> AIFake:
        return self._push(Answer("text", text, delay=delay))

    def reply_json(self, value: Any, *, delay: float = 0.0) -> AIFake:
        return self._push(Answer("json", value, delay=delay))

    def reply_tool_calls(self, *calls: tuple[str, dict], delay: float = 0.0) -> AIFake:
        return self._push(Answer("tools", list(calls), delay=delay))

    def fail(self, status: int, *, times: int = 1, retry_after: float | None = None, message: str = "fake failure") -> AIFake:
        headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
        for _ in range(times):
            self._push(Answer("error", message, status=status, headers=headers))
        return self

    def requests_to(self, path: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    @property
    def model_calls(self) -> list[Recorded]:
        return self.requests_to(self.model_path)

    def _push(self, answer: Answer) -> AIFake:
        with self.lock:
            self._script.append(answer)
        return self

    def _next(self) -> Answer | None:
        with self.lock:
            return self._script.pop(0) if self._script else None

    # provider shapes (subclasses) -------------------------------------------------------------
    def routes(self) -> dict[str, Callable[[Recorded], tuple[int, Any]]]:
        return {self.model_path: self._model}

    def model_body(self, request: Recorded, answer: Answer) -> dict:
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> dict:
        return {"error": {"message": message, "type": "fake_error", "code": status}}

    def echo_of(self, request: Recorded) -> str:
        raise NotImplementedError

    # serving ---------------------------------------------------------------------------------
    def _model(self, request: Recorded) -> tuple[int, Any, dict]:
        answer = self._next() or Answer("text", f"Echo: {self.echo_of(request)}")
        if answer.delay:
            time.sleep(answer.delay)
        if answer.kind == "error":
            return answer.status, self.error_body(answer.status, answer.value), answer.headers
        return 200, self.model_body(request, answer), {}

    def _wsgi(self, environ: dict, start_response: Callable) -> list[bytes]:
        from werkzeug.wrappers import Request, Response

        http = Request(environ)
        try:
            body = json.loads(http.get_data() or b"null")
        except ValueError:
            body = None
        recorded = Recorded(http.method, http.path, body, {k: v for k, v in http.headers.items()})
        with self.lock:
            self.requests.append(recorded)
        handler = self.routes().get(http.path)
        if handler is None or http.method != "POST":
            status, payload, headers = 404, self.error_body(404, f"no fake route {http.method} {http.path}"), {}
        else:
            status, payload, headers = handler(recorded)
        response = Response(json.dumps(payload), status=status, mimetype="application/json", headers=headers)
        return response(environ, start_response)
