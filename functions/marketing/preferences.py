"""``POST marketing/email-preferences``: marketing consent from the account page or from the signed
unsubscribe link in every e-mail (BEM ``routes/marketing/email-preferences/post.js``).

Signed in (a user with a uid): ``{action: "subscribe" | "unsubscribe"}`` writes
``consent.marketing`` (source ``account``, the request's IP) and then syncs the contact to the
providers (subscribe) or removes it from all of them (unsubscribe). Answers ``{success, action}``.

Anonymous: ``{email, asmId, sig, action}`` from the link ``functions/email/unsubscribe.py`` puts in
``List-Unsubscribe`` (the page decodes its base64 values and posts them here). ``sig`` must be the
HMAC of the address (``UNSUBSCRIBE_HMAC_KEY``, constant-time; 403 otherwise). Then: the consent of the
user with that address, if any (source ``sendgrid``), the SendGrid suppression of ASM group
``asmId`` (added on unsubscribe, deleted on subscribe; a refusal is a 500 as in BEM; an empty
``asmId``, the link of a brand without ``email.groups``, changes no group), and the
providers (unsubscribe: removed everywhere; subscribe: the user synced, or the bare address added).
Answers ``{success: true}``.

Both: at most 5 changes a month per user or per IP (``usage.email-preferences``), then 429.
Provider calls after the consent write are best effort (logged): the stored consent is the truth
and gates every later sync.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from functions.errors import BadRequest, Forbidden, InternalError, ServiceUnavailable, TooManyRequests
from functions.marketing import consent_record
from functions.marketing.consent_record import ConsentChange
from functions.timestamps import Stamp

ACTIONS = ("subscribe", "unsubscribe")
RATE_LIMIT = 5
METRIC = "email-preferences"
EMAIL_FORMAT = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
TAG = "marketing/email-preferences"
log = logging.getLogger("bem.marketing.preferences")


def update(manager: Any, assistant: Any, settings: Any) -> dict:
    user = assistant.user
    if user.authenticated and user.uid:
        return update_signed_in(manager, assistant, settings)
    return update_from_link(manager, assistant, settings)


def rate_limit(usage: Any) -> None:
    """BEM's 5 changes per month per caller (``usage.email-preferences.monthly``)."""
    if usage is None:
        return
    if usage.get(METRIC)["monthly"] >= RATE_LIMIT:
        raise TooManyRequests("Rate limit exceeded")
    usage.increment(METRIC)
    usage.update()


def update_signed_in(manager: Any, assistant: Any, settings: Any) -> dict:
    action = settings.action
    if action not in ACTIONS:
        raise BadRequest('Invalid action — must be "subscribe" or "unsubscribe"')
    rate_limit(assistant.usage)
    uid, email = assistant.user.uid, assistant.user.doc.auth.email
    status = "granted" if action == "subscribe" else "revoked"
    change = ConsentChange(status=status, when=Stamp.now(), source="account", ip=assistant.ip)
    consent_record.record(manager, uid, change, tag=TAG)
    log.info("email-preferences (account): %s → %s", uid, action)
    _best_effort(f"{action} of {uid}", lambda: manager.marketing.sync(uid) if action == "subscribe"
                 else manager.marketing.remove(email) if email else {})
    return {"success": True, "action": action}


def update_from_link(manager: Any, assistant: Any, settings: Any) -> dict:
    from functions.email import unsubscribe

    email = (settings.email or "").strip().lower()
    if not email:
        raise BadRequest("Email is required")
    if not EMAIL_FORMAT.match(email):
        raise BadRequest("Invalid email format")
    group = asm_group(settings.asmId)
    action = settings.action or "unsubscribe"
    if action not in ACTIONS:
        raise BadRequest("Invalid action")
    if not unsubscribe.sign(email):
        raise ServiceUnavailable(f"Unsubscribe links are not configured: set {unsubscribe.KEY_NAME}")
    if not unsubscribe.verify(email, settings.sig):
        raise Forbidden("Invalid signature")
    rate_limit(assistant.usage)
    status = "revoked" if action == "unsubscribe" else "granted"
    recorded = consent_record.record_for_email(manager, email, ConsentChange(status=status, when=Stamp.now(), source="sendgrid"),
                                               tag=TAG)
    suppression(manager, group, email, suppress=action == "unsubscribe")
    uid = recorded.uid if recorded else None
    if action == "unsubscribe":
        _best_effort(f"removal of {email}", lambda: manager.marketing.remove(email))
    elif uid:
        _best_effort(f"sync of {uid}", lambda: manager.marketing.sync(uid))
    else:
        _best_effort(f"re-adding {email}", lambda: manager.marketing.add(email, source="resubscribe"))
    log.info("email-preferences (link): %s group %s → %s", email, group, action)
    return {"success": True}


def asm_group(value: Any) -> int | None:
    """BEM's ``parseInt(asmId)``: a positive group id, else 400. An empty ``asmId`` is the link of a brand
    without SendGrid groups (``email.groups``): None, no suppression to change."""
    if value == "":
        return None
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    match = re.match(r"^\d+", text)
    group = int(match.group()) if match else 0
    if group <= 0:
        raise BadRequest("ASM group ID is required")
    return group


def suppression(manager: Any, group: int | None, email: str, *, suppress: bool) -> None:
    """Add the address to (or delete it from) SendGrid's suppressions of ASM group ``group``."""
    from functions.marketing.providers import CAMPAIGNS, ProviderError, choose

    if group is None:
        return
    client = getattr(choose(manager, CAMPAIGNS), "client", None)
    if client is None or not hasattr(client, "suppress"):
        log.warning("email-preferences: SendGrid is not configured (SENDGRID_API_KEY); ASM group %s suppression of %s "
                    "not changed, consent recorded only", group, email)
        return
    try:
        if suppress:
            client.suppress(group, [email])
        else:
            client.unsuppress(group, email)
    except ProviderError as error:
        log.error("email-preferences: SendGrid ASM %s failed: %s", "suppress" if suppress else "unsuppress", error)
        raise InternalError("Failed to process your request") from None


def _best_effort(what: str, call: Any) -> None:
    try:
        result = call()
    except Exception:
        log.exception("email-preferences: provider %s failed", what)
        return
    log.info("email-preferences: provider %s: %s", what, result)
