"""The one way to talk to Stripe: ``stripe_client(manager)`` → ``stripe.StripeClient``, and
``processor_errors(action)`` around every call (outage → 503, refusal → 502).

- API key: ``STRIPE_SECRET_KEY`` (read when called; never logged).
- API version pinned to ``STRIPE_API_VERSION`` (the version stripe-python 16.1.0 was generated
  for), so a change of the account's default version in the Dashboard cannot change the
  shapes we read. Webhook payloads still carry the *endpoint's* version, which is why the
  unifier reads both the old and new shapes (``unify.py``).
- ``STRIPE_API_BASE`` (tests, ``functions/testing/stripe_fake.py``) redirects the API host.
- ``max_network_retries`` (``STRIPE_MAX_NETWORK_RETRIES``, default 2): the SDK retries
  connection errors/5xx and reuses the same idempotency key on retries.

Use the ``v1`` namespace: ``client.v1.subscriptions.retrieve("sub_…")``,
``client.v1.customers.create(params={...}, options={"idempotency_key": "…"})``.
``stripe`` is imported inside the function (cold start).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from functions.config.secrets import secret
from functions.errors import BemError, ServiceUnavailable

if TYPE_CHECKING:
    import stripe

STRIPE_API_VERSION = "2026-10-28.endive"
DEFAULT_MAX_NETWORK_RETRIES = 2
log = logging.getLogger("bem.payments.stripe")


def stripe_client(manager: Any = None) -> stripe.StripeClient:
    """A ``StripeClient`` for this request. Raises ``ServiceUnavailable`` without a secret key."""
    import stripe

    api_key = secret("STRIPE_SECRET_KEY")
    if not api_key:
        raise ServiceUnavailable("Stripe is not configured: set STRIPE_SECRET_KEY")
    options: dict[str, Any] = {
        "stripe_version": STRIPE_API_VERSION,
        "max_network_retries": int(os.environ.get("STRIPE_MAX_NETWORK_RETRIES", DEFAULT_MAX_NETWORK_RETRIES)),
    }
    base = os.environ.get("STRIPE_API_BASE")
    if base:
        options["base_addresses"] = {"api": base.rstrip("/")}
    return stripe.StripeClient(api_key, **options)


def to_dict(obj: Any) -> dict:
    """A plain ``dict`` (recursively) from a StripeObject, or the dict itself."""
    if obj is None:
        return {}
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return dict(obj)


@contextlib.contextmanager
def processor_errors(action: str) -> Iterator[None]:
    """Stripe failures become answers: an outage (unreachable, timeout, 429, 5xx) is 503 "try again
    later"; a refusal of our request (any other 4xx) is 502. The log keeps type/code/request id (no secrets)."""
    import stripe

    try:
        yield
    except stripe.StripeError as error:
        status = getattr(error, "http_status", None) or 0
        if isinstance(error, (stripe.APIConnectionError, stripe.RateLimitError)) or status >= 500:
            log.warning("stripe %s unavailable: %s status=%s", action, type(error).__name__, status or None)
            raise ServiceUnavailable("The payment processor could not be reached; try again shortly") from None
        log.error("stripe %s failed: %s code=%s request=%s", action, type(error).__name__,
                  getattr(error, "code", None), getattr(error, "request_id", None))
        raise BemError("The payment processor refused the request", status=502, code="processor-error") from None


def to_cents(amount: float) -> int:
    return round(amount * 100)
