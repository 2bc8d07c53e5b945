"""A fake Stripe API server for tests: the SDK talks HTTP to it (``STRIPE_API_BASE``).

    fake = StripeFake(port=0).start()          # werkzeug, 127.0.0.1, background thread
    fake.add({"id": "prod_x", "object": "product", "active": True})
    client.v1.products.retrieve("prod_x")
    fake.requests_to("POST", "/v1/customers")   # → [RecordedRequest(method, path, params, headers)]
    fake.on("POST", r"/v1/refunds", lambda req, match: (200, {...}))
    fake.fail_next(2, status=500)               # simulated outage
    fake.lose_next_answers(2, "POST", r"/v1/refunds")  # done at "Stripe", the answer lost (a timeout)

Generic object store keyed by resource path (``customers``, ``checkout/sessions``,
``billing_portal/sessions`` …): GET/POST(create)/POST(update)/DELETE one, GET list
(``limit`` + equality filters, nested ``a[b]`` too), ``GET …/search?query=metadata['uid']:'X'``
(clauses joined by ``AND``; numbers too: ``amount:2999 AND created>1700000000 AND created<1700400000``).
Form bodies decode Stripe-style (``a[b][c]=``, ``a[0][b]=``) into nested dicts/lists;
``true``/``false`` → bool and integers → int outside ``metadata``. A repeated
``Idempotency-Key`` replays the first answer. ``DELETE /v1/subscriptions/{id}`` cancels
(as Stripe does); a portal session naming an unknown ``configuration`` is a 404.
Errors use Stripe's JSON shape ``{"error": {type, code, message, param}}``.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from functions.testing.fake_server import FakeServer

PREFIXES = {
    "customers": "cus", "subscriptions": "sub", "checkout/sessions": "cs_test", "billing_portal/sessions": "bps",
    "prices": "price", "products": "prod", "invoices": "in", "charges": "ch", "refunds": "re", "coupons": "coupon",
    "promotion_codes": "promo", "payment_intents": "pi", "events": "evt", "invoice_payments": "inpay",
    "subscription_items": "si", "billing_portal/configurations": "bpc",
}
OBJECT_NAMES = {"checkout/sessions": "checkout.session", "billing_portal/sessions": "billing_portal.session",
                "billing_portal/configurations": "billing_portal.configuration"}
CONTROL_PARAMS = {"limit", "starting_after", "ending_before", "expand"}
Handler = Callable[["RecordedRequest", "re.Match[str]"], Any]


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")

    @property
    def stripe_version(self) -> str | None:
        return self.headers.get("Stripe-Version")


def decode_form(pairs: list[tuple[str, str]]) -> dict:
    """``a[b][0][c]=v`` → ``{"a": {"b": [{"c": v}]}}`` (Stripe's form encoding)."""
    root: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+|\[\]", key)
        parts = [p for p in parts if p != "[]"] if parts else [key]
        node: dict = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _typed(_listify(root), in_metadata=False)


def _listify(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _listify(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node


def _typed(node: Any, in_metadata: bool) -> Any:
    if isinstance(node, dict):
        return {k: _typed(v, in_metadata or k == "metadata") for k, v in node.items()}
    if isinstance(node, list):
        return [_typed(v, in_metadata) for v in node]
    if in_metadata or not isinstance(node, str):
        return node
    if node in ("true", "false"):
        return node == "true"
    if re.fullmatch(r"-?\d{1,15}", node):
        return int(node)
    return node


def stripe_error(status: int, message: str, *, code: str | None = None, param: str | None = None,
                 type: str = "invalid_request_error") -> tuple[int, dict]:
    return status, {"error": {"type": type, "code": code, "message": message, "param": param}}


def _merge(target: dict, changes: dict) -> None:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
            target[key] = {k: v for k, v in target[key].items() if v != ""} if key == "metadata" else target[key]
        else:
            target[key] = None if value == "" else value


def _matches(obj: Any, wanted: Any) -> bool:
    if isinstance(wanted, dict):
        return isinstance(obj, dict) and all(_matches(obj.get(k), v) for k, v in wanted.items())
    if isinstance(obj, dict):
        obj = obj.get("id")
    return obj == wanted or str(obj) == str(wanted)


class StripeFake(FakeServer):
    thread_name = "stripe-fake"

    def __init__(self, port: int = 12111, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.lock = threading.RLock()
        self.objects: dict[str, dict[str, dict]] = {}
        self.requests: list[RecordedRequest] = []
        self._handlers: list[tuple[str, re.Pattern[str], Handler]] = []
        self._failures: list[int] = []
        self._lost_answers: list[tuple[str, re.Pattern[str]]] = []
        self._idempotent: dict[str, tuple[int, dict]] = {}
        self._server: Any = None

    def reset(self) -> None:
        with self.lock:
            self.objects.clear()
            self.requests.clear()
            self._handlers.clear()
            self._failures.clear()
            self._lost_answers.clear()
            self._idempotent.clear()

    # test controls -------------------------------------------------------------------------
    def add(self, obj: dict, resource: str | None = None) -> dict:
        """Preload an object. ``resource`` defaults from ``obj["object"]`` (``customer`` → ``customers``)."""
        resource = resource or _resource_of(obj["object"])
        with self.lock:
            self.objects.setdefault(resource, {})[obj["id"]] = copy.deepcopy(obj)
        return obj

    def get(self, resource: str, object_id: str) -> dict | None:
        with self.lock:
            return copy.deepcopy(self.objects.get(resource, {}).get(object_id))

    def all(self, resource: str) -> list[dict]:
        with self.lock:
            return copy.deepcopy(list(self.objects.get(resource, {}).values()))

    def on(self, method: str, path_regex: str, handler: Handler) -> None:
        """Override: ``handler(request, match)`` returns ``(status, body)`` or a body (200)."""
        with self.lock:
            self._handlers.insert(0, (method.upper(), re.compile(f"^{path_regex}$"), handler))

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        with self.lock:
            self._failures.extend([status] * count)

    def lose_next_answers(self, count: int = 1, method: str = "POST", path_regex: str = r"/v1/.*") -> None:
        """The next ``count`` such requests are carried out (and kept for their idempotency key) but
        answered 500: a provider timeout after the work was done. A retry with the same key replays."""
        with self.lock:
            self._lost_answers.extend([(method.upper(), re.compile(f"^{path_regex}$"))] * count)

    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        pattern = re.compile(f"^{path_regex}$")
        with self.lock:
            return [r for r in self.requests if r.method == method.upper() and pattern.match(r.path)]

    # HTTP --------------------------------------------------------------------------------------
    def _wsgi(self, environ: dict, start_response: Callable) -> list[bytes]:
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        pairs = list(parse_qsl(request.query_string.decode(), keep_blank_values=True))
        if request.method in ("POST", "DELETE"):
            pairs += parse_qsl(request.get_data(as_text=True), keep_blank_values=True)
        recorded = RecordedRequest(request.method, request.path, decode_form(pairs), dict(request.headers.items()))
        status, body, replayed = self._answer(recorded)
        headers = {"Request-Id": f"req_{secrets.token_hex(7)}", **({"Idempotent-Replayed": "true"} if replayed else {})}
        return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)(environ, start_response)

    def _answer(self, req: RecordedRequest) -> tuple[int, dict, bool]:
        with self.lock:
            status, body, replayed = self._carry_out(req)
            lost = next((i for i, (m, p) in enumerate(self._lost_answers) if m == req.method and p.match(req.path)), None)
            if lost is not None:
                del self._lost_answers[lost]
                status, body = stripe_error(500, "Simulated timeout (the request was carried out)", type="api_error")
            return status, body, replayed

    def _carry_out(self, req: RecordedRequest) -> tuple[int, dict, bool]:
        with self.lock:
            self.requests.append(req)
            key = req.idempotency_key if req.method == "POST" else None
            if key and key in self._idempotent:
                status, body = self._idempotent[key]
                return status, copy.deepcopy(body), True
            if self._failures:
                status, body = stripe_error(self._failures.pop(0), "Simulated outage", type="api_error")
                return status, body, False
            status, body = self._dispatch(req)
            if key and status < 500:
                self._idempotent[key] = (status, copy.deepcopy(body))
            return status, body, False

    def _dispatch(self, req: RecordedRequest) -> tuple[int, dict]:
        for method, pattern, handler in self._handlers:
            match = pattern.match(req.path)
            if method == req.method and match:
                result = handler(req, match)
                return result if isinstance(result, tuple) else (200, result)
        path = req.path.removeprefix("/v1/").strip("/")
        if path.endswith("/search") and req.method == "GET":
            return 200, self._search(path.removesuffix("/search"), str(req.params.get("query", "")))
        resource, object_id = self._split(path)
        if object_id is None:
            if req.method == "GET":
                return 200, self._list(resource, req.params, req.path)
            if req.method == "POST":
                missing = self._missing_reference(resource, req.params)
                return missing or (200, self._create(resource, req.params))
        elif req.method == "GET":
            return self._found(resource, object_id, lambda obj: obj)
        elif req.method == "POST":
            return self._found(resource, object_id, lambda obj: _merge(obj, req.params) or obj)
        elif req.method == "DELETE":
            return self._delete(resource, object_id)
        return stripe_error(404, f"Unrecognized request URL ({req.method}: {req.path})")

    def _missing_reference(self, resource: str, params: dict) -> tuple[int, dict] | None:
        """Stripe refuses a portal session naming a configuration that does not exist (404)."""
        wanted = params.get("configuration")
        if resource == "billing_portal/sessions" and wanted and wanted not in self.objects.get("billing_portal/configurations", {}):
            return stripe_error(404, f"No such configuration: '{wanted}'", code="resource_missing", param="configuration")
        return None

    def _split(self, path: str) -> tuple[str, str | None]:
        if path in PREFIXES or path in self.objects:
            return path, None
        resource, _, object_id = path.rpartition("/")
        return resource, object_id

    def _found(self, resource: str, object_id: str, act: Callable[[dict], dict]) -> tuple[int, dict]:
        obj = self.objects.get(resource, {}).get(object_id)
        if obj is None:
            name = OBJECT_NAMES.get(resource, resource.rstrip("s"))
            return stripe_error(404, f"No such {name}: '{object_id}'", code="resource_missing", param="id")
        return 200, copy.deepcopy(act(obj))

    def _create(self, resource: str, params: dict) -> dict:
        prefix = PREFIXES.get(resource, resource.rstrip("s")[:4])
        params = dict(params)  # the request log keeps what was sent, id included
        object_id = params.pop("id", None) or f"{prefix}_{secrets.token_hex(8)}"
        defaults = {"active": True} if resource in ("prices", "products", "coupons", "promotion_codes") else {}
        obj = {"id": object_id, "object": OBJECT_NAMES.get(resource, resource.rstrip("s")), "created": int(time.time()),
               "livemode": False, "metadata": {}, **defaults, **params}
        if resource in ("checkout/sessions", "billing_portal/sessions"):
            host = "checkout.stripe.com/c/pay" if resource.startswith("checkout") else "billing.stripe.com/p/session"
            obj.setdefault("url", f"https://{host}/{object_id}")
        self.objects.setdefault(resource, {})[object_id] = obj
        return copy.deepcopy(obj)

    def _delete(self, resource: str, object_id: str) -> tuple[int, dict]:
        if resource == "subscriptions":  # Stripe: DELETE cancels the subscription now
            now = int(time.time())
            return self._found(resource, object_id, lambda obj: _merge(obj, {"status": "canceled", "canceled_at": now,
                                                                              "ended_at": now}) or obj)
        status, body = self._found(resource, object_id, lambda obj: obj)
        if status == 200:
            del self.objects[resource][object_id]
            body = {"id": object_id, "object": body["object"], "deleted": True}
        return status, body

    def _list(self, resource: str, params: dict, url: str) -> dict:
        filters = {k: v for k, v in params.items() if k not in CONTROL_PARAMS}
        data = [copy.deepcopy(o) for o in self.objects.get(resource, {}).values() if _matches(o, filters)]
        data.sort(key=lambda o: o.get("created", 0), reverse=True)
        limit = int(params.get("limit") or 10)
        return {"object": "list", "data": data[:limit], "has_more": len(data) > limit, "url": url}

    def _search(self, resource: str, query: str) -> dict:
        clauses = re.findall(r"(\w+)(?:\['([^']+)'\])?\s*([:<>])\s*(?:'([^']*)'|(-?\d+))", query)
        data = []
        for obj in self.objects.get(resource, {}).values():
            if all(_search_clause((obj.get(f) or {}).get(sub) if sub else obj.get(f), op, text, number)
                   for f, sub, op, text, number in clauses):
                data.append(copy.deepcopy(obj))
        return {"object": "search_result", "data": data, "has_more": False, "next_page": None, "url": f"/v1/{resource}/search"}


def _search_clause(value: Any, op: str, text: str, number: str) -> bool:
    """One Search Query Language clause: ``field:'text'``, ``field:N``, ``field>N``, ``field<N``."""
    if not number:
        return op == ":" and str(value) == text
    if not isinstance(value, int | float):
        return False
    return {":": value == int(number), ">": value > int(number), "<": value < int(number)}[op]


def _resource_of(object_name: str) -> str:
    for resource, name in OBJECT_NAMES.items():
        if name == object_name:
            return resource
    return object_name + "s"
