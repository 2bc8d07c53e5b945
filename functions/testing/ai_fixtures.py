"""pytest fixtures for the AI library (loaded by the ``bem`` plugin): fake provider servers.

- ``openai_fake`` / ``anthropic_fake``: one fake server per session (ephemeral port), reset for
  every test; sets ``OPENAI_BASE_URL`` / ``ANTHROPIC_BASE_URL`` to it and a test key, and removes
  the other key variables so a developer's real key is never used. Depends on ``manager``.
- ``ai``: ``manager.ai`` with a 10 ms retry backoff (so retry tests stay fast).
- ``ai_config(**sections)``: replace config sections (``ai``, ``openai``, ``anthropic``, ...) for one test.
The providers are faked at HTTP only: the official SDKs run unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from functions.testing.anthropic_fake import AnthropicFake
from functions.testing.openai_fake import OpenAIFake

KEY_VARIABLES = ("OPENAI_API_KEY", "BACKEND_MANAGER_OPENAI_API_KEY", "ANTHROPIC_API_KEY", "BACKEND_MANAGER_ANTHROPIC_API_KEY")


@pytest.fixture(scope="session")
def _openai_fake_server() -> Iterator[OpenAIFake]:
    fake = OpenAIFake().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def _anthropic_fake_server() -> Iterator[AnthropicFake]:
    fake = AnthropicFake().start()
    yield fake
    fake.stop()


def _serve(fake: Any, monkeypatch: pytest.MonkeyPatch, provider: str, key: str) -> Any:
    """Reset ``fake``, point ``provider``'s SDK at it with a test key, hide every real key."""
    fake.reset()
    for name in (*KEY_VARIABLES, "BEM_AI_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(f"{provider}_BASE_URL", fake.base_url)
    monkeypatch.setenv(f"{provider}_API_KEY", key)
    return fake


@pytest.fixture
def openai_fake(_openai_fake_server: OpenAIFake, manager: Any, monkeypatch: pytest.MonkeyPatch) -> OpenAIFake:
    return _serve(_openai_fake_server, monkeypatch, "OPENAI", "sk-test-fake")


@pytest.fixture
def anthropic_fake(_anthropic_fake_server: AnthropicFake, manager: Any, monkeypatch: pytest.MonkeyPatch) -> AnthropicFake:
    return _serve(_anthropic_fake_server, monkeypatch, "ANTHROPIC", "sk-ant-test-fake")


@pytest.fixture
def ai_config(manager: Any) -> Any:
    """``ai_config(ai={"provider": "test"}, openai={"key": "..."})``: replace those config sections
    (camelCase keys, as in backend-manager-config.json) on the test's Manager."""
    from functions.config import parse_config

    def apply(**sections: Any) -> Any:
        raw = manager.config.model_dump(by_alias=True, exclude_none=True)
        raw.update(sections)
        manager.config = parse_config(raw)
        return manager.config

    return apply


@pytest.fixture
def ai(manager: Any) -> Any:
    manager.ai.backoff = 0.01
    return manager.ai


__all__ = ["_anthropic_fake_server", "_openai_fake_server", "ai", "ai_config", "anthropic_fake", "openai_fake"]
