"""A fake PayPal REST API for tests: our ``requests`` client talks HTTP to it (``PAYPAL_API_BASE``).

    fake = PayPalFake(port=0).start()                 # werkzeug, 127.0.0.1, background thread
    fake.add_plan("P-1", product_id="PROD-premium", interval="MONTH", price="4.99", trial_days=14)
    sub = fake.add_subscription(uid=..., order_id=..., plan_id="P-1")          # ACTIVE, paid, a transaction
    body, headers = fake.signed(fake.event("BILLING.SUBSCRIPTION.ACTIVATED", sub))  # what PayPal would POST
    fake.requests_to("POST", r"/v1/billing/subscriptions/.*/cancel")            # → [RecordedRequest]
    fake.fail_next(2, status=503); fake.timeout_next(1, seconds=1.5)
    fake.on("POST", r"/v1/billing/subscriptions/.*/cancel", lambda req, match: (503, {...}))  # override one route

Endpoints: ``POST /v1/oauth2/token`` (Basic client id/secret → bearer; other calls need a bearer it
issued, 401 otherwise; ``expire_tokens()`` revokes them); ``GET /v1/billing/plans`` (``product_id``
filter; summaries without ``billing_cycles``, as PayPal lists them) and ``/{id}``;
``POST/GET /v1/billing/subscriptions[/{id}]``, ``POST …/{id}/cancel`` (204; CANCELLED with
``status_change_note``; 422 ``SUBSCRIPTION_STATUS_INVALID`` when not active), ``GET …/{id}/transactions``;
``POST/GET /v2/checkout/orders[/{id}]``, ``POST …/{id}/capture`` (422 ``ORDER_NOT_APPROVED`` /
``ORDER_ALREADY_CAPTURED``); ``POST /v2/payments/captures/{id}/refund`` (422 ``CAPTURE_FULLY_REFUNDED``
the second time); ``POST /v1/notifications/verify-webhook-signature``: SUCCESS only for a delivery
``signed()`` made for the ``webhook_id`` asked about, with the event unchanged; else FAILURE.
A repeated ``PayPal-Request-Id`` replays the first answer. Errors use PayPal's shape
``{name, message, debug_id, details: [{issue}]}``. ``load_fixture(path)`` serves a recorded
subscription/order (BEM's ``fixtures/bem/paypal``).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from functions.testing.fake_server import FakeServer

CLIENT_ID = "paypal-test-client-id"
CLIENT_SECRET = "paypal-test-client-secret"
WEBHOOK_ID = "WH-TEST-0123456789"
SIGNING_KEY = b"paypal-fake-signing-key"


def iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _canonical(event: Any) -> str:
    return json.dumps(event, sort_keys=True, separators=(",", ":"))


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200

    @property
    def request_id(self) -> str | None:
        return self.headers.get("Paypal-Request-Id") or self.headers.get("PayPal-Request-Id")


def paypal_error(status: int, issue: str, message: str = "") -> tuple[int, dict]:
    names = {400: "INVALID_REQUEST", 401: "AUTHENTICATION_FAILURE", 404: "RESOURCE_NOT_FOUND", 422: "UNPROCESSABLE_ENTITY"}
    return status, {"name": names.get(status, "INTERNAL_SERVER_ERROR"), "message": message or issue,
                    "debug_id": secrets.token_hex(6), "details": [{"issue": issue, "description": message or issue}]}


class PayPalFake(FakeServer):
    thread_name = "paypal-fake"
    quiet = True

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.lock = threading.RLock()
        self.client_id, self.client_secret, self.webhook_id = CLIENT_ID, CLIENT_SECRET, WEBHOOK_ID
        self._server: Any = None
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.plans: dict[str, dict] = {}
            self.subscriptions: dict[str, dict] = {}
            self.transactions: dict[str, list[dict]] = {}
            self.orders: dict[str, dict] = {}
            self.refunds: dict[str, dict] = {}
            self.requests: list[RecordedRequest] = []
            self.tokens: set[str] = set()
            self._signed: dict[str, tuple[str, str]] = {}  # transmission id → (webhook id, canonical event) it signed
            self._replies: dict[str, tuple[int, Any]] = {}
            self._failures: list[tuple[int, float]] = []
            self._handlers: list[tuple[str, re.Pattern[str], Callable[[RecordedRequest, re.Match[str]], Any]]] = []

    # test controls -------------------------------------------------------------------------------
    def fail_next(self, count: int = 1, status: int = 500) -> None:
        with self.lock:
            self._failures.extend([(status, 0.0)] * count)

    def timeout_next(self, count: int = 1, seconds: float = 1.5) -> None:
        """The next ``count`` requests answer 503 only after ``seconds`` (clients with a shorter timeout give up)."""
        with self.lock:
            self._failures.extend([(503, seconds)] * count)

    def on(self, method: str, path_regex: str, handler: Callable[[RecordedRequest, re.Match[str]], Any]) -> None:
        """Override: ``handler(request, match)`` returns ``(status, body)`` or a body (200)."""
        with self.lock:
            self._handlers.insert(0, (method.upper(), re.compile(f"^{path_regex}$"), handler))

    def clear_overrides(self) -> None:
        with self.lock:
            self._handlers.clear()

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        pattern = re.compile(f"^{path_regex}$")
        with self.lock:
            return [r for r in self.requests if r.method == method.upper() and pattern.match(r.path)]

    def add_plan(self, plan_id: str, *, product_id: str, interval: str = "MONTH", price: str = "4.99", trial_days: int = 0,
                 status: str = "ACTIVE") -> dict:
        cycles = []
        if trial_days:
            cycles.append({"tenure_type": "TRIAL", "sequence": 1, "total_cycles": 1,
                           "frequency": {"interval_unit": "DAY", "interval_count": trial_days},
                           "pricing_scheme": {"fixed_price": {"currency_code": "USD", "value": "0.0"}}})
        cycles.append({"tenure_type": "REGULAR", "sequence": len(cycles) + 1, "total_cycles": 0,
                       "frequency": {"interval_unit": interval, "interval_count": 1},
                       "pricing_scheme": {"fixed_price": {"currency_code": "USD", "value": price}}})
        plan = {"id": plan_id, "product_id": product_id, "name": f"{product_id} {interval}", "status": status,
                "billing_cycles": cycles, "create_time": iso(time.time() - 86400 * 365)}
        with self.lock:
            self.plans[plan_id] = plan
        return copy.deepcopy(plan)

    def seed(self, config: Any) -> list[str]:
        """A plan for every priced frequency of every config product with ``paypal.productId``
        (``P-{productId}-{frequency}``, the product's trial days); answers the plan ids."""
        units = {"monthly": "MONTH", "annually": "YEAR", "weekly": "WEEK", "daily": "DAY"}
        made = []
        for product in config.payment.products:
            if not product.paypal.product_id or not product.prices:
                continue
            for frequency in product.prices.frequencies():
                plan_id = f"P-{product.id}-{frequency}"
                self.add_plan(plan_id, product_id=product.paypal.product_id, interval=units[frequency],
                              price=f"{product.prices.for_frequency(frequency):.2f}", trial_days=product.trial_days)
                made.append(plan_id)
        return made

    def add_subscription(self, *, uid: str, order_id: str, plan_id: str, status: str = "ACTIVE", subscription_id: str | None = None,
                         start: float | None = None, paid_at: float | None = None, trial: bool = False, **changes: Any) -> dict:
        """A subscription as PayPal holds it: ACTIVE and paid at ``paid_at`` (with its transaction) unless in ``trial``."""
        now = time.time()
        start = start if start is not None else now - 3600
        plan = self.plans.get(plan_id) or {}
        regular = next((c for c in plan.get("billing_cycles", []) if c["tenure_type"] == "REGULAR"), {})
        price = (regular.get("pricing_scheme") or {}).get("fixed_price", {}).get("value", "4.99")
        unit = (regular.get("frequency") or {}).get("interval_unit", "MONTH")
        period = {"DAY": 86400, "WEEK": 7 * 86400, "MONTH": 30 * 86400, "YEAR": 365 * 86400}[unit]
        sub_id = subscription_id or f"I-{secrets.token_hex(6).upper()}"
        executions = [{"tenure_type": "TRIAL", "sequence": 1, "cycles_completed": 0 if trial else 1, "total_cycles": 1}] if trial else []
        executions.append({"tenure_type": "REGULAR", "sequence": len(executions) + 1, "cycles_completed": 0 if trial else 1,
                           "total_cycles": 0})
        billing: dict[str, Any] = {"outstanding_balance": {"currency_code": "USD", "value": "0.0"}, "cycle_executions": executions,
                                   "failed_payments_count": 0}
        if trial:
            billing["next_billing_time"] = iso(start + 14 * 86400)
        else:
            paid_at = paid_at if paid_at is not None else start
            billing["last_payment"] = {"amount": {"currency_code": "USD", "value": price}, "time": iso(paid_at)}
            billing["next_billing_time"] = iso(paid_at + period)
        subscription = {"id": sub_id, "plan_id": plan_id, "status": status, "status_update_time": iso(start), "start_time": iso(start),
                        "create_time": iso(start), "update_time": iso(start), "quantity": "1",
                        "custom_id": f"uid:{uid},orderId:{order_id}",
                        "subscriber": {"email_address": f"{uid}@buyer.test", "payer_id": "PAYERFAKE",
                                       "name": {"given_name": "Test", "surname": "Buyer"}},
                        "billing_info": billing, "links": [], **changes}
        with self.lock:
            self.subscriptions[sub_id] = subscription
            if not trial:
                self.transactions[sub_id] = [{"id": f"SALE-{secrets.token_hex(5).upper()}", "status": "COMPLETED", "time": iso(paid_at),
                                              "amount_with_breakdown": {"gross_amount": {"currency_code": "USD", "value": price}}}]
        return copy.deepcopy(subscription)

    def update_subscription(self, sub_id: str, **changes: Any) -> dict:
        with self.lock:
            subscription = self.subscriptions[sub_id]
            subscription.update(changes)
            subscription["update_time"] = iso(time.time())
            return copy.deepcopy(subscription)

    def approve_order(self, order_id: str) -> dict:
        """The buyer approved the checkout (PayPal then sends ``CHECKOUT.ORDER.APPROVED``)."""
        with self.lock:
            order = self.orders[order_id]
            order["status"] = "APPROVED"
            order["payer"] = {"name": {"given_name": "Test", "surname": "Buyer"}, "email_address": "buyer@paypal.test"}
            return copy.deepcopy(order)

    def load_fixture(self, path: str | Path) -> dict:
        """Serve a recorded PayPal subscription or order (BEM's fixtures) under its id."""
        resource = json.loads(Path(path).read_text())
        with self.lock:
            (self.orders if "purchase_units" in resource else self.subscriptions)[resource["id"]] = resource
        return copy.deepcopy(resource)

    # webhooks ----------------------------------------------------------------------------------
    def event(self, event_type: str, resource: dict, *, created: float | None = None, event_id: str | None = None) -> dict:
        kind = "checkout-order" if event_type.startswith("CHECKOUT.") else "sale" if event_type.startswith("PAYMENT.") else "subscription"
        return {"id": event_id or f"WH-{secrets.token_hex(8).upper()}", "event_version": "1.0",
                "create_time": iso(created if created is not None else time.time()), "resource_type": kind,
                "event_type": event_type, "summary": event_type.lower(), "resource": copy.deepcopy(resource)}

    def sale_event(self, event_type: str, sub_id: str, *, created: float | None = None, event_id: str | None = None) -> dict:
        """``PAYMENT.SALE.*`` for the subscription's last transaction (``billing_agreement_id``, ``custom_id``)."""
        with self.lock:
            subscription = self.subscriptions[sub_id]
            sale = (self.transactions.get(sub_id) or [{"id": f"SALE-{secrets.token_hex(5).upper()}"}])[-1]
            resource = {"id": sale["id"], "billing_agreement_id": sub_id, "custom_id": subscription.get("custom_id"),
                        "state": "completed", "amount": {"total": "4.99", "currency": "USD"}}
        return self.event(event_type, resource, created=created, event_id=event_id)

    def signed(self, event: dict, *, webhook_id: str | None = None) -> tuple[bytes, dict[str, str]]:
        """The body and headers PayPal would deliver: a transmission this fake will vouch for."""
        body = json.dumps(event).encode()
        transmission_id = secrets.token_hex(12)
        transmitted = iso(time.time())
        message = f"{transmission_id}|{transmitted}|{webhook_id or self.webhook_id}|{hashlib.sha256(body).hexdigest()}"
        with self.lock:
            self._signed[transmission_id] = (webhook_id or self.webhook_id, _canonical(event))
        headers = {"PAYPAL-AUTH-ALGO": "SHA256withRSA", "PAYPAL-CERT-URL": f"{self.url}/v1/notifications/certs/CERT-fake",
                   "PAYPAL-TRANSMISSION-ID": transmission_id, "PAYPAL-TRANSMISSION-TIME": transmitted,
                   "PAYPAL-TRANSMISSION-SIG": hmac.new(SIGNING_KEY, message.encode(), hashlib.sha256).hexdigest(),
                   "Content-Type": "application/json"}
        return body, headers

    def _verify(self, body: dict) -> dict:
        event = body.get("webhook_event")
        expected = self._signed.get(str(body.get("transmission_id")))
        ok = (expected == (body.get("webhook_id"), _canonical(event))  # signed for that webhook, the event unchanged
              and body.get("auth_algo") and body.get("cert_url") and body.get("transmission_time") and body.get("transmission_sig"))
        return {"verification_status": "SUCCESS" if ok else "FAILURE"}

    # HTTP --------------------------------------------------------------------------------------------
    def _wsgi(self, environ: dict, start_response: Callable) -> Any:
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        text = request.get_data(as_text=True)
        try:
            body = json.loads(text) if text and request.mimetype == "application/json" else text
        except ValueError:
            body = None
        recorded = RecordedRequest(request.method, request.path, dict(request.args.items()), body, dict(request.headers.items()))
        status, answer, delay = self._answer(recorded)
        if delay:
            time.sleep(delay)
        payload = "" if status == 204 else json.dumps(answer)
        return Response(payload, status=status, mimetype="application/json")(environ, start_response)

    def _answer(self, req: RecordedRequest) -> tuple[int, Any, float]:
        with self.lock:
            self.requests.append(req)
            if self._failures:
                status, delay = self._failures.pop(0)
                req.status = status
                return (*paypal_error(status, "INTERNAL_SERVICE_ERROR", "Simulated outage"), delay)
            for method, path, override in self._handlers:  # test overrides win over replays
                found = path.match(req.path)
                if method == req.method and found:
                    result = override(req, found)
                    req.status, answer = result if isinstance(result, tuple) else (200, result)
                    return req.status, answer, 0.0
            key = req.request_id if req.method == "POST" else None
            if key and key in self._replies:
                req.status, answer = self._replies[key]
                return req.status, copy.deepcopy(answer), 0.0
            status, answer = self._dispatch(req)
            if key and status < 500 and status != 401:  # a refused token is not a processed request
                self._replies[key] = (status, copy.deepcopy(answer))
            req.status = status
            return status, answer, 0.0

    def _dispatch(self, req: RecordedRequest) -> tuple[int, Any]:
        if req.path == "/v1/oauth2/token" and req.method == "POST":
            return self._token(req)
        bearer = req.headers.get("Authorization", "").removeprefix("Bearer ")
        if bearer not in self.tokens:
            return paypal_error(401, "INVALID_TOKEN", "Access Token not found in cache")
        route = f"{req.method} {req.path}"
        for pattern, handler in ROUTES:
            match = re.fullmatch(pattern, route)
            if match:
                return handler(self, req, *match.groups())
        return paypal_error(404, "RESOURCE_NOT_FOUND", f"No route {route}")

    def _token(self, req: RecordedRequest) -> tuple[int, Any]:
        import base64

        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if req.headers.get("Authorization") != f"Basic {expected}" or "grant_type=client_credentials" not in str(req.body):
            return 401, {"error": "invalid_client", "error_description": "Client Authentication failed"}
        token = f"A21AA{secrets.token_urlsafe(24)}"
        self.tokens.add(token)
        return 200, {"scope": "https://uri.paypal.com/services/subscriptions", "access_token": token, "token_type": "Bearer",
                     "app_id": "APP-FAKE", "expires_in": 32400, "nonce": secrets.token_hex(8)}

    # handlers ------------------------------------------------------------------------------------------
    def _plans(self, req: RecordedRequest) -> tuple[int, Any]:
        wanted = req.params.get("product_id")
        plans = [{k: v for k, v in p.items() if k != "billing_cycles"} for p in self.plans.values()
                 if not wanted or p["product_id"] == wanted]
        return 200, {"plans": plans, "total_items": len(plans), "total_pages": 1, "links": []}

    def _plan(self, req: RecordedRequest, plan_id: str) -> tuple[int, Any]:
        plan = self.plans.get(plan_id)
        return (200, copy.deepcopy(plan)) if plan else paypal_error(404, "INVALID_RESOURCE_ID", f"Plan {plan_id} not found")

    def _create_subscription(self, req: RecordedRequest) -> tuple[int, Any]:
        body = req.body if isinstance(req.body, dict) else {}
        if body.get("plan_id") not in self.plans:
            return paypal_error(422, "INVALID_PLAN", "plan_id does not exist")
        sub_id = f"I-{secrets.token_hex(6).upper()}"
        now = time.time()
        subscription = {"id": sub_id, "plan_id": body["plan_id"], "status": "APPROVAL_PENDING", "custom_id": body.get("custom_id"),
                        "start_time": body.get("start_time") or iso(now), "create_time": iso(now), "quantity": "1",
                        "links": [{"href": f"https://www.sandbox.paypal.com/webapps/billing/subscriptions?ba_token=BA-{sub_id}",
                                   "rel": "approve", "method": "GET"},
                                  {"href": f"{self.url}/v1/billing/subscriptions/{sub_id}", "rel": "self", "method": "GET"}]}
        self.subscriptions[sub_id] = subscription
        return 201, copy.deepcopy(subscription)

    def _subscription(self, req: RecordedRequest, sub_id: str) -> tuple[int, Any]:
        found = self.subscriptions.get(sub_id)
        return (200, copy.deepcopy(found)) if found else paypal_error(404, "INVALID_RESOURCE_ID", f"Subscription {sub_id} not found")

    def _cancel_subscription(self, req: RecordedRequest, sub_id: str) -> tuple[int, Any]:
        found = self.subscriptions.get(sub_id)
        if found is None:
            return paypal_error(404, "INVALID_RESOURCE_ID", f"Subscription {sub_id} not found")
        if found["status"] not in ("ACTIVE", "SUSPENDED", "APPROVED"):
            return paypal_error(422, "SUBSCRIPTION_STATUS_INVALID", f"Invalid subscription status {found['status']}")
        now = iso(time.time())
        found.update(status="CANCELLED", status_update_time=now, update_time=now,
                     status_change_note=str((req.body or {}).get("reason") or "") if isinstance(req.body, dict) else "")
        found.get("billing_info", {}).pop("next_billing_time", None)  # PayPal drops it on cancel
        return 204, None

    def _transactions(self, req: RecordedRequest, sub_id: str) -> tuple[int, Any]:
        if sub_id not in self.subscriptions:
            return paypal_error(404, "INVALID_RESOURCE_ID", f"Subscription {sub_id} not found")
        return 200, {"transactions": copy.deepcopy(self.transactions.get(sub_id, [])), "total_items": len(self.transactions.get(sub_id, []))}

    def _create_order(self, req: RecordedRequest) -> tuple[int, Any]:
        body = req.body if isinstance(req.body, dict) else {}
        order_id = secrets.token_hex(8).upper()
        order = {"id": order_id, "intent": body.get("intent"), "status": "PAYER_ACTION_REQUIRED", "create_time": iso(time.time()),
                 "purchase_units": copy.deepcopy(body.get("purchase_units") or []),
                 "links": [{"href": f"https://www.sandbox.paypal.com/checkoutnow?token={order_id}", "rel": "payer-action", "method": "GET"}]}
        self.orders[order_id] = order
        return 200, copy.deepcopy(order)

    def _order(self, req: RecordedRequest, order_id: str) -> tuple[int, Any]:
        found = self.orders.get(order_id)
        return (200, copy.deepcopy(found)) if found else paypal_error(404, "RESOURCE_NOT_FOUND", f"Order {order_id} not found")

    def _capture(self, req: RecordedRequest, order_id: str) -> tuple[int, Any]:
        order = self.orders.get(order_id)
        if order is None:
            return paypal_error(404, "RESOURCE_NOT_FOUND", f"Order {order_id} not found")
        if order["status"] == "COMPLETED":
            return paypal_error(422, "ORDER_ALREADY_CAPTURED", "Order already captured")
        if order["status"] != "APPROVED":
            return paypal_error(422, "ORDER_NOT_APPROVED", "Payer has not yet approved the Order for payment")
        for unit in order["purchase_units"]:
            unit.setdefault("payments", {})["captures"] = [{"id": f"CAP-{secrets.token_hex(5).upper()}", "status": "COMPLETED",
                                                            "amount": copy.deepcopy(unit.get("amount")), "final_capture": True}]
        order["status"] = "COMPLETED"
        order["update_time"] = iso(time.time())
        return 201, copy.deepcopy(order)

    def _refund(self, req: RecordedRequest, capture_id: str) -> tuple[int, Any]:
        sale = next((t for sales in self.transactions.values() for t in sales if t["id"] == capture_id), None)
        capture = next((c for o in self.orders.values() for u in o.get("purchase_units", [])
                        for c in (u.get("payments") or {}).get("captures", []) if c["id"] == capture_id), None)
        target = sale or capture
        if target is None:
            return paypal_error(404, "INVALID_RESOURCE_ID", f"Capture {capture_id} not found")
        if target["status"] in ("REFUNDED", "PARTIALLY_REFUNDED"):
            return paypal_error(422, "CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded")
        target["status"] = "REFUNDED"
        refund = {"id": f"REF-{secrets.token_hex(5).upper()}", "status": "COMPLETED",
                  "amount": copy.deepcopy((req.body or {}).get("amount")) if isinstance(req.body, dict) else None,
                  "capture_id": capture_id, "create_time": iso(time.time())}
        self.refunds[refund["id"]] = refund
        return 201, copy.deepcopy(refund)


ROUTES: list[tuple[str, Callable[..., tuple[int, Any]]]] = [
    (r"GET /v1/billing/plans", lambda f, r: f._plans(r)),
    (r"GET /v1/billing/plans/([^/]+)", PayPalFake._plan),
    (r"POST /v1/billing/subscriptions", PayPalFake._create_subscription),
    (r"GET /v1/billing/subscriptions/([^/]+)", PayPalFake._subscription),
    (r"POST /v1/billing/subscriptions/([^/]+)/cancel", PayPalFake._cancel_subscription),
    (r"GET /v1/billing/subscriptions/([^/]+)/transactions", PayPalFake._transactions),
    (r"POST /v2/checkout/orders", PayPalFake._create_order),
    (r"GET /v2/checkout/orders/([^/]+)", PayPalFake._order),
    (r"POST /v2/checkout/orders/([^/]+)/capture", PayPalFake._capture),
    (r"POST /v2/payments/captures/([^/]+)/refund", PayPalFake._refund),
    (r"POST /v1/notifications/verify-webhook-signature", lambda f, r: (200, f._verify(r.body if isinstance(r.body, dict) else {}))),
]
