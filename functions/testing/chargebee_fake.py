"""A fake Chargebee API (v2) for tests: the official SDK talks HTTP to it (``CHARGEBEE_API_BASE``).

    fake = ChargebeeFake(port=0).start()          # werkzeug, 127.0.0.1, background thread
    fake.add(load("subscription-active.json"))    # serve a fixture (kind from its "object")
    client.Subscription.retrieve("cb_sub_active_001")
    fake.requests_to("POST", "/subscriptions/.*/cancel_for_items")  # → [RecordedRequest(method, path, params, headers)]
    fake.fail_next(2, status=500)                 # simulated outage (Chargebee's error JSON)
    fake.timeout_next(1, seconds=1.5)             # the next answer comes late (the client gives up first)
    fake.on("POST", r"/invoices/(?P<id>[^/]+)/refund", lambda req, match: (200, {...}))

Paths are Chargebee's without ``/api/v2``. Served: hosted pages (``checkout_new_for_items``,
``checkout_one_time_for_items``, list newest first, retrieve), subscriptions (retrieve, update
``meta_data``, ``cancel_for_items``), customers (retrieve, update), invoices (retrieve, list with
``subscription_id[is]``/``status[is]``/``sort_by[desc]=date``/``limit``, ``refund``), coupons
(retrieve, ``create_for_items``), ``portal_sessions``. Answers wrap the resource as Chargebee does
(``{"subscription": {...}, "customer": {...}}``); lists are ``{"list": [{"hosted_page": {...}}]}``.
Every request needs ``Authorization: Basic <key>:`` (else 401). A repeated ``chargebee-idempotency-key``
replays the first answer with ``chargebee-idempotency-replayed: true``.

The buyer's side: ``complete_hosted_page(id)`` does what paying on the hosted page does (customer,
subscription or invoice, the page's ``content``; no ``meta_data``: Chargebee does not copy it from a
hosted page) and returns the webhook events Chargebee would send; ``event(type, ...)`` builds one.
``state_event(type, subscription_id)`` is an event carrying the current subscription and customer.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from functions.testing.fake_server import FakeServer
from functions.testing.stripe_fake import decode_form

PREFIX = "/api/v2"
WRAPPERS = {"subscriptions": "subscription", "customers": "customer", "invoices": "invoice", "hosted_pages": "hosted_page",
            "coupons": "coupon", "portal_sessions": "portal_session", "credit_notes": "credit_note"}
KINDS = {singular: plural for plural, singular in WRAPPERS.items()}
MONTH = 30 * 86400
Handler = Callable[["RecordedRequest", "re.Match[str]"], Any]


def load_fixture(path: str | Path) -> dict:
    return json.loads(Path(path).read_text())


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200

    @property
    def idempotency_key(self) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == "chargebee-idempotency-key"), None)


def chargebee_error(status: int, message: str, code: str, error_type: str | None = "invalid_request",
                    param: str | None = None) -> tuple[int, dict]:
    body = {"message": message, "api_error_code": code, "error_code": code, "http_status_code": status}
    if error_type:
        body["type"] = error_type
    if param:
        body["param"] = param
    return status, body


def not_found(kind: str, object_id: str) -> tuple[int, dict]:
    return chargebee_error(404, f"{kind} {object_id} not found.", "resource_not_found", param="id")


class ChargebeeFake(FakeServer):
    thread_name = "chargebee-fake"
    quiet = True

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.lock = threading.RLock()
        self.objects: dict[str, dict[str, dict]] = {}
        self.requests: list[RecordedRequest] = []
        self._handlers: list[tuple[str, re.Pattern[str], Handler]] = []
        self._failures: list[tuple[int, float]] = []
        self._idempotent: dict[str, tuple[int, dict]] = {}
        self._clock = 0
        self._server: Any = None

    def reset(self) -> None:
        with self.lock:
            self.objects.clear()
            self.requests.clear()
            self._handlers.clear()
            self._failures.clear()
            self._idempotent.clear()

    # test controls -------------------------------------------------------------------------------
    def add(self, obj: dict, kind: str | None = None) -> dict:
        """Serve an object (``kind`` defaults from ``obj["object"]``: ``subscription`` → ``subscriptions``)."""
        plural = KINDS.get(kind or obj.get("object", ""), kind or "")
        if plural not in WRAPPERS:
            raise ValueError(f"unknown Chargebee object kind {kind or obj.get('object')!r}")
        with self.lock:
            self.objects.setdefault(plural, {})[obj["id"]] = copy.deepcopy(obj)
        return obj

    def get(self, kind: str, object_id: str) -> dict | None:
        with self.lock:
            return copy.deepcopy(self.objects.get(KINDS.get(kind, kind), {}).get(object_id))

    def all(self, kind: str) -> list[dict]:
        with self.lock:
            return copy.deepcopy(list(self.objects.get(KINDS.get(kind, kind), {}).values()))

    def update(self, kind: str, object_id: str, **changes: Any) -> dict:
        with self.lock:
            obj = self.objects[KINDS.get(kind, kind)][object_id]
            obj.update(changes)
            obj["resource_version"] = self._tick() * 1000
            return copy.deepcopy(obj)

    def on(self, method: str, path_regex: str, handler: Handler) -> None:
        with self.lock:
            self._handlers.insert(0, (method.upper(), re.compile(f"^{path_regex}$"), handler))

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        with self.lock:
            self._failures.extend([(status, 0.0)] * count)

    def timeout_next(self, count: int = 1, seconds: float = 1.5) -> None:
        with self.lock:
            self._failures.extend([(0, seconds)] * count)

    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        pattern = re.compile(f"^{path_regex}$")
        with self.lock:
            return [r for r in self.requests if r.method == method.upper() and pattern.match(r.path)]

    # the buyer and Chargebee's events -------------------------------------------------------------------
    def event(self, event_type: str, occurred_at: int | None = None, source: str = "system", **content: dict) -> dict:
        """A webhook event as Chargebee posts it (``content`` holds subscription/customer/invoice...)."""
        return {"id": f"ev_{secrets.token_hex(8)}", "occurred_at": occurred_at or int(time.time()), "source": source,
                "object": "event", "api_version": "v2", "event_type": event_type, "content": copy.deepcopy(content)}

    def state_event(self, event_type: str, subscription_id: str, occurred_at: int | None = None, **extra: dict) -> dict:
        """An event carrying the subscription and its customer as they are now."""
        with self.lock:
            subscription = self.objects["subscriptions"][subscription_id]
            customer = self.objects.get("customers", {}).get(subscription.get("customer_id"))
            content = {"subscription": subscription, **({"customer": customer} if customer else {}), **extra}
            return self.event(event_type, occurred_at, **content)

    def complete_hosted_page(self, page_id: str, *, trial_days: int = 0, now: int | None = None,
                             customer: dict | None = None) -> list[dict]:
        """Pay the hosted page; answers the events Chargebee sends (``subscription_created`` or ``invoice_generated``).

        ``trial_days``: the item price's trial (skipped when the page asked ``subscription[trial_end]=0``)."""
        now = now or int(time.time())
        with self.lock:
            page = self.objects.get("hosted_pages", {}).get(page_id)
            if page is None:
                raise LookupError(f"hosted page {page_id} not found")
            if page["state"] == "succeeded":
                raise ValueError(f"hosted page {page_id} is already paid")
            params = page.pop("_params")
            buyer = {"id": f"cb_cust_{secrets.token_hex(6)}", "object": "customer", "first_name": "Casey",
                     "last_name": "Buyer", "email": "buyer@example.com", "created_at": now, **(customer or {})}
            self.add(buyer)
            if page["type"] == "checkout_new":
                made = self._subscribe(page, params, buyer, trial_days, now)
                events = [self.event("subscription_created", now, "hosted_page", subscription=made["subscription"],
                                     customer=buyer, **({"invoice": made["invoice"]} if made.get("invoice") else {}))]
            else:
                made = {"invoice": self._one_time_invoice(params, buyer, now)}
                events = [self.event("invoice_generated", now, "hosted_page", invoice=made["invoice"], customer=buyer)]
            page.update(state="succeeded", content={"customer": buyer, **made}, updated_at=now)
            return events

    def _subscribe(self, page: dict, params: dict, buyer: dict, trial_days: int, now: int) -> dict:
        items = params.get("subscription_items") or {}
        item_price_id = (items.get("item_price_id") or [""])[0]
        frequency = item_price_id.rsplit("-", 1)[-1]
        term = {"annually": 365 * 86400, "weekly": 7 * 86400, "daily": 86400}.get(frequency, MONTH)
        skip_trial = (params.get("subscription") or {}).get("trial_end") == 0
        subscription: dict[str, Any] = {
            "id": f"cb_sub_{secrets.token_hex(6)}", "object": "subscription", "customer_id": buyer["id"],
            "currency_code": "USD", "created_at": now, "started_at": now, "updated_at": now, "deleted": False,
            "resource_version": now * 1000, "channel": "web",
            "subscription_items": [{"item_price_id": item_price_id, "item_type": "plan", "quantity": 1,
                                    "unit_price": 499, "amount": 499, "object": "subscription_item"}],
        }
        if trial_days and not skip_trial:
            subscription.update(status="in_trial", trial_start=now, trial_end=now + trial_days * 86400,
                                next_billing_at=now + trial_days * 86400)
            self.add(subscription)
            return {"subscription": subscription}
        subscription.update(status="active", activated_at=now, current_term_start=now, current_term_end=now + term,
                            next_billing_at=now + term)
        self.add(subscription)
        return {"subscription": subscription, "invoice": self._invoice(buyer, now, 499, subscription_id=subscription["id"])}

    def _one_time_invoice(self, params: dict, buyer: dict, now: int) -> dict:
        charges = params.get("charges") or {}
        amount = int((charges.get("amount") or [0])[0])
        return self._invoice(buyer, now, amount, description=(charges.get("description") or [""])[0])

    def _invoice(self, buyer: dict, now: int, cents: int, subscription_id: str | None = None, description: str = "") -> dict:
        invoice: dict[str, Any] = {
            "id": f"inv_{secrets.token_hex(6)}", "object": "invoice", "customer_id": buyer["id"], "status": "paid",
            "recurring": bool(subscription_id), "total": cents, "amount_paid": cents, "amount_due": 0, "date": now,
            "paid_at": now, "currency_code": "USD", "issued_credit_notes": [],
            "line_items": [{"id": f"li_{secrets.token_hex(6)}", "amount": cents, "unit_amount": cents, "quantity": 1,
                            "description": description, "entity_type": "plan_item_price" if subscription_id else "charge",
                            "object": "line_item"}],
        }
        if subscription_id:
            invoice["subscription_id"] = subscription_id
        return self.add(invoice)

    def _tick(self) -> int:
        self._clock = max(self._clock + 1, int(time.time()))
        return self._clock

    # HTTP ---------------------------------------------------------------------------------------------------
    def _wsgi(self, environ: dict, start_response: Callable) -> Any:
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        pairs = list(parse_qsl(request.query_string.decode(), keep_blank_values=True))
        if request.method == "POST":
            pairs += parse_qsl(request.get_data(as_text=True), keep_blank_values=True)
        path = request.path.removeprefix(PREFIX) if request.path.startswith(PREFIX) else request.path
        recorded = RecordedRequest(request.method, path, decode_form(pairs), dict(request.headers.items()))
        status, body, replayed, delay = self._answer(recorded, request.path.startswith(PREFIX))
        if delay:
            time.sleep(delay)
        headers = {"chargebee-idempotency-replayed": "true"} if replayed else {}
        return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)(environ, start_response)

    def _answer(self, req: RecordedRequest, versioned: bool) -> tuple[int, dict, bool, float]:
        with self.lock:
            self.requests.append(req)
            if not versioned:  # only the test's own endpoints (``on()``), e.g. the local "pay" page
                req.status, body = self._dispatch(req, handlers_only=True)
                return req.status, body, False, 0.0
            if not _authorized(req.headers):
                req.status, body = chargebee_error(401, "Sorry, authentication failed. Invalid api key",
                                                   "api_authentication_failed", None)
                return req.status, body, False, 0.0
            key = req.idempotency_key if req.method == "POST" else None
            if key and key in self._idempotent:
                req.status, body = self._idempotent[key]
                return req.status, copy.deepcopy(body), True, 0.0
            if self._failures:
                status, delay = self._failures.pop(0)
                req.status = status or 599
                error = chargebee_error(status or 503, "Simulated outage", "internal_error", None)
                return error[0], error[1], False, delay
            status, body = self._dispatch(req)
            req.status = status
            if key and status < 500:
                self._idempotent[key] = (status, copy.deepcopy(body))
            return status, body, False, 0.0

    def _dispatch(self, req: RecordedRequest, handlers_only: bool = False) -> tuple[int, dict]:
        for method, pattern, handler in self._handlers:
            match = pattern.match(req.path)
            if method == req.method and match:
                result = handler(req, match)
                return result if isinstance(result, tuple) else (200, result)
        if handlers_only:
            return not_found("path", req.path)
        parts = req.path.strip("/").split("/")
        route = (req.method, parts[0], len(parts))
        action = parts[2] if len(parts) > 2 else None
        if route == ("POST", "hosted_pages", 2) and parts[1] in ("checkout_new_for_items", "checkout_one_time_for_items"):
            return self._hosted_page(parts[1], req.params)
        if route == ("GET", "hosted_pages", 1):
            pages = sorted(self.all("hosted_pages"), key=lambda p: p["created_at"], reverse=True)
            limit = int(req.params.get("limit") or 10)
            return 200, {"list": [{"hosted_page": _public(p)} for p in pages[:limit]]}
        if route == ("GET", "invoices", 1):
            return 200, self._invoices(req.params)
        if route == ("POST", "coupons", 2) and parts[1] == "create_for_items":
            coupon = {**req.params, "object": "coupon", "status": "active", "created_at": self._tick()}
            return 200, {"coupon": self.add(coupon, "coupon")}
        if route == ("POST", "portal_sessions", 1):
            return self._portal_session(req.params)
        if len(parts) >= 2 and parts[0] in WRAPPERS:
            return self._one(req, parts[0], parts[1], action)
        return not_found("path", req.path)

    def _one(self, req: RecordedRequest, plural: str, object_id: str, action: str | None) -> tuple[int, dict]:
        obj = self.objects.get(plural, {}).get(object_id)
        if obj is None:
            return not_found(WRAPPERS[plural], object_id)
        if req.method == "GET" and action is None:
            return 200, self._wrapped(plural, obj)
        if req.method == "POST" and action is None and plural in ("subscriptions", "customers"):
            for name in ("meta_data",):
                if name in req.params:
                    obj[name] = json.loads(req.params[name]) if isinstance(req.params[name], str) else req.params[name]
            obj["resource_version"] = self._tick() * 1000
            return 200, self._wrapped(plural, obj)
        if req.method == "POST" and plural == "subscriptions" and action == "cancel_for_items":
            return self._cancel(obj, req.params.get("cancel_option") or "end_of_term")
        if req.method == "POST" and plural == "invoices" and action == "refund":
            return self._refund(obj, req.params)
        return not_found("path", req.path)

    def _wrapped(self, plural: str, obj: dict) -> dict:
        answer = {WRAPPERS[plural]: _public(obj)}
        if plural == "subscriptions":
            customer = self.objects.get("customers", {}).get(obj.get("customer_id"))
            answer["customer"] = _public(customer) if customer else {"id": obj.get("customer_id"), "object": "customer"}
        return answer

    def _hosted_page(self, action: str, params: dict) -> tuple[int, dict]:
        now = self._tick()
        page_id = f"hp_{secrets.token_hex(8)}"
        page = {"id": page_id, "object": "hosted_page", "type": "checkout_new" if "new" in action else "checkout_one_time",
                "url": f"{self.url}/pages/v3/{page_id}/", "state": "created", "embed": False, "created_at": now,
                "updated_at": now, "expires_at": now + 3 * 86400, "resource_version": now * 1000,
                "pass_thru_content": params.get("pass_thru_content"), "_params": params}
        self.add(page)
        return 200, {"hosted_page": _public(page)}

    def _invoices(self, params: dict) -> dict:
        found = self.all("invoices")
        for name in ("subscription_id", "status", "customer_id"):
            wanted = (params.get(name) or {}).get("is") if isinstance(params.get(name), dict) else None
            if wanted is not None:
                found = [i for i in found if str(i.get(name)) == str(wanted)]
        if (params.get("sort_by") or {}).get("desc") == "date":
            found.sort(key=lambda i: i.get("date") or 0, reverse=True)
        limit = int(params.get("limit") or 10)
        return {"list": [{"invoice": _public(i)} for i in found[:limit]]}

    def _cancel(self, subscription: dict, option: str) -> tuple[int, dict]:
        if subscription.get("status") == "cancelled":
            return chargebee_error(400, "The subscription is already cancelled.", "invalid_state_for_request")
        now = self._tick()
        if option == "immediately":
            subscription.update(status="cancelled", cancelled_at=now)
            subscription.pop("next_billing_at", None)
        else:
            end = subscription.get("current_term_end") or subscription.get("trial_end") or now
            subscription.update(status="non_renewing", cancelled_at=end)
        subscription.update(updated_at=now, resource_version=now * 1000)
        return 200, self._wrapped("subscriptions", subscription)

    def _refund(self, invoice: dict, params: dict) -> tuple[int, dict]:
        refunded = sum(note.get("cn_total", 0) for note in invoice.get("issued_credit_notes") or [])
        amount = int(params.get("refund_amount") or invoice.get("amount_paid") or 0)
        if invoice.get("status") != "paid" or amount <= 0 or refunded + amount > int(invoice.get("amount_paid") or 0):
            return chargebee_error(400, "The refund amount exceeds the refundable amount.", "invalid_request",
                                   param="refund_amount")
        now = self._tick()
        note = {"id": f"cn_{secrets.token_hex(6)}", "object": "credit_note", "reference_invoice_id": invoice["id"],
                "total": amount, "amount_refunded": amount, "status": "refunded", "reason_code": "other",
                "currency_code": invoice.get("currency_code", "USD"), "date": now,
                "subscription_id": invoice.get("subscription_id"), "customer_id": invoice.get("customer_id")}
        self.add(note)
        invoice.setdefault("issued_credit_notes", []).append(
            {"cn_id": note["id"], "cn_total": amount, "cn_status": "refunded", "cn_date": now})
        transaction = {"id": f"txn_{secrets.token_hex(6)}", "object": "transaction", "type": "refund", "amount": amount,
                       "status": "success", "currency_code": invoice.get("currency_code", "USD"), "date": now}
        return 200, {"invoice": _public(invoice), "transaction": transaction, "credit_note": note}

    def _portal_session(self, params: dict) -> tuple[int, dict]:
        customer_id = (params.get("customer") or {}).get("id")
        if not customer_id or customer_id not in self.objects.get("customers", {}):
            return not_found("customer", str(customer_id))
        token = secrets.token_urlsafe(12)
        session = {"id": f"portal_{secrets.token_hex(6)}", "object": "portal_session", "token": token,
                   "access_url": f"{self.url}/portal/v2/access/{token}", "status": "created", "customer_id": customer_id,
                   "redirect_url": params.get("redirect_url"), "created_at": self._tick()}
        self.add(session, "portal_session")
        return 200, {"portal_session": session}


def _public(obj: dict | None) -> dict:
    return {k: v for k, v in (obj or {}).items() if not k.startswith("_")}


def _authorized(headers: dict[str, str]) -> bool:
    given = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, encoded = given.partition(" ")
    try:
        user = base64.b64decode(encoded).decode().partition(":")[0] if scheme == "Basic" else ""
    except ValueError:
        return False
    return bool(user)
