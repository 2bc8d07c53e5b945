"""The one way to talk to PayPal's REST API: ``paypal_client(manager)`` → ``PayPalClient``, and
``processor_errors(action)`` around every use (outage → 503, refusal → 502).

- Credentials: the client id from ``PAYPAL_CLIENT_ID`` or ``payment.processors.paypal.clientId``
  (BEM's config key), the secret from ``PAYPAL_CLIENT_SECRET`` (read when called; never logged).
- Live or sandbox from configuration, never by trying both: ``payment.processors.paypal.mode``
  (``"live"`` | ``"sandbox"``), else live in production and sandbox elsewhere. ``PAYPAL_API_BASE``
  (tests, ``functions/testing/paypal_fake.py``) points the client at another host.
- OAuth 2 client credentials: one token per (host, client id, secret) cached per process until
  60 s before it expires, behind a lock; a 401 on a call drops it and the call is made once more.
- ``PayPal-Request-Id`` (PayPal's idempotency key) on every mutating call, from the caller's cause
  (``bem-cancel-{subscriptionId}`` …): a retried request is answered from the first one.
- Network retries: ``PAYPAL_MAX_NETWORK_RETRIES`` (default 2) more attempts on a connection error,
  a timeout, 429 or 5xx, with the same request id. Timeout ``PAYPAL_TIMEOUT`` (default 30 s).
``requests`` is imported inside the calls (cold start).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from functions.config.secrets import secret
from functions.errors import BemError, ServiceUnavailable
from functions.payments.processors.shared import not_configured

LIVE_BASE = "https://api-m.paypal.com"
SANDBOX_BASE = "https://api-m.sandbox.paypal.com"
DEFAULT_MAX_NETWORK_RETRIES = 2
DEFAULT_TIMEOUT_SECONDS = 30.0
TOKEN_MARGIN_SECONDS = 60
log = logging.getLogger("bem.payments.paypal")
_lock = threading.Lock()
_tokens: dict[str, tuple[str, float]] = {}  # account key → (access token, expires at)


class PayPalError(Exception):
    """PayPal answered with an error (``status`` 0: it could not be reached)."""

    def __init__(self, status: int, name: str = "", message: str = "", debug_id: str | None = None):
        super().__init__(f"PayPal {status} {name}: {message}".strip())
        self.status, self.name, self.message, self.debug_id = status, name, message, debug_id

    @property
    def outage(self) -> bool:
        return self.status == 0 or self.status == 429 or self.status >= 500


@dataclass(frozen=True)
class Credentials:
    base: str
    client_id: str
    client_secret: str
    mode: str  # "live" | "sandbox"

    @property
    def account(self) -> str:
        fingerprint = hashlib.sha256(f"{self.client_id}:{self.client_secret}".encode()).hexdigest()[:16]
        return f"{self.base}|{fingerprint}"


def paypal_settings(manager: Any) -> dict:
    settings = (manager.config.payment.processors or {}).get("paypal") if manager is not None else None
    return settings if isinstance(settings, dict) else {}


def paypal_mode(manager: Any) -> str:
    mode = str(paypal_settings(manager).get("mode") or "").lower()
    if mode in ("live", "sandbox"):
        return mode
    return "live" if getattr(manager, "environment", "production") == "production" else "sandbox"


def credentials(manager: Any) -> Credentials:
    """What the client needs; ``ServiceUnavailable`` naming what to set when something is missing."""
    client_secret = secret("PAYPAL_CLIENT_SECRET")
    if not client_secret:
        raise not_configured("PayPal payments", "PAYPAL_CLIENT_SECRET")
    client_id = os.environ.get("PAYPAL_CLIENT_ID") or str(paypal_settings(manager).get("clientId") or "")
    if not client_id:
        raise not_configured("PayPal payments", "payment.processors.paypal.clientId (or PAYPAL_CLIENT_ID)")
    mode = paypal_mode(manager)
    base = os.environ.get("PAYPAL_API_BASE") or (LIVE_BASE if mode == "live" else SANDBOX_BASE)
    return Credentials(base.rstrip("/"), client_id, client_secret, mode)


def forget_tokens() -> None:
    """Drop cached access tokens (the test harness calls it when it resets its fake PayPal)."""
    with _lock:
        _tokens.clear()


class PayPalClient:
    """``get(path, params)``, ``post(path, body, request_id=)``; answers parsed JSON (``{}`` for 204)."""

    def __init__(self, creds: Credentials):
        self.creds = creds
        self.retries = int(os.environ.get("PAYPAL_MAX_NETWORK_RETRIES", DEFAULT_MAX_NETWORK_RETRIES))
        self.timeout = float(os.environ.get("PAYPAL_TIMEOUT", DEFAULT_TIMEOUT_SECONDS))

    # auth ----------------------------------------------------------------------------------------
    def token(self, *, fresh: bool = False) -> str:
        account = self.creds.account
        with _lock:
            cached = _tokens.get(account)
            if cached and not fresh and time.time() < cached[1] - TOKEN_MARGIN_SECONDS:
                return cached[0]
            basic = base64.b64encode(f"{self.creds.client_id}:{self.creds.client_secret}".encode()).decode()
            answer = self._send("POST", "/v1/oauth2/token", headers={"Authorization": f"Basic {basic}"},
                                data="grant_type=client_credentials", content_type="application/x-www-form-urlencoded")
            token = str(answer.get("access_token") or "")
            if not token:
                raise PayPalError(502, "NO_TOKEN", "PayPal answered no access token")
            _tokens[account] = (token, time.time() + float(answer.get("expires_in") or 0))
            return token

    # calls ---------------------------------------------------------------------------------------
    def get(self, path: str, params: dict | None = None) -> dict:
        return self._authorized("GET", path, params=params)

    def post(self, path: str, body: Any = None, *, request_id: str | None = None, raw_body: str | None = None) -> dict:
        """``raw_body``: JSON text sent as is (webhook verification embeds the event byte for byte)."""
        data = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
        headers = {"PayPal-Request-Id": request_id} if request_id else {}
        return self._authorized("POST", path, data=data, headers=headers)

    def _authorized(self, method: str, path: str, **kwargs: Any) -> dict:
        extra = kwargs.pop("headers", None) or {}
        try:
            return self._send(method, path, headers={**extra, "Authorization": f"Bearer {self.token()}"}, **kwargs)
        except PayPalError as error:
            if error.status != 401:
                raise
        # the token was revoked or expired early: once more with a new one
        return self._send(method, path, headers={**extra, "Authorization": f"Bearer {self.token(fresh=True)}"}, **kwargs)

    def _send(self, method: str, path: str, *, headers: dict, params: dict | None = None, data: str | None = None,
              content_type: str = "application/json") -> dict:
        import requests

        url = f"{self.creds.base}{path}"
        headers = {**headers, "Content-Type": content_type, "Accept": "application/json"}
        for attempt in range(self.retries + 1):
            try:
                response = requests.request(method, url, params=params, data=data, headers=headers, timeout=self.timeout)
            except requests.RequestException as error:
                failure = PayPalError(0, type(error).__name__, "PayPal could not be reached")
            else:
                if response.status_code < 400:
                    return _body_of(response)
                failure = _error_of(response)
            if not failure.outage or attempt == self.retries:
                raise failure
            time.sleep(min(2.0, 0.25 * 2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover


def _body_of(response: Any) -> dict:
    if not response.content:
        return {}
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise PayPalError(502, "MALFORMED_RESPONSE", "PayPal answered something that is not a JSON object")
    return body


def _error_of(response: Any) -> PayPalError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    details = body.get("details") if isinstance(body.get("details"), list) else []
    issue = (details[0] or {}).get("issue") if details and isinstance(details[0], dict) else None
    name = str(issue or body.get("name") or body.get("error") or "")
    message = str(body.get("message") or body.get("error_description") or "")
    return PayPalError(response.status_code, name, message, body.get("debug_id"))


def paypal_client(manager: Any) -> PayPalClient:
    return PayPalClient(credentials(manager))


@contextlib.contextmanager
def processor_errors(action: str) -> Iterator[None]:
    """PayPal failures become answers: an outage (unreachable, timeout, 429, 5xx) is 503 "try again
    later"; a refusal of our request (any other 4xx) is 502. The log keeps status/issue/debug id (no secrets)."""
    try:
        yield
    except PayPalError as error:
        if error.outage:
            log.warning("paypal %s unavailable: status=%s %s", action, error.status or None, error.name)
            raise ServiceUnavailable("The payment processor could not be reached; try again shortly") from None
        log.error("paypal %s failed: status=%s issue=%s debug_id=%s", action, error.status, error.name, error.debug_id)
        raise BemError("The payment processor refused the request", status=502, code="processor-error") from None
