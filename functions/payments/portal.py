"""``POST payments/portal {returnUrl}``: a Stripe Billing Portal session URL.

The customer comes from the caller's Stripe subscription (``payment.resourceId``), else from
``customers.search`` by ``metadata['uid']`` (a one-time buyer). No customer → 400.
A test-processor subscription gets ``{brand.url}/account?portal=test`` (refused in production).

Like BEM, the session uses a portal *configuration* with ``subscription_cancel`` and
``subscription_update`` disabled (cancellation goes through ``payments/cancel``, so our rules,
records and e-mails apply) and ``payment_method_update`` + ``invoice_history`` enabled. The
configuration is created once (idempotency key ``bem-portal-configuration-v1``) and its id cached
per process and Stripe account; if it was deleted in the Dashboard, Stripe answers 404 and a new
one is created. Portal sessions are short-lived and meant to be fresh, so they carry no fixed
idempotency key (the SDK still adds one per request for its own network retries).
"""

from __future__ import annotations

import hashlib
import os
import threading
from typing import Any

from functions.config.secrets import secret
from functions.errors import BadRequest
from functions.payments.checkout import TEST_PROCESSOR
from functions.user.models import UserDoc

PORTAL_FEATURES = {
    "subscription_cancel": {"enabled": False},
    "subscription_update": {"enabled": False},
    "payment_method_update": {"enabled": True},
    "invoice_history": {"enabled": True},
}
CONFIGURATION_KEY = "bem-portal-configuration-v1"
_lock = threading.Lock()
_configurations: dict[str, str] = {}  # Stripe account (API base + key fingerprint) → configuration id


def _account_key() -> str:
    fingerprint = hashlib.sha256((secret("STRIPE_SECRET_KEY") or "").encode()).hexdigest()[:16]
    return f"{os.environ.get('STRIPE_API_BASE', '')}|{fingerprint}"


def forget_portal_configurations() -> None:
    """Drop the cached ids (the test harness calls it when it resets its fake Stripe account)."""
    with _lock:
        _configurations.clear()


def portal_configuration_id(client: Any, *, refresh: bool = False) -> str:
    """The id of our portal configuration (cancel/update disabled), created once per account."""
    account = _account_key()
    with _lock:
        if not refresh and account in _configurations:
            return _configurations[account]
        options: dict[str, Any] = {} if refresh else {"idempotency_key": CONFIGURATION_KEY}
        created = client.v1.billing_portal.configurations.create(
            {"business_profile": {"headline": "Manage your subscription"}, "features": PORTAL_FEATURES,
             "metadata": {"bem": CONFIGURATION_KEY}},
            options=options,
        )
        _configurations[account] = created.id
        return created.id


def _create_session(client: Any, params: dict) -> Any:
    import stripe

    try:
        return client.v1.billing_portal.sessions.create({**params, "configuration": portal_configuration_id(client)})
    except stripe.InvalidRequestError as error:
        if getattr(error, "param", None) != "configuration":
            raise
    # the cached configuration no longer exists (deleted in the Dashboard): make a new one, once
    return client.v1.billing_portal.sessions.create({**params, "configuration": portal_configuration_id(client, refresh=True)})


def portal_session(manager: Any, uid: str, doc: UserDoc, return_url: str | None) -> dict:
    return_url = return_url or f"{manager.config.brand.url.rstrip('/')}/account"
    payment = doc.subscription.payment
    if payment.processor == TEST_PROCESSOR and payment.resource_id:
        if manager.environment == "production":
            raise BadRequest("Test subscriptions are refused in production")
        return {"url": f"{manager.config.brand.url.rstrip('/')}/account?portal=test", "processor": TEST_PROCESSOR}
    from functions.payments.checkout_stripe import find_customer_id, processor_errors
    from functions.payments.stripe_api import stripe_client, to_dict
    from functions.payments.unified import ref_id

    client = stripe_client(manager)
    with processor_errors("portal"):
        customer_id = None
        if payment.processor == "stripe" and payment.resource_id:
            subscription = to_dict(client.v1.subscriptions.retrieve(payment.resource_id))
            customer_id = ref_id(subscription.get("customer"))
        customer_id = customer_id or find_customer_id(client, uid)
        if not customer_id:
            raise BadRequest("No billing account yet: buy a plan first")
        session = _create_session(client, {"customer": customer_id, "return_url": return_url})
    return {"url": session.url, "processor": "stripe"}
