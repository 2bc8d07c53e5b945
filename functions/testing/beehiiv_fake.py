"""A fake Beehiiv API v2 for tests: the marketing provider talks HTTP to it (``BEEHIIV_API_BASE``).

    fake = BeehiivFake(port=0).start()        # werkzeug, 127.0.0.1, background thread; base_url ends in /v2
    fake.subscriptions("pub_test")            # email → subscription {id, email, status, custom_fields, utm_source}
    fake.posts("pub_test")                    # created posts (request bodies + id)
    fake.calls("POST", "/v2/publications")    # recorded requests (method, path, body, status)
    fake.fail_next(2, status=500)             # the next 2 requests answer 500 (4xx: Beehiiv's error shape)
    fake.timeout_next(1, seconds=1.5)         # the next request answers only after ``seconds``

Publications exist on first use. A request without ``Authorization: Bearer …`` is a 401. Segments
start as BEM's (``functions.marketing.fields.SEGMENTS``, id ``seg_<key>``). Failed and timed-out
requests are recorded too.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from functions.testing.fake_server import FakeServer


@dataclass
class BeehiivCall:
    method: str
    path: str
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


class BeehiivFake(FakeServer):
    thread_name = "beehiiv-fake"
    quiet = True

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.lock = threading.RLock()
        self._server: Any = None
        self.reset()

    @property
    def base_url(self) -> str:
        return f"{self.url}/v2"

    def reset(self) -> None:
        with self.lock:
            self.requests: list[BeehiivCall] = []
            self._failures: list[tuple[str, int, float]] = []
            self._subscriptions: dict[str, dict[str, dict]] = {}
            self._posts: dict[str, list[dict]] = {}
            self.max_bulk = 1000

    # test controls ---------------------------------------------------------------------------------
    def fail_next(self, count: int = 1, status: int = 500) -> None:
        with self.lock:
            self._failures.extend([("status", status, 0.0)] * count)

    def timeout_next(self, count: int = 1, seconds: float = 1.5) -> None:
        with self.lock:
            self._failures.extend([("delay", 500, seconds)] * count)

    def calls(self, method: str | None = None, prefix: str = "") -> list[BeehiivCall]:
        with self.lock:
            return [c for c in self.requests if (method is None or c.method == method.upper()) and c.path.startswith(prefix)]

    def subscriptions(self, publication: str) -> dict[str, dict]:
        with self.lock:
            return {e: dict(s) for e, s in self._subscriptions.get(publication, {}).items()}

    def subscription(self, publication: str, email: str) -> dict | None:
        return self.subscriptions(publication).get(email.lower())

    def posts(self, publication: str) -> list[dict]:
        with self.lock:
            return [dict(p) for p in self._posts.get(publication, [])]

    def seed_subscription(self, publication: str, email: str, status: str = "active") -> dict:
        with self.lock:
            return self._subscribe(publication, {"email": email}, status=status)

    # HTTP ------------------------------------------------------------------------------------------
    def _wsgi(self, environ: dict, start_response: Callable) -> Any:
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        if request.path == "/_fake/state" and request.method == "GET":  # what `mgr emulator --marketing` shows
            with self.lock:
                state = {"subscriptions": self._subscriptions, "posts": self._posts}
                payload = json.dumps(state, default=str)
            return Response(payload, mimetype="application/json")(environ, start_response)
        raw = request.get_data(as_text=True)
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            body = None
        call = BeehiivCall(request.method, request.path, body, dict(request.headers.items()))
        delay = 0.0
        with self.lock:
            self.requests.append(call)
            if not call.headers.get("Authorization", "").startswith("Bearer "):
                status, answer = 401, {"status": 401, "statusText": "Unauthorized", "errors": [{"message": "Unauthorized"}]}
            elif self._failures:
                kind, status, delay = self._failures.pop(0)
                answer = {"status": status, "errors": [{"message": "Simulated outage" if status >= 500 else "Simulated rejection"}]}
                if kind == "delay":
                    call.status = 599
            else:
                status, answer = self._route(request.method, request.path, body, dict(request.args.items()))
            if call.status != 599:
                call.status = status
        if delay:
            time.sleep(delay)
        return Response("" if answer is None else json.dumps(answer), status=status,
                        mimetype="application/json")(environ, start_response)

    def _route(self, method: str, path: str, body: Any, query: dict) -> tuple[int, Any]:
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if parts[:2] != ["v2", "publications"] or len(parts) < 4:
            return 404, {"errors": [{"message": f"not found: {method} {path}"}]}
        publication, rest = parts[2], parts[3:]
        if rest == ["subscriptions"] and method == "POST":
            if not isinstance(body, dict) or "@" not in str(body.get("email", "")):
                return 400, {"status": 400, "errors": [{"message": "email is invalid"}]}
            return 201, {"data": self._subscribe(publication, body)}
        if rest == ["bulk_subscriptions"] and method == "POST":
            entries = (body or {}).get("subscriptions") if isinstance(body, dict) else None
            if not isinstance(entries, list) or not entries or len(entries) > self.max_bulk:
                return 400, {"status": 400, "errors": [{"message": f"subscriptions: 1 to {self.max_bulk} required"}]}
            for entry in entries:
                if isinstance(entry, dict) and "@" in str(entry.get("email", "")):
                    self._subscribe(publication, entry)
            return 201, {"data": {"id": f"bulk_{uuid.uuid4().hex[:12]}", "status": "pending"}}
        if rest[:2] == ["subscriptions", "by_email"] and len(rest) == 3 and method == "GET":
            found = self._subscriptions.get(publication, {}).get(rest[2].lower())
            return (200, {"data": dict(found)}) if found else (404, {"status": 404, "errors": [{"message": "Subscription not found"}]})
        if rest[:1] == ["subscriptions"] and len(rest) == 2:
            return self._subscription_by_id(publication, method, rest[1], body)
        if rest == ["segments"] and method == "GET":
            from functions.marketing.fields import SEGMENTS

            return 200, {"data": [{"id": f"seg_{key}", "name": key} for key in SEGMENTS]}
        if rest == ["posts"] and method == "POST":
            if not isinstance(body, dict) or not body.get("title"):
                return 400, {"status": 400, "errors": [{"message": "title is required"}]}
            post = {"id": f"post_{uuid.uuid4()}", **body}
            self._posts.setdefault(publication, []).append(post)
            return 201, {"data": {"id": post["id"], "title": body["title"], "status": body.get("status", "confirmed")}}
        return 404, {"errors": [{"message": f"not found: {method} {path}"}]}

    def _subscribe(self, publication: str, body: dict, status: str = "active") -> dict:
        email = str(body["email"]).lower()
        store = self._subscriptions.setdefault(publication, {})
        current = store.get(email) or {"id": f"sub_{uuid.uuid4()}", "email": email, "custom_fields": []}
        current["status"] = status
        if body.get("utm_source"):
            current["utm_source"] = body["utm_source"]
        fields = {f["name"]: f for f in current["custom_fields"]}
        for entry in body.get("custom_fields") or []:
            if isinstance(entry, dict) and entry.get("name"):
                fields[entry["name"]] = {"name": entry["name"], "value": entry.get("value")}
        current["custom_fields"] = list(fields.values())
        store[email] = current
        return dict(current)

    def _subscription_by_id(self, publication: str, method: str, subscription_id: str, body: Any) -> tuple[int, Any]:
        store = self._subscriptions.get(publication, {})
        email = next((e for e, s in store.items() if s["id"] == subscription_id), None)
        if email is None:
            return 404, {"status": 404, "errors": [{"message": "Subscription not found"}]}
        if method == "DELETE":
            del store[email]
            return 204, None
        if method in ("PUT", "PATCH"):
            return 200, {"data": self._subscribe(publication, {**(body or {}), "email": email},
                                                 status=(body or {}).get("status") or store[email]["status"])}
        if method == "GET":
            return 200, {"data": dict(store[email])}
        return 404, {"errors": [{"message": "not found"}]}
