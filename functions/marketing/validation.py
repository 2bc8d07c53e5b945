"""Address checks before a marketing add or sync (BEM ``libraries/email/validation.js``).

``validate_address(email)`` runs BEM's free checks in BEM's order and stops at the first failure:
``format`` → ``disposable`` (the maintained ``disposable-email-domains`` list, plus
``extra_disposable``, e.g. ``config.auth.disposable_domains``) → ``corporate`` (social-media and
corporate domains nobody wants on a marketing list) → ``localPart`` (``test``, ``noreply``,
``asdf``, ``aaaa``, ``_test.*`` but ``_test.allow_*`` …, after dropping a ``+tag``) → ``typo``
(``gamil.com``, ``hotmail.con`` …, with a ``suggestion``: the address at the real provider).
``check_mailbox=True`` adds the paid mailbox check, only when ``NEVERBOUNCE_API_KEY`` (preferred)
or ``ZEROBOUNCE_API_KEY`` is set; a mailbox service error never rejects an address (BEM).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

log = logging.getLogger("bem.marketing")

EMAIL_FORMAT = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")

CORPORATE_DOMAINS = frozenset({
    "meta.com", "fb.com", "facebook.com", "instagram.com", "whatsapp.com", "threads.net", "twitter.com", "x.com",
    "tiktok.com", "bytedance.com", "snap.com", "snapchat.com", "pinterest.com", "reddit.com", "linkedin.com",
    "soundcloud.com", "youtube.com", "twitch.tv", "discord.com", "telegram.org", "signal.org",
})

BLOCKED_LOCAL_PARTS = frozenset({
    # generic
    "test", "testing", "tester", "test1", "test123", "example", "sample", "demo", "dummy", "fake", "temp",
    # system
    "noreply", "no-reply", "donotreply", "do-not-reply", "mailer-daemon", "postmaster", "webmaster", "hostmaster",
    "abuse", "spam", "root",
    # junk
    "asdf", "qwerty", "zxcv", "asd", "qwe", "aaa", "bbb", "xxx", "zzz", "abc", "abc123", "abcdef",
    # placeholder
    "name", "firstname", "lastname", "foo", "bar", "baz", "foobar", "null", "undefined", "none", "anonymous",
})

BLOCKED_LOCAL_PATTERNS = (
    re.compile(r"^(.)\1{2,}$"),  # one character repeated: aaaa, xxxx
    re.compile(r"^test"),
    re.compile(r"^example"),
    re.compile(r"^_test\.(?!allow_)"),  # BEM's test accounts; _test.allow_* round-trips on purpose
)

# misspelled-domain prefix → the provider's real domain (BEM typo-domains.js; None: a look-alike, no suggestion)
TYPO_PREFIXES: dict[str, str | None] = {
    **dict.fromkeys(("gamil.", "gmai.", "gmial.", "gmal.", "gmali.", "gmil.", "gnail.", "gmeil.", "gmaill.", "gmail.con",
                     "gmail.com.", "gmail.co.", "gmail.cm", "gmail.om", "gmail.cok", "gmaul.", "gmqil.", "gmail.cim"),
                    "gmail.com"),
    **dict.fromkeys(("yaho.", "yahooo.", "yahho.", "yhaoo.", "yahoo.con", "yahoo.cok", "yahoo.cim"), "yahoo.com"),
    **dict.fromkeys(("hotmal.", "hotmial.", "hotmil.", "hotamil.", "hotmail.con", "hotmail.cok", "hotnail.", "hotmail.cim"),
                    "hotmail.com"),
    **dict.fromkeys(("outloo.", "outlok.", "outllook.", "outlook.con", "outlook.cok", "outlool.", "outlook.cim"), "outlook.com"),
    **dict.fromkeys(("icloud.con", "icloud.cok", "iclould.", "icoud.", "iclod."), "icloud.com"),
    **dict.fromkeys(("aol.con", "aol.cok"), "aol.com"),
    **dict.fromkeys(("protonmal.", "protonmial.", "protonmail.con"), "protonmail.com"),
    **dict.fromkeys(("gmail10p.", "oegmail.", "gmailx."), None),
}

TYPO_RE = re.compile("|".join(re.escape(prefix) for prefix in sorted(TYPO_PREFIXES, key=len, reverse=True)))
MAILBOX_OK = frozenset({"valid", "catchall", "catch-all", "unknown"})
NEVERBOUNCE_RESULTS = {0: "valid", 1: "invalid", 2: "disposable", 3: "catchall", 4: "unknown"}


@dataclass(frozen=True)
class AddressCheck:
    valid: bool
    reason: str | None = None
    """The failed check: ``format`` | ``disposable`` | ``corporate`` | ``localPart`` | ``typo`` | ``mailbox``."""
    suggestion: str | None = None
    """For a ``typo``: the address at the provider it most likely meant."""
    detail: str | None = None

    def dump(self) -> dict:
        """BEM's ``{valid, checks}`` answer shape (``checks`` holds the failed check only)."""
        checks = {} if self.valid else {self.reason or "format": {"valid": False, "reason": self.detail,
                                                                  **({"suggestion": self.suggestion} if self.suggestion else {})}}
        return {"valid": self.valid, "checks": checks}


