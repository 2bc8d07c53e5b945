"""Secrets come from the environment; locally also from `.env` (never committed).

Precedence: variables already in the environment win over `.env`. In production
`.env` is not read at all: deploy binds the values as environment variables.
Read them through ``secret(name)`` at the moment of use; never log them.
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path

NAMES = (
    "BACKEND_MANAGER_KEY",
    "BACKEND_MANAGER_WEBHOOK_KEY",
    "BACKEND_MANAGER_NAMESPACE",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "PAYPAL_CLIENT_SECRET",
    "SENDGRID_API_KEY",
    "UNSUBSCRIBE_HMAC_KEY",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "BACKEND_MANAGER_OPENAI_API_KEY",
    "BACKEND_MANAGER_ANTHROPIC_API_KEY",
)


def secret(name: str) -> str | None:
    """The live value of a secret, read from the environment when it is needed."""
    value = os.environ.get(name)
    return value or None


def secret_matches(name: str, given: str | None) -> bool:
    """Whether ``given`` equals the secret ``name``, compared in constant time (False if either is empty)."""
    expected = secret(name)
    return bool(expected and given) and hmac.compare_digest(str(given).encode(), expected.encode())


def missing_secrets() -> list[str]:
    return [name for name in NAMES if not os.environ.get(name)]


def load_dotenv_for(root: Path, environment: str) -> None:
    if environment == "production":
        return
    from dotenv import load_dotenv

    load_dotenv(root / ".env", override=False)
