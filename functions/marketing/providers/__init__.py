"""Marketing providers: SendGrid Marketing (BEM's ``campaigns``) and Beehiiv (BEM's ``newsletter``).

Each provider object has ``name`` and the three operations the facade uses:
``upsert(contacts) -> dict`` (one provider call for the batch it is given), ``remove(email) -> dict``
and ``send_campaign(campaign) -> dict``; answers are BEM's ``{success, id?|jobId?, error?}``.

``choose(manager, name)``: the provider named ``campaigns`` (alias ``sendgrid``) or ``newsletter``
(alias ``beehiiv``) when it is enabled in the config (``marketing.campaigns.enabled`` defaults to
true, ``marketing.newsletter.enabled`` to false, as BEM's template):
- its key is set (``SENDGRID_API_KEY``, ``BEEHIIV_API_KEY``) → the real API (``SENDGRID_API_HOST``,
  ``BEEHIIV_API_BASE`` override the host, e.g. for the fakes);
- no key, not production → ``Local``: every call is recorded in ``marketing-local/{id}`` and logged;
- no key in production → ``NotConfigured``: every call answers ``{success: false, error: 'not-configured'}``
  and logs an error. Nothing is ever a silent success.
``manager.services["marketing_providers"]`` (a dict name → provider) replaces the choice (tests).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("bem.marketing")

CAMPAIGNS = "campaigns"  # SendGrid Marketing (BEM's key for it everywhere: config, answers)
NEWSLETTER = "newsletter"  # Beehiiv
NAMES = (CAMPAIGNS, NEWSLETTER)
ALIASES = {"sendgrid": CAMPAIGNS, "beehiiv": NEWSLETTER, CAMPAIGNS: CAMPAIGNS, NEWSLETTER: NEWSLETTER}
KEYS = {CAMPAIGNS: "SENDGRID_API_KEY", NEWSLETTER: "BEEHIIV_API_KEY"}
DEFAULT_ENABLED = {CAMPAIGNS: True, NEWSLETTER: False}
DEFAULT_TIMEOUT = 30.0
NOT_CONFIGURED = "not-configured"

_lock = threading.Lock()
_clients: dict[tuple, Any] = {}


@dataclass
class Contact:
    """One contact as the facade hands it to a provider."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    source: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    """BEM field name → value (``fields.resolve_field_values``); empty for a plain ``add``."""


class ProviderError(Exception):
    """A provider call that did not succeed: ``status`` (None: timeout / unreachable), a readable message."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def retry(self) -> bool:
        return self.status is None or self.status >= 500 or self.status == 429

    def answer(self) -> dict:
        return {"success": False, "error": str(self), **({"status": self.status} if self.status else {}),
                **({"retry": True} if self.retry else {})}


def canonical(name: str) -> str | None:
    return ALIASES.get(str(name).strip().lower()) if name else None


def section(manager: Any, name: str) -> dict:
    """``marketing.campaigns`` / ``marketing.newsletter`` as a dict (BEM's keys, untyped)."""
    marketing = manager.config.marketing
    value = getattr(marketing, name, None)
    return value if isinstance(value, dict) else {}


def enabled(manager: Any, name: str) -> bool:
    flag = section(manager, name).get("enabled")
    return DEFAULT_ENABLED[name] if flag is None else flag is not False


def timeout_for(name: str) -> float:
    variable = "SENDGRID_API_TIMEOUT" if name == CAMPAIGNS else "BEEHIIV_API_TIMEOUT"
    try:
        return float(os.environ.get(variable) or DEFAULT_TIMEOUT)
    except ValueError:
        return DEFAULT_TIMEOUT


def choose(manager: Any, name: str) -> Any:
    declared = manager.services.get("marketing_providers")
    if isinstance(declared, dict) and name in declared:
        return declared[name]
    from functions.config.secrets import secret

    key = secret(KEYS[name])
    if key:
        return _client(manager, name, key)
    if manager.environment != "production":
        from functions.marketing.providers.local import Local

        return Local(manager.db, name)
    return NotConfigured(name)


def _client(manager: Any, name: str, key: str) -> Any:
    timeout = timeout_for(name)
    if name == CAMPAIGNS:
        from functions.marketing.providers.sendgrid import SendGridMarketing

        host = os.environ.get("SENDGRID_API_HOST") or "https://api.sendgrid.com"
        list_id = section(manager, CAMPAIGNS).get("listId") or None
        cache_key: tuple = (name, key, host, timeout)
        with _lock:
            client = _clients.get(cache_key)
            if client is None:
                client = _clients[cache_key] = SendGridMarketing(key, host, timeout=timeout)
        return client.bound(list_id=list_id, config=manager.config)
    from functions.marketing.providers.beehiiv import Beehiiv

    base = os.environ.get("BEEHIIV_API_BASE") or "https://api.beehiiv.com/v2"
    publication = section(manager, NEWSLETTER).get("publicationId") or None
    cache_key = (name, key, base, timeout)
    with _lock:
        client = _clients.get(cache_key)
        if client is None:
            client = _clients[cache_key] = Beehiiv(key, base, timeout=timeout)
    return client.bound(publication_id=publication, testing=manager.environment == "testing")


def forget_clients() -> None:
    """Drop cached clients and their id caches (tests pointing at a fresh fake account)."""
    with _lock:
        _clients.clear()


class NotConfigured:
    """Production without the provider's key: every call fails visibly (logged, answered not-configured)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _fail(self, what: str) -> dict:
        log.error("marketing %s not done: %s is not set (%s)", what, KEYS[self.name], NOT_CONFIGURED)
        return {"success": False, "error": NOT_CONFIGURED}

    def upsert(self, contacts: list[Contact]) -> dict:
        return self._fail(f"{self.name} upsert of {len(contacts)} contact(s)")

    def remove(self, email: str) -> dict:
        return self._fail(f"{self.name} removal")

    def send_campaign(self, campaign: Any) -> dict:
        return self._fail(f"{self.name} campaign")


@dataclass
class Campaign:
    """One campaign as the facade hands it to a provider (rendered, segments still BEM keys)."""

    name: str
    subject: str
    html: str
    """The whole e-mail (SendGrid Single Send)."""
    content_html: str
    """The body alone (Beehiiv post)."""
    preheader: str | None = None
    from_email: str | None = None
    from_name: str | None = None
    group: int | None = None
    unsubscribe_url: str | None = None
    categories: list[str] = field(default_factory=list)
    send_at: str | None = None
    """``now``, an ISO time, or None for a draft."""
    segments: list[str] = field(default_factory=list)
    exclude_segments: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    all: bool = False
    test: bool = False
    brand_id: str | None = None
    tags: list[str] = field(default_factory=list)
