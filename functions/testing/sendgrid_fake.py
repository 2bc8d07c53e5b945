"""A fake SendGrid API for tests: the official SDK talks HTTP to it (``SENDGRID_API_HOST``).

    fake = SendGridFake(port=0).start()       # werkzeug, 127.0.0.1, background thread
    fake.sent()                               # → [RecordedMail(body, headers, message_id)] for /v3/mail/send
    fake.recipients()                         # every personalization's "to" address, in order
    fake.fail_next(2, status=500)             # the next 2 sends answer 500 (4xx with SendGrid's error shape)
    fake.timeout_next(1, seconds=1.5)         # the next send answers only after ``seconds`` (the fixture's client gives up at 0.5 s)

Marketing endpoints (contacts, custom fields, lists, segments, exports, verified senders, Single
Sends, ASM group suppressions) are answered by ``MarketingState`` (``sendgrid_marketing.py``):
``fake.contacts()``, ``fake.marketing_calls(...)``, ``fake.fail_next(1, endpoint="marketing")``.

Mail Send answers ``202`` with an ``X-Message-Id`` header, as SendGrid does; a request without
``Authorization: Bearer …`` is a 401. Failed and timed-out requests are recorded too
(``attempts()``), so tests can tell "tried and refused" from "never tried".
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from functions.testing.fake_server import FakeServer
from functions.testing.sendgrid_marketing import MarketingCall, MarketingState, parse_body


@dataclass
class RecordedMail:
    body: dict
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 202
    message_id: str | None = None

    @property
    def recipients(self) -> list[str]:
        return [to["email"] for p in self.body.get("personalizations", []) for to in p.get("to", [])]


class SendGridFake(MarketingState, FakeServer):
    thread_name = "sendgrid-fake"
    quiet = True

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.lock = threading.RLock()
        self.requests: list[RecordedMail] = []
        self._failures: list[tuple[str, int, float]] = []
        self._marketing_failures: list[tuple[str, str, int, float]] = []
        self._server: Any = None
        self.reset_marketing()

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self._failures.clear()
            self._marketing_failures.clear()
        self.reset_marketing()

    # test controls ----------------------------------------------------------------------
    def fail_next(self, count: int = 1, status: int = 500, endpoint: str = "mail") -> None:
        """``endpoint``: ``mail`` (Mail Send), ``marketing`` (any other endpoint) or a path prefix."""
        with self.lock:
            if endpoint == "mail":
                self._failures.extend([("status", status, 0.0)] * count)
            else:
                self._marketing_failures.extend([(endpoint, "status", status, 0.0)] * count)

    def timeout_next(self, count: int = 1, seconds: float = 1.5, endpoint: str = "mail") -> None:
        with self.lock:
            if endpoint == "mail":
                self._failures.extend([("delay", 500, seconds)] * count)
            else:
                self._marketing_failures.extend([(endpoint, "delay", 500, seconds)] * count)

    def attempts(self) -> list[RecordedMail]:
        with self.lock:
            return list(self.requests)

    def sent(self) -> list[RecordedMail]:
        """Mail Send requests SendGrid accepted (202)."""
        with self.lock:
            return [r for r in self.requests if r.status == 202]

    def recipients(self) -> list[str]:
        return [email for mail in self.sent() for email in mail.recipients]

    def sent_to(self, email: str) -> list[RecordedMail]:
        return [mail for mail in self.sent() if email in mail.recipients]

    # HTTP --------------------------------------------------------------------------------------
    def _wsgi(self, environ: dict, start_response: Callable) -> Any:
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        headers = dict(request.headers.items())
        if request.path == "/_fake/marketing" and request.method == "GET":  # what `mgr emulator --marketing` shows
            state = {"contacts": self.contacts(), "singleSends": self.single_sends(),
                     "suppressions": {g: sorted(self.suppressions(g)) for g in list(self._suppressions)}}
            return Response(json.dumps(state, default=str), mimetype="application/json")(environ, start_response)
        if request.path.startswith("/_exports/") and request.method == "GET":
            text = self.export_csv(request.path.rsplit("/", 1)[-1].removesuffix(".csv"))
            return Response(text or "", status=200 if text is not None else 404, mimetype="text/csv")(environ, start_response)
        if request.path != "/v3/mail/send" and request.path.startswith("/v3/"):
            return self._marketing(request, headers)(environ, start_response)
        if request.path != "/v3/mail/send" or request.method != "POST":
            return Response(json.dumps({"errors": [{"message": f"not found: {request.method} {request.path}"}]}),
                            status=404, mimetype="application/json")(environ, start_response)
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError:
            body = {}
        status, answer, delay = self._answer(body, headers)
        if delay:
            time.sleep(delay)
        extra = {"X-Message-Id": answer.pop("_message_id")} if "_message_id" in answer else {}
        payload = "" if status == 202 else json.dumps(answer)
        return Response(payload, status=status, mimetype="application/json", headers=extra)(environ, start_response)

    def _marketing(self, request: Any, headers: dict[str, str]) -> Any:
        from werkzeug.wrappers import Response

        call = MarketingCall(request.method, request.path, parse_body(request.get_data(as_text=True)),
                             dict(request.args.items()), headers)
        delay = 0.0
        with self.lock:
            self.marketing_requests.append(call)
            failure = self._take_marketing_failure(request.path)
            if not headers.get("Authorization", "").startswith("Bearer "):
                status, answer = 401, {"errors": [{"message": "authorization required", "field": None}]}
            elif failure is not None:
                _kind, status, delay = failure
                answer = {"errors": [{"message": "Simulated outage" if status >= 500 else "Simulated rejection", "field": None}]}
            else:
                status, answer = self.marketing_route(request.method, request.path, call.body, call.query)
            call.status = status if failure is None or failure[0] == "status" else 599
        if delay:
            time.sleep(delay)
        return Response("" if answer is None else json.dumps(answer), status=status, mimetype="application/json")

    def _take_marketing_failure(self, path: str) -> tuple[str, int, float] | None:
        for index, (endpoint, kind, status, delay) in enumerate(self._marketing_failures):
            if endpoint == "marketing" or path.startswith(endpoint):
                del self._marketing_failures[index]
                return kind, status, delay
        return None

    def _answer(self, body: dict, headers: dict[str, str]) -> tuple[int, dict, float]:
        with self.lock:
            recorded = RecordedMail(body=body, headers=headers)
            self.requests.append(recorded)
            if not headers.get("Authorization", "").startswith("Bearer "):
                recorded.status = 401
                return 401, {"errors": [{"message": "authorization required", "field": None}]}, 0.0
            if self._failures:
                kind, status, delay = self._failures.pop(0)
                recorded.status = status if kind == "status" else 599
                message = "Simulated outage" if status >= 500 else "The from address does not match a verified Sender Identity."
                return status, {"errors": [{"message": message, "field": "from" if status < 500 else None}]}, delay
            problem = _invalid(body)
            if problem:
                recorded.status = 400
                return 400, {"errors": [problem]}, 0.0
            recorded.message_id = secrets.token_urlsafe(16)
            return 202, {"_message_id": recorded.message_id}, 0.0


def _invalid(body: dict) -> dict | None:
    """The checks SendGrid makes that a correct client must pass."""
    personalizations = body.get("personalizations")
    if not isinstance(personalizations, list) or not personalizations or len(personalizations) > 1000:
        return {"message": "personalizations: 1 to 1000 required", "field": "personalizations"}
    if not all(p.get("to") for p in personalizations):
        return {"message": "every personalization needs a to", "field": "personalizations.to"}
    if not (body.get("from") or {}).get("email"):
        return {"message": "The from object must be provided", "field": "from"}
    if not body.get("subject") and not all(p.get("subject") for p in personalizations):
        return {"message": "The subject is required", "field": "subject"}
    content = body.get("content") or []
    if not content or (content[0].get("type") != "text/plain" and any(c.get("type") == "text/plain" for c in content)):
        return {"message": "content: text/plain must come first", "field": "content"}
    if len(body.get("categories") or []) > 10:
        return {"message": "Too many categories", "field": "categories"}
    return None
