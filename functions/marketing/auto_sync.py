"""Where BEM keeps marketing contacts in step by itself: sign-up, subscription changes, account deletion.

Each step is at-least-once safe (a repeated trigger makes the same upsert or removal, which the
providers treat as a no-op) and never raises: a provider outage is logged and sign-up, the payment
pipeline and the deletion carry on.
- ``after_signup``: only when the sign-up granted marketing consent and the address passes every
  check, the paid mailbox check included when a key is set (BEM ``routes/user/signup`` ``ALL_CHECKS``).
- ``after_subscription_change``: every committed subscription event that changed the user's
  subscription (BEM's payments on-write), from the document the pipeline's transaction read plus the
  subscription it wrote: no extra read; a stale (older) event commits nothing and syncs nothing.
- ``after_account_deleted``: removal from every provider (BEM's auth on-delete), never gated.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("bem.marketing")


def after_signup(manager: Any, uid: str, record: dict) -> dict | None:
    try:
        consent = ((record.get("consent") or {}).get("marketing") or {}).get("status")
        if consent != "granted":
            log.info("signup %s: no marketing sync (consent.marketing.status is %r)", uid, consent)
            return None
        email = (record.get("auth") or {}).get("email")
        check = manager.marketing.check_address(email, check_mailbox=True) if isinstance(email, str) else None
        if check is None or not check.valid:
            log.info("signup %s: no marketing sync (address failed the %s check)", uid, check.reason if check else "format")
            return None
        result = manager.marketing.sync({**record, "auth": {**(record.get("auth") or {}), "uid": uid}})
        log.info("signup %s: marketing sync %s", uid, "done" if result.get("success") else f"failed {result}")
        return result
    except Exception:
        log.exception("signup %s: marketing sync failed", uid)
        return None


def after_subscription_change(manager: Any, user: dict | str | None) -> dict | None:
    """``user``: the user document as the pipeline committed it (its subscription included), or a uid."""
    if not user:
        return None
    uid = user if isinstance(user, str) else ((user.get("auth") or {}).get("uid") if isinstance(user.get("auth"), dict) else None)
    try:
        result = manager.marketing.sync(user)
        if not result.get("success") and result.get("blocked") not in ("consent", "validation", "email"):
            log.warning("payments: marketing sync of %s failed: %s", uid, result)
        return result
    except Exception:
        log.exception("payments: marketing sync of %s failed", uid)
        return None


def after_account_deleted(manager: Any, email: str | None, uid: str | None = None) -> dict | None:
    if not email:
        log.info("account %s deleted without an e-mail: no marketing contact to remove", uid)
        return None
    try:
        result = manager.marketing.remove(email)
        if not result.get("success"):
            log.warning("account %s deleted: marketing removal failed: %s", uid, result)
        return result
    except Exception:
        log.exception("account %s deleted: marketing removal failed", uid)
        return None
