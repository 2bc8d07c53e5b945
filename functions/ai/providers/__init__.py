"""One module per provider, each a class with ``complete(call) -> Reply`` (and, where the
provider has them, ``moderate`` and ``image``). The SDK is imported when the class is built,
i.e. on the first request that uses the provider, never at start-up."""

from __future__ import annotations

from typing import Any


def build(name: str, key: str, manager: Any) -> Any:
    if name == "openai":
        from functions.ai.providers.openai import OpenAIProvider

        return OpenAIProvider(key)
    if name == "anthropic":
        from functions.ai.providers.anthropic import AnthropicProvider

        return AnthropicProvider(key)
    from functions.ai.providers.test import TestProvider

    return TestProvider(manager)
