"""Disposable e-mail domains: the maintained ``disposable-email-domains`` blocklist plus
``config.auth.disposable_domains``. A subdomain of a listed domain counts as listed."""

from __future__ import annotations

from collections.abc import Iterable

DISPOSABLE_MESSAGE = "This email domain is not allowed. Please use a different email address."


def email_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].strip().strip(".").lower() or None


def is_disposable(email: str | None, custom: Iterable[str] = ()) -> bool:
    domain = email_domain(email)
    if domain is None:
        return False
    from disposable_email_domains import blocklist  # a 10k-entry set, loaded on first use

    extra = {d.strip().lower().lstrip("@").strip(".") for d in custom if d and d.strip()}
    labels = domain.split(".")
    for start in range(len(labels) - 1):  # the domain itself, then each parent down to "x.tld"
        candidate = ".".join(labels[start:])
        if candidate in blocklist or candidate in extra:
            return True
    return False
