"""Helpers any processor may use: BEM's ``?key=`` check, the "not configured" 503, header lookup."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from functions.config.secrets import secret, secret_matches
from functions.errors import ServiceUnavailable, Unauthorized


def not_configured(what: str, secret_name: str) -> ServiceUnavailable:
    """503 naming the secret to set (the sender retries once it is configured)."""
    return ServiceUnavailable(f"{what} are not configured: set {secret_name}")


def check_webhook_key(query: Mapping[str, Any], what: str = "Webhooks with ?key=") -> None:
    """``?key=`` against ``BACKEND_MANAGER_WEBHOOK_KEY``: 503 when unset, 401 when wrong (BEM)."""
    if not secret("BACKEND_MANAGER_WEBHOOK_KEY"):
        raise not_configured(what, "BACKEND_MANAGER_WEBHOOK_KEY")
    if not secret_matches("BACKEND_MANAGER_WEBHOOK_KEY", str(query.get("key") or "")):
        raise Unauthorized("Invalid or missing webhook key")


def refuse_wrong_key(query: Mapping[str, Any]) -> None:
    """A ``?key=`` that is given and does not match ``BACKEND_MANAGER_WEBHOOK_KEY`` is 401 for every
    processor, before any signature check (BEM checks the key first). A signed processor's
    deliveries without a key, or in a project without the key set, go on to the signature check."""
    if query.get("key") is None or not secret("BACKEND_MANAGER_WEBHOOK_KEY"):
        return
    if not secret_matches("BACKEND_MANAGER_WEBHOOK_KEY", str(query.get("key"))):
        raise Unauthorized("Invalid or missing webhook key")


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value
