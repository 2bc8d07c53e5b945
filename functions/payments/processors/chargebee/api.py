"""The one way to talk to Chargebee: ``chargebee_client(manager)`` → the official SDK's client
(``chargebee.Chargebee``, v3), ``processor_errors(action)`` around every call, ``raw(obj)`` for dicts.

- API key: ``CHARGEBEE_API_KEY`` (Basic auth ``key:``; read when called, never logged).
- Site: ``payment.processors.chargebee.site`` in config (BEM), else ``CHARGEBEE_SITE``:
  ``https://{site}.chargebee.com/api/v2``.
- ``CHARGEBEE_API_BASE`` (tests, ``functions/testing/chargebee_fake.py``): another host, e.g.
  ``http://127.0.0.1:12112``. The SDK builds ``{protocol}://{site}.{domain}/api/v2``, so the host is
  split at its first dot (``127`` + ``0.0.1:12112``). For plain ``http`` the SDK's class flag
  ``Chargebee.verify_ca_certs`` must be off (its ``update_protocol`` sets it on the instance, but
  requests read the class): we turn it off for a loopback ``http`` base only. With it off, ``https``
  requests are still verified (httpx's default CA bundle instead of the SDK's own).
- ``CHARGEBEE_API_TIMEOUT`` (seconds, default 30): connect and read timeout.
- ``CHARGEBEE_MAX_NETWORK_RETRIES`` (default 2): the SDK retries 5xx/429; every mutating call
  carries our own ``chargebee-idempotency-key``, so a retry cannot act twice.
Not configured → 400 naming the processor (intent/cancel/refund/portal); the webhook answers 503.
``chargebee`` is imported inside the functions (cold start).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from functions.config.secrets import secret
from functions.errors import BadRequest, BemError, ServiceUnavailable

DEFAULT_TIMEOUT_SECONDS = 30
DEFAULT_MAX_NETWORK_RETRIES = 2
IDEMPOTENCY_HEADER = "chargebee-idempotency-key"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
log = logging.getLogger("bem.payments.chargebee")
_plain_http_lock = threading.Lock()


def chargebee_site(manager: Any = None) -> str | None:
    processors = getattr(getattr(getattr(manager, "config", None), "payment", None), "processors", None) or {}
    site = (processors.get("chargebee") or {}).get("site") if isinstance(processors, dict) else None
    return (site if isinstance(site, str) and site.strip() else None) or secret("CHARGEBEE_SITE")


def missing_setting(manager: Any = None) -> str | None:
    """What is missing for Chargebee to serve (None: configured)."""
    if not secret("CHARGEBEE_API_KEY"):
        return "CHARGEBEE_API_KEY"
    if not chargebee_site(manager) and not os.environ.get("CHARGEBEE_API_BASE"):
        return "payment.processors.chargebee.site (config) or CHARGEBEE_SITE"
    return None


def not_configured_request(missing: str) -> BadRequest:
    return BadRequest(f"The chargebee processor is not configured: set {missing}")


def _allow_plain_http() -> None:
    from chargebee.main import Chargebee

    with _plain_http_lock:
        Chargebee.verify_ca_certs = False


def chargebee_client(manager: Any = None) -> Any:
    """A client for this call. Raises ``BadRequest`` naming what to set when Chargebee is not configured."""
    import chargebee

    missing = missing_setting(manager)
    if missing:
        raise not_configured_request(missing)
    site = chargebee_site(manager)
    timeout = float(os.environ.get("CHARGEBEE_API_TIMEOUT") or DEFAULT_TIMEOUT_SECONDS)
    options: dict[str, Any] = {"connection_time_out": timeout, "read_time_out": timeout}
    base = os.environ.get("CHARGEBEE_API_BASE")
    if base:
        parts = urlsplit(base)
        host, _, domain = (parts.netloc or "").partition(".")
        if not domain:
            raise ValueError("CHARGEBEE_API_BASE needs a dotted host, e.g. http://127.0.0.1:12112")
        site = host
        options["chargebee_domain"] = domain
        if parts.scheme == "http":
            if (parts.hostname or "") not in LOOPBACK:
                raise ValueError("CHARGEBEE_API_BASE may use plain http only on this machine (127.0.0.1)")
            _allow_plain_http()
            options["protocol"] = "http"
    client = chargebee.Chargebee(api_key=secret("CHARGEBEE_API_KEY"), site=site, **options)
    retries = int(os.environ.get("CHARGEBEE_MAX_NETWORK_RETRIES", DEFAULT_MAX_NETWORK_RETRIES))
    if retries > 0:
        from chargebee.retry_config import RetryConfig

        client.update_retry_config(RetryConfig(enabled=True, max_retries=retries, delay_ms=200))
    return client


def key(value: str) -> dict[str, str]:
    """The headers carrying our idempotency key (Chargebee replays the first answer for 24 h)."""
    return {IDEMPOTENCY_HEADER: value}


def raw(obj: Any) -> dict:
    """The plain dict the SDK parsed a resource from (``Model.raw_data``)."""
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return obj
    return dict(getattr(obj, "raw_data", None) or {})


def is_not_found(error: Exception) -> bool:
    return getattr(error, "http_status_code", None) == 404 or getattr(error, "api_error_code", None) == "resource_not_found"


@contextlib.contextmanager
def processor_errors(action: str) -> Iterator[None]:
    """Chargebee failures become answers: an outage (unreachable, timeout, 429, 5xx) is 503 "try again
    later"; a refusal of our request (other 4xx) is 502. The log keeps the error code (no secrets)."""
    import chargebee
    import httpx

    try:
        yield
    except BemError:
        raise
    except chargebee.APIError as error:
        status = getattr(error, "http_status_code", 0) or 0
        if status == 429 or status >= 500:
            log.warning("chargebee %s unavailable: status=%s", action, status)
            raise ServiceUnavailable("The payment processor could not be reached; try again shortly") from None
        log.error("chargebee %s failed: status=%s code=%s", action, status, getattr(error, "api_error_code", None))
        raise BemError("The payment processor refused the request", status=502, code="processor-error") from None
    except httpx.HTTPError as error:
        log.warning("chargebee %s unavailable: %s", action, type(error).__name__)
        raise ServiceUnavailable("The payment processor could not be reached; try again shortly") from None
    except Exception as error:  # the SDK raises a bare Exception for a non-JSON answer (e.g. a proxy's 503 page)
        if "http_status_code" in str(error) or "api_error_code" in str(error):
            log.warning("chargebee %s unavailable: unreadable answer", action)
            raise ServiceUnavailable("The payment processor could not be reached; try again shortly") from None
        raise
