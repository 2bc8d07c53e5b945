"""Which provider, key, model and price row a call uses, resolved from the call, the config and
the environment, in BEM's order. Everything here runs before any network call, so a missing
key or an unknown provider/model is an ``AIConfigError`` naming the cause."""

from __future__ import annotations

import os
from typing import Any

from functions.ai import prices
from functions.ai.errors import AIConfigError

PROVIDERS = ("openai", "anthropic", "test")
PROVIDER_ENV = "BEM_AI_PROVIDER"
KEY_ENV = {
    "openai": ("OPENAI_API_KEY", "BACKEND_MANAGER_OPENAI_API_KEY"),
    "anthropic": ("ANTHROPIC_API_KEY", "BACKEND_MANAGER_ANTHROPIC_API_KEY"),
}


def default_provider(config: Any) -> str:
    """``BEM_AI_PROVIDER`` → ``config.ai.provider`` → ``openai`` (BEM's default)."""
    return os.environ.get(PROVIDER_ENV) or config.ai.provider or "openai"


def check_provider(name: str) -> str:
    if name not in PROVIDERS:
        raise AIConfigError(f"Unknown AI provider '{name}' (known: {', '.join(PROVIDERS)})", provider=name)
    return name


def find_key(provider: str, config: Any, given: str | None = None) -> str | None:
    """The call's key → ``config.{provider}.key`` (OpenAI also ``global``, ``main``) →
    ``{PROVIDER}_API_KEY`` → ``BACKEND_MANAGER_{PROVIDER}_API_KEY``."""
    if given:
        return given
    if provider == "test":
        return "test"
    section = getattr(config, provider)
    extra = section.model_extra or {}
    candidates = [section.key] + ([extra.get("global"), extra.get("main")] if provider == "openai" else [])
    candidates += [os.environ.get(name) for name in KEY_ENV[provider]]
    return next((value for value in candidates if isinstance(value, str) and value.strip()), None)


def require_key(provider: str, config: Any, given: str | None = None) -> str:
    key = find_key(provider, config, given)
    if not key:
        names = " or ".join(KEY_ENV[provider])
        raise AIConfigError(f"No {provider} API key: set config {provider}.key or the secret {names}", provider=provider)
    return key


def model_row(provider: str, config: Any, model: str | None) -> tuple[str, dict[str, Any]]:
    """The model to use (the call's, else ``config.{provider}.model``, else the default) and its price row."""
    section = getattr(config, provider, None)
    chosen = model or (section.model if section is not None else None) or prices.DEFAULT_MODELS[provider]
    table = prices.price_table(provider, section.prices if section is not None else None)
    if provider == "test":
        return chosen, table["test"]
    if chosen not in table:
        raise AIConfigError(
            f"Unknown {provider} model '{chosen}': add its prices under config {provider}.prices "
            f"(known: {', '.join(sorted(table))})", provider=provider,
        )
    return chosen, table[chosen]


def base_url(provider: str) -> str | None:
    """``OPENAI_BASE_URL`` / ``ANTHROPIC_BASE_URL`` (the SDKs read the same names; tests point them at fakes)."""
    return os.environ.get(f"{provider.upper()}_BASE_URL") or None
