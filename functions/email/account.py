"""Account e-mails BEM sends: the sign-up series and the deletion confirmation.

``send_welcome_emails`` (end of ``POST /user/signup``): welcome now, a discount nudge after 24 h
(when the config has an active discount), a check-up after 5 days and a feedback request after
10 days — the later ones scheduled by SendGrid (inside its window) or queued. Each carries the
key ``signup:{uid}:{kind}``, so a retried sign-up never sends the series twice.
``send_deletion_confirmation`` (end of ``DELETE /user``): key ``account-deleted:{uid}``.
Both are skipped in testing unless ``TEST_EXTENDED_MODE`` (BEM), and never raise: a failed
e-mail is logged, the request it follows has succeeded.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from functions import environment as env

log = logging.getLogger("bem.email.account")
DAY = 86400


def enabled(manager: Any) -> bool:
    return manager.environment != "testing" or env.is_extended_testing()


def _series(manager: Any, first_name: str | None) -> list[tuple[str, dict]]:
    brand = manager.config.brand
    hello = f"Hey {first_name}, welcome" if first_name else "Welcome"
    greeting = f"Hey {first_name}" if first_name else "Hi there"
    now = int(time.time())
    series = [("welcome", {
        "categories": ["account/welcome"], "subject": f"Welcome to {brand.name}!",
        "data": {"email": {"preview": f"Welcome aboard {brand.name}! Here's how to get off to a great start."},
                 "content": {"title": f"Welcome to {brand.name}!", "message": (
                     f"{hello} aboard!\n\nWe're thrilled to have you with **{brand.name}**. Your journey begins today, and we "
                     "are here to support you every step of the way.\n\nQuestions? Just reply to this e-mail.")}},
    })]
    discount = next((d for d in manager.config.payment.discounts if not d.archived), None)
    if discount is not None:
        series.append(("discount-nudge", {
            "categories": ["marketing/discount-nudge"], "subject": f"{discount.percent:g}% off {brand.name}, just for you",
            "sendAt": now + DAY, "sender": "marketing",
            "data": {"content": {"title": f"Take {discount.percent:g}% off", "message": (
                f"{greeting},\n\nThanks for trying **{brand.name}**. Upgrade today with the code **{discount.code}** "
                f"and get {discount.percent:g}% off."), "button": {"url": f"{brand.url}/pricing", "text": "See plans"}}},
        }))
    series.append(("checkup", {
        "categories": ["account/checkup"], "subject": f"How is your experience with {brand.name}?", "sendAt": now + 5 * DAY,
        "data": {"email": {"preview": f"Checking in from {brand.name} to see how things are going."},
                 "content": {"title": "How's everything going?", "message": (
                     f"{greeting},\n\nJust checking in to see how things are going with **{brand.name}**.\n\nHave you had a "
                     "chance to explore all the features? Any questions or feedback? Just reply to this e-mail.")}},
    }))
    series.append(("feedback", {
        "categories": ["engagement/feedback"], "subject": f"Want to share your feedback about {brand.name}?",
        "template": "feedback", "sendAt": now + 10 * DAY,
    }))
    return series


def send_welcome_emails(manager: Any, uid: str) -> list[Any]:
    """The sign-up series for ``uid`` (an e-mail that fails is logged and the others still go)."""
    if not enabled(manager):
        log.debug("signup e-mails skipped in testing (set TEST_EXTENDED_MODE=true)")
        return []
    snapshot = manager.db.collection("users").document(uid).get()
    user = snapshot.to_dict() if snapshot.exists else None
    if not user or not (user.get("auth") or {}).get("email"):
        log.warning("signup e-mails for %s skipped: no user document with an e-mail", uid)
        return []
    first = ((user.get("personal") or {}).get("name") or {}).get("first")
    results = []
    for kind, settings in _series(manager, first):
        try:
            results.append(manager.email.send({"to": user, "sender": "hello", "template": "card", "copy": False, **settings},
                                              idempotency_key=f"signup:{uid}:{kind}"))
        except Exception:
            log.exception("signup e-mail %s for %s failed", kind, uid)
    return results


def send_deletion_confirmation(manager: Any, uid: str, email: str | None, first_name: str | None = None) -> Any:
    if not enabled(manager) or not email:
        return None
    brand = manager.config.brand
    try:
        return manager.email.send(
            to={"email": email, "name": first_name} if first_name else email, sender="account", copy=False,
            categories=["account/delete"], subject=f"Your {brand.name} account has been deleted",
            data={"content": {"title": "Your account has been deleted", "message": (
                f"Your **{brand.name}** account and its data have been deleted, as you asked.\n\n"
                "If you did not ask for this, reply to this e-mail right away.")}},
            idempotency_key=f"account-deleted:{uid}")
    except Exception:
        log.exception("account deletion e-mail for %s failed", uid)
        return None
