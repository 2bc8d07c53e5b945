"""``POST payments/portal {returnUrl}``: a Stripe Billing Portal session URL.

The customer comes from the caller's Stripe subscription (``payment.resourceId``), else from
``customers.search`` by ``metadata['uid']`` (a one-time buyer). No customer → 400.
A test-processor subscription gets ``{brand.url}/account?portal=test`` (refused in production).
Portal sessions are short-lived and meant to be fresh, so they carry no fixed idempotency key
(the SDK still adds one per request for its own network retries).
"""

from __future__ import annotations

from typing import Any

from functions.errors import BadRequest
from functions.payments.checkout import TEST_PROCESSOR
from functions.user.models import UserDoc


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
        session = client.v1.billing_portal.sessions.create({"customer": customer_id, "return_url": return_url})
    return {"url": session.url, "processor": "stripe"}
