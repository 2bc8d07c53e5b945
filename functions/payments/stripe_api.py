"""The one way to talk to Stripe: ``stripe_client(manager)`` → ``stripe.StripeClient``.

- API key: ``STRIPE_SECRET_KEY`` (read when called; never logged).
- API version pinned to ``STRIPE_API_VERSION`` (the version stripe-python 16.1.0 was generated
  for), so a change of the account's default version in the Dashboard cannot change the
  shapes we read. Webhook payloads still carry the *endpoint's* version, which is why the
  unifier reads both the old and new shapes (``unified.py``).
- ``STRIPE_API_BASE`` (tests, ``functions/testing/stripe_fake.py``) redirects the API host.
- ``max_network_retries`` (``STRIPE_MAX_NETWORK_RETRIES``, default 2): the SDK retries
  connection errors/5xx and reuses the same idempotency key on retries.

Use the ``v1`` namespace: ``client.v1.subscriptions.retrieve("sub_…")``,
``client.v1.customers.create(params={...}, options={"idempotency_key": "…"})``.
``stripe`` is imported inside the function (cold start).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from functions.config.secrets import secret
from functions.errors import ServiceUnavailable

if TYPE_CHECKING:
    import stripe

STRIPE_API_VERSION = "2026-10-28.endive"
DEFAULT_MAX_NETWORK_RETRIES = 2


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
