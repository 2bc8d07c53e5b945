"""Before a user is created (blocking, must answer within 7 s).

1. A disposable e-mail domain is refused (``invalid-argument``, BEM's message).
2. Sign-ups per client IP are limited per day (``usage/{ip}``, metric ``signups``,
   ``config.auth.signups_per_ip_per_day``; 0 turns the limit off) → ``resource-exhausted``.
   In development and under the emulator a loopback caller is not counted (logged once): the
   Auth emulator reports every client as 127.0.0.1, so local sign-ups would otherwise share
   one allowance. Any other address is counted as in production.
3. The project hook ``hooks/auth/before_create.py`` runs and may refuse.

Only Firestore is called (no e-mail verification services), so the answer stays fast.
"""

from __future__ import annotations

import ipaddress
import os
from typing import TYPE_CHECKING, Any

from functions.auth import hooks
from functions.auth.disposable import DISPOSABLE_MESSAGE, is_disposable
from functions.auth.events import AuthUser, Blocked, SignInContext
from functions.environment import flag
from functions.errors import TooManyRequests
from functions.logs import get_logger

if TYPE_CHECKING:
    from functions.manager import Manager

TOO_MANY_SIGNUPS_MESSAGE = "Unable to create account at this time. Please try again later."
SIGNUPS_METRIC = "signups"

log = get_logger("auth/before_create")


def handle(manager: Manager, user: AuthUser, context: SignInContext, event: Any = None) -> None:
    """Return to allow the sign-up; raise ``Blocked`` to refuse it."""
    if is_disposable(user.email, manager.config.auth.disposable_domains):
        log.info("before_create: refused disposable domain for %s", user.uid)
        raise Blocked("invalid-argument", DISPOSABLE_MESSAGE)
    _limit_signups_per_ip(manager, user, context)
    hooks.run_blocking(manager, "before_create", user, event if event is not None else context, log)


def _limit_signups_per_ip(manager: Manager, user: AuthUser, context: SignInContext) -> None:
    limit = manager.config.auth.signups_per_ip_per_day
    if not limit:
        return
    if not context.ip:
        log.warning("before_create: no client IP for %s; the sign-up limit is skipped", user.uid)
        return
    if _local_loopback(manager, context.ip):
        if not getattr(manager, "loopback_signups_noted", False):
            manager.loopback_signups_noted = True  # once per Manager (per instance), a benign race at worst
            log.info("before_create: loopback sign-ups (%s) are not counted against the per-IP limit locally", context.ip)
        return
    from functions.usage import Usage

    try:
        Usage.for_ip(manager, context.ip).consume(SIGNUPS_METRIC, daily_limit=limit)
    except TooManyRequests:
        log.info("before_create: refused sign-up for %s, %s sign-ups today from this IP", user.uid, limit)
        raise Blocked("resource-exhausted", TOO_MANY_SIGNUPS_MESSAGE) from None


def _local_loopback(manager: Manager, ip: str) -> bool:
    """A loopback caller in development or under the emulator (never in production)."""
    if manager.environment == "production":
        return False
    if manager.environment != "development" and not flag(os.environ.get("FUNCTIONS_EMULATOR")):
        return False
    try:
        return ipaddress.ip_address(ip.strip()).is_loopback
    except ValueError:
        return False
