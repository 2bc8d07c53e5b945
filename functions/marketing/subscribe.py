"""``POST marketing/contact`` (and ``general:add-marketing-contact``): add an address to the marketing
providers (BEM ``routes/marketing/contact/post.js``).

Public callers (anyone but an admin) always get ``{success: true}``, whatever happens to the
address (invalid, already a contact, consent revoked, provider down): the answer never tells
whether an address is known. Before anything else they pass reCAPTCHA (when
``RECAPTCHA_SECRET_KEY`` is set and not testing: 403) and the usage meter's
``marketing-subscribe`` limit (per user, or per IP; no limit configured on the plan = closed, as
BEM; 429). Both come before the address is looked at, so a refusal does not depend on it either.

Admins get BEM's detailed answer ``{success, providers, validation, nameInferred}`` and a 400 naming
the failed check (``skipValidation``: the format only; otherwise every check, the paid mailbox
check included outside tests).

With no first or last name given, the name and company are inferred from the address by AI
(``functions/ai/infer_contact.py``; ``method: "none"`` when no AI is configured).
"""

from __future__ import annotations

import logging
from typing import Any

from functions.errors import BadRequest, BemError, TooManyRequests

METRIC = "marketing-subscribe"
log = logging.getLogger("bem.marketing.contact")


def admin_error(check: Any, email: str) -> BadRequest:
    """BEM's admin 400 for a failed address check."""
    domain = email.rpartition("@")[2]
    local = email.rpartition("@")[0].split("+", 1)[0]
    messages = {
        "format": "Invalid email format",
        "localPart": f"Blocked email local part: {local}",
        "disposable": f"Disposable email domain not allowed: {domain}",
        "corporate": f"Corporate/social-media domain not allowed: {domain}",
    }
    message = messages.get(check.reason) or f"Email validation failed ({check.reason})"
    if check.reason == "typo" and check.suggestion:
        message += f": did you mean {check.suggestion}?"
    return BadRequest(message)


def check_address(manager: Any, email: str, *, format_only: bool, check_mailbox: bool) -> Any:
    from functions.marketing.validation import EMAIL_FORMAT, AddressCheck, validate_address

    if format_only:
        return AddressCheck(True) if EMAIL_FORMAT.match(email) else AddressCheck(False, "format", detail="Invalid email format")
    return validate_address(email, check_mailbox=check_mailbox, extra_disposable=manager.config.auth.disposable_domains)


def protect_public(manager: Any, assistant: Any, settings: Any) -> None:
    """reCAPTCHA, then the ``marketing-subscribe`` limit (BEM's answers: 403, 429)."""
    from functions.payments.recaptcha import verify_recaptcha

    verify_recaptcha(manager.environment, {"g-recaptcha-response": settings.recaptcha}, assistant.ip)
    usage = assistant.usage
    try:
        usage.validate(METRIC)
        usage.increment(METRIC)
        usage.update()
    except BemError as error:
        log.info("marketing/contact: public subscribe refused by the usage meter: %s", error.message)
        raise TooManyRequests("Rate limit exceeded") from None


def add_contact(manager: Any, assistant: Any, settings: Any) -> dict:
    from functions import environment

    is_admin = assistant.user.is_admin
    email = settings.email.strip().lower()
    if not is_admin:
        protect_public(manager, assistant, settings)
    calls_out = manager.environment != "testing" or environment.is_extended_testing()
    skip = bool(settings.skipValidation) and is_admin
    check = check_address(manager, email, format_only=skip, check_mailbox=is_admin and calls_out)
    if not check.valid:
        if not is_admin:
            log.info("marketing/contact: public address refused (%s), answered success", check.reason)
            return {"success": True}
        raise admin_error(check, email)
    first, last, company = settings.firstName, settings.lastName, ""
    inferred = None
    if not first and not last:
        from functions.ai.infer_contact import infer_contact

        inferred = infer_contact(manager, email)
        first, last, company = inferred.get("firstName") or "", inferred.get("lastName") or "", inferred.get("company") or ""
    try:
        providers = manager.marketing.add(email, first_name=first or None, last_name=last or None, company=company or None,
                                          source=settings.source, skip_validation=True)
    except Exception:
        if is_admin:
            raise
        log.exception("marketing/contact: adding a public contact failed")
        return {"success": True}
    log.info("marketing/contact: %s added (%s): %s", "admin" if is_admin else "public", settings.source, providers)
    if not is_admin:
        return {"success": True}
    return {"success": True, "providers": providers.get("providers", providers), "validation": check.dump(),
            "nameInferred": inferred}