def validate_address(email: str, *, check_mailbox: bool = False, extra_disposable: Iterable[str] = ()) -> AddressCheck:
    if not isinstance(email, str) or not EMAIL_FORMAT.match(email.strip()):
        return AddressCheck(False, "format", detail="Invalid email format")
    local, _, domain = email.strip().lower().rpartition("@")
    from functions.auth.disposable import is_disposable

    if is_disposable(email, extra_disposable):
        return AddressCheck(False, "disposable", detail=f"Disposable domain {domain}")
    if domain in CORPORATE_DOMAINS:
        return AddressCheck(False, "corporate", detail="Corporate/social-media domain")
    bare = local.split("+", 1)[0]
    if bare in BLOCKED_LOCAL_PARTS:
        return AddressCheck(False, "localPart", detail="Blocked local part")
    if any(pattern.search(bare) for pattern in BLOCKED_LOCAL_PATTERNS):
        return AddressCheck(False, "localPart", detail="Matches junk pattern")
    typo = TYPO_RE.match(domain)
    if typo:
        meant = TYPO_PREFIXES[typo.group(0)]
        return AddressCheck(False, "typo", suggestion=f"{local}@{meant}" if meant else None, detail="Likely misspelled domain")
    if check_mailbox:
        return _mailbox(email.strip())
    return AddressCheck(True)


def mailbox_service() -> str | None:
    from functions.config.secrets import secret

    if secret("NEVERBOUNCE_API_KEY"):
        return "neverbounce"
    if secret("ZEROBOUNCE_API_KEY"):
        return "zerobounce"
    return None


def _mailbox(email: str) -> AddressCheck:
    """The paid mailbox check; skipped (valid) without a key, and on any service error (BEM)."""
    import os

    import requests

    from functions.config.secrets import secret

    service = mailbox_service()
    if service is None:
        return AddressCheck(True)
    timeout = float(os.environ.get("MAILBOX_CHECK_TIMEOUT") or 20)
    try:
        if service == "neverbounce":
            base = os.environ.get("NEVERBOUNCE_API_BASE") or "https://api.neverbounce.com/v4.2"
            data = requests.get(f"{base}/single/check", params={"key": secret("NEVERBOUNCE_API_KEY"), "email": email},
                                timeout=timeout).json()
            if data.get("status") != "success" or data.get("result") is None:
                raise ValueError(data.get("message") or f"unexpected answer {data.get('status')}")
            result = data["result"]
            status = NEVERBOUNCE_RESULTS.get(result, "unknown") if isinstance(result, int) else str(result).lower().replace("-", "")
        else:
            base = os.environ.get("ZEROBOUNCE_API_BASE") or "https://api.zerobounce.net/v2"
            data = requests.get(f"{base}/validate", params={"api_key": secret("ZEROBOUNCE_API_KEY"), "email": email},
                                timeout=timeout).json()
            if data.get("error") or not data.get("status"):
                raise ValueError(data.get("error") or "unexpected answer")
            status = str(data["status"]).lower()
    except Exception as error:  # never drop an address because the checking service failed
        log.warning("mailbox check (%s) failed, address accepted: %s", service, type(error).__name__)
        return AddressCheck(True)
    if status in MAILBOX_OK:
        return AddressCheck(True)
    return AddressCheck(False, "mailbox", detail=f"{service}: {status}")
