"""``POST payments/portal {returnUrl}``: ``{url, processor}`` of the billing portal.

The processor is the one of the caller's subscription, else the default one (a one-time buyer);
``Processor.portal`` finds the customer (none → 400) and opens the session (Stripe: BEM's portal
configuration with cancel and plan changes disabled). A processor refused in production (test) → 400;
one this deployment has not configured → 400 naming it.
``returnUrl`` defaults to ``{brand.url}/account``.
"""

from __future__ import annotations

from typing import Any

from functions.errors import BadRequest
from functions.payments.actions import require_configured
from functions.payments.processors import DEFAULT_PROCESSOR, find_processor
from functions.user.models import UserDoc


def portal_session(manager: Any, uid: str, doc: UserDoc, return_url: str | None) -> dict:
    return_url = return_url or f"{manager.config.brand.url.rstrip('/')}/account"
    payment = doc.subscription.payment
    processor = find_processor(payment.processor if payment.resource_id else DEFAULT_PROCESSOR)
    if processor is None:
        raise BadRequest(f"No billing portal for '{payment.processor}' subscriptions here yet")
    if not processor.production and manager.environment == "production":
        raise BadRequest(f"{processor.name.capitalize()} subscriptions are refused in production")
    require_configured(processor)
    return processor.portal(manager, uid, doc, return_url)
