"""``POST marketing/webhook?provider=sendgrid|beehiiv&key=…[&brand=…]``: unsubscribe, spam and hard-bounce
events from the marketing providers (BEM ``routes/marketing/webhook/post.js``).

Checks, in BEM's order: ``provider`` missing → 400; ``key`` wrong or missing → 401
(``BACKEND_MANAGER_WEBHOOK_KEY``; 503 naming it when unset); ``brand`` naming another brand →
200 ``{received, ignored: true}``; unknown provider → 400; a body the provider's parser cannot
read → 400. Then each event is handled on its own (one failing does not stop the others) and the
answer is ``{received, processed, skipped, failed}`` (200, so the provider does not retry):
``skipped`` counts events that are not revocations, ``processed`` those handled without error
(an unknown address or another publication is a silent no-op, still ``processed``, as in BEM).

A revocation writes ``consent.marketing`` revoked (source: the provider, time: the event's) on
the user with that address and removes the contact from the *other* providers (the sending
provider has already suppressed it). Redelivery is harmless: a change the stored consent already
records writes nothing and removes nothing again (``consent_record.already_applied``).
"""

from __future__ import annotations

import logging
from typing import Any

from functions.errors import BadRequest
from functions.marketing import consent_record
from functions.marketing.consent_record import ConsentChange
from functions.marketing.webhooks import beehiiv, sendgrid
from functions.marketing.webhooks.events import WebhookEvent
from functions.timestamps import Stamp

PROVIDERS = {sendgrid.NAME: sendgrid, beehiiv.NAME: beehiiv}
log = logging.getLogger("bem.marketing.webhook")


def receive(manager: Any, assistant: Any) -> dict:
    from functions.payments.processors.shared import check_webhook_key

    query = assistant.query
    provider = query.get("provider")
    if not provider:
        raise BadRequest("Missing provider parameter")
    check_webhook_key(query, "Marketing webhooks")
    brand = query.get("brand")
    if brand and manager.config.brand.id and brand != manager.config.brand.id:
        log.info("marketing webhook: brand mismatch (received %r, this is %r), ignoring", str(brand)[:100], manager.config.brand.id)
        return {"received": True, "ignored": True}
    module = PROVIDERS.get(str(provider))
    if module is None:
        raise BadRequest(f"Unknown provider: {str(provider)[:100]}")
    try:
        events = module.parse(assistant.body)
    except ValueError as error:
        raise BadRequest(f"Failed to parse webhook: {error}") from None
    if not events:
        return {"received": True, "processed": 0}
    counts = {"processed": 0, "skipped": 0, "failed": 0}
    for event in events:
        counts[handle_event(manager, module, event)] += 1
    log.info("marketing webhook: %s %s", module.NAME, counts)
    return {"received": True, **counts}


def handle_event(manager: Any, module: Any, event: WebhookEvent) -> str:
    """``"skipped"`` (not a revocation), ``"processed"`` or ``"failed"`` (logged)."""
    if not module.is_revocation(event):
        return "skipped"
    try:
        revoke(manager, module.NAME, event)
    except Exception:
        log.exception("marketing webhook: %s event %s (%s) failed", module.NAME, event.event_id, event.event_type)
        return "failed"
    return "processed"


def revoke(manager: Any, provider: str, event: WebhookEvent) -> bool:
    """Record the revocation and remove the contact elsewhere; True when something changed."""
    if not event.email:
        log.info("marketing webhook: %s event %s has no email, skipping", provider, event.event_id)
        return False
    if event.publication_id and event.publication_id != publication_id(manager):
        log.info("marketing webhook: %s event %s is for another publication, skipping", provider, event.event_id)
        return False
    when = Stamp.at(event.timestamp) if event.timestamp is not None and event.timestamp > 0 else Stamp.now()
    change = ConsentChange(status="revoked", when=when, source=provider)
    recorded = consent_record.record_for_email(manager, event.email, change, tag=f"marketing/webhook:{provider}")
    if recorded is None or not recorded.changed:
        return False
    remove_elsewhere(manager, event.email, provider)
    return True


def publication_id(manager: Any) -> str | None:
    """This brand's Beehiiv publication (``marketing.newsletter.publicationId``)."""
    value = (manager.config.marketing.newsletter or {}).get("publicationId")
    return value if isinstance(value, str) and value else None


def remove_elsewhere(manager: Any, email: str, provider: str) -> dict:
    """Remove the contact from every enabled provider but ``provider`` (best effort: logged)."""
    from functions.marketing.providers import canonical

    marketing = manager.marketing
    others = [name for name in marketing.enabled_providers() if name != canonical(provider)]
    if not others:
        return {}
    try:
        return marketing.remove(email, providers=others)
    except Exception:
        log.exception("marketing webhook: removing the contact from %s failed", others)
        return {}
