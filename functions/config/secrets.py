"""The one registry of secrets: each name, who provides it and what needs it.

Secrets come from the environment; locally also from ``.env`` (never committed).
Precedence: variables already in the environment win over ``.env``. In production and in
testing ``.env`` is not read (deploy binds production values; tests set theirs explicitly).
Read them through ``secret(name)`` at the moment of use, or ``require_secret(name, purpose)``
where a missing value must refuse the request with a message naming it; never log them.

``generated`` secrets are random values the framework makes itself: ``mgr setup`` (run by
``bin/setup``) writes fresh ones into ``.env`` for development, never replacing a value that is
already there. ``user`` secrets are the project's own keys for outside services.
"""

from __future__ import annotations

import hmac
import os
import secrets as random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


def _token() -> str:
    return random.token_urlsafe(32)


def _namespace() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Secret:
    name: str
    source: Literal["generated", "user"]
    needed_for: str
    """What stops working without it."""
    without: str = ""
    """What still works locally without it (user secrets)."""
    generate: Callable[[], str] | None = None


REGISTRY: tuple[Secret, ...] = (
    Secret("BACKEND_MANAGER_KEY", "generated", "the admin key (admin routes, `Authorization: Bearer <key>`)", generate=_token),
    Secret("BACKEND_MANAGER_WEBHOOK_KEY", "generated",
           "webhooks called with `?key=` (the test payment processor, legacy callers)", generate=_token),
    Secret("BACKEND_MANAGER_NAMESPACE", "generated", "the UUID v5 namespace of `general/uuid`", generate=_namespace),
    Secret("UNSUBSCRIBE_HMAC_KEY", "generated", "signed unsubscribe links in e-mails", generate=_token),
    Secret("STRIPE_SECRET_KEY", "user", "Stripe checkout, portal, cancel and refund",
           "the test processor; `mgr stripe fake` runs a local Stripe API"),
    Secret("STRIPE_WEBHOOK_SECRET", "user", "verifying Stripe-signed webhooks (refused in production without it)",
           "`mgr stripe fake` signs its own events"),
    Secret("PAYPAL_CLIENT_SECRET", "user", "PayPal payments", "the test processor"),
    Secret("PAYPAL_WEBHOOK_ID", "user", "verifying PayPal webhooks (PayPal's verify-webhook-signature; refused in production without it)",
           "unsigned PayPal events with `?key=` outside production"),
    Secret("CHARGEBEE_API_KEY", "user", "Chargebee payments", "the test processor"),
    Secret("CHARGEBEE_WEBHOOK_USERNAME", "user", "checking Chargebee's webhook Basic authentication (with the password)",
           "Chargebee webhooks are checked by `?key=` only"),
    Secret("CHARGEBEE_WEBHOOK_PASSWORD", "user", "checking Chargebee's webhook Basic authentication (with the username)",
           "Chargebee webhooks are checked by `?key=` only"),
    Secret("SENDGRID_API_KEY", "user", "sending e-mail", "e-mails go to the local mailbox (`mgr mail list`), not sent"),
    Secret("BEEHIIV_API_KEY", "user", "newsletter subscriptions", "sign-ups work; nobody is subscribed"),
    Secret("NEVERBOUNCE_API_KEY", "user", "mailbox checks of marketing sign-up addresses (preferred over ZeroBounce)",
           "the free address checks still run (format, disposable, typo, local part)"),
    Secret("ZEROBOUNCE_API_KEY", "user", "mailbox checks of marketing sign-up addresses when NEVERBOUNCE_API_KEY is unset",
           "the free address checks still run (format, disposable, typo, local part)"),
    Secret("OPENAI_API_KEY", "user", "OpenAI calls", "everything that does not call OpenAI"),
    Secret("ANTHROPIC_API_KEY", "user", "Anthropic calls", "everything that does not call Anthropic"),
    Secret("BACKEND_MANAGER_OPENAI_API_KEY", "user", "OpenAI calls when OPENAI_API_KEY is unset (BEM's fallback key)",
           "everything that does not call OpenAI"),
    Secret("BACKEND_MANAGER_ANTHROPIC_API_KEY", "user", "Anthropic calls when ANTHROPIC_API_KEY is unset (BEM's fallback key)",
           "everything that does not call Anthropic"),
    Secret("GH_TOKEN", "user", "publishing newsletter section images to marketing.newsletter.assets.repository",
           "newsletters render without section images"),
)
BY_NAME = {item.name: item for item in REGISTRY}
NAMES = tuple(BY_NAME)
GENERATED = tuple(item.name for item in REGISTRY if item.source == "generated")


def secret(name: str) -> str | None:
    """The live value of a secret, read from the environment when it is needed."""
    value = os.environ.get(name)
    return value or None


def require_secret(name: str, purpose: str) -> str:
    """The secret's value, or ``ServiceUnavailable`` (503) naming the missing secret and how to set it."""
    value = secret(name)
    if value:
        return value
    from functions.errors import ServiceUnavailable

    where = "`mgr setup` generates it into .env" if name in GENERATED else "set it in .env"
    raise ServiceUnavailable(f"{name} is not set: {purpose} needs it ({where} locally, an environment variable in production)")


def secret_matches(name: str, given: str | None) -> bool:
    """Whether ``given`` equals the secret ``name``, compared in constant time (False if either is empty)."""
    expected = secret(name)
    return bool(expected and given) and hmac.compare_digest(str(given).encode(), expected.encode())


def missing_secrets(environ: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if environ is None else environ
    return [name for name in NAMES if not env.get(name)]


def load_dotenv_for(root: Path, environment: str) -> None:
    """Read ``root/.env`` into the environment (values already set win); development only."""
    if environment in ("production", "testing"):
        return
    from dotenv import load_dotenv

    load_dotenv(root / ".env", override=False)


def fill_generated(env_file: Path, template: Path | None = None) -> list[str]:
    """Give every generated secret a fresh random value in ``env_file``; return the names filled.

    The file is created from ``template`` (``.env.example``) when absent. A value already in the
    file is never replaced; an empty ``NAME=`` line is filled in place, a missing name appended.
    """
    from dotenv import dotenv_values, set_key

    if not env_file.exists():
        env_file.write_text(template.read_text() if template is not None and template.is_file() else "")
        env_file.chmod(0o600)
    present = dotenv_values(env_file)
    filled = []
    for name in GENERATED:
        if present.get(name):
            continue
        generate = BY_NAME[name].generate
        assert generate is not None
        set_key(env_file, name, generate(), quote_mode="never")
        filled.append(name)
    return filled
