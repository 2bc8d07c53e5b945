"""The AI library (BEM's ``Manager.AI``): OpenAI and Anthropic (and a scripted ``test``
provider) behind one call shape, with typed results and errors. See docs/ai.md.

    result = manager.ai.request(messages=[{"role": "user", "content": "Hi"}], provider="anthropic")
    result = manager.ai.request(message="Classify: ...", schema=Verdict)   # result.output is a Verdict
    images = manager.ai.image("a lighthouse at dawn")

Importing this package imports no provider SDK; each is imported on its first request.
"""

from __future__ import annotations

from typing import Any

from functions.ai.client import AI, BoundAI
from functions.ai.errors import (
    AIConfigError,
    AIError,
    AIInvalidOutput,
    AIPromptTooLarge,
    AIRateLimited,
    AIRefused,
    AIRejected,
    AITimeout,
    AIUnavailable,
)
from functions.ai.types import AIResult, ImageResult, Message, Tokens, Tool, ToolCall


def _instance() -> AI:
    from functions.manager import Manager

    if Manager.instance is None:
        raise AIConfigError("No Manager in this process: call Manager.init first")
    return Manager.instance.ai


def request(*args: Any, **options: Any) -> AIResult:
    """``manager.ai.request`` on this process's Manager."""
    return _instance().request(*args, **options)


def image(prompt: str, **options: Any) -> list[ImageResult]:
    """``manager.ai.image`` on this process's Manager."""
    return _instance().image(prompt, **options)


__all__ = [
    "AI", "AIConfigError", "AIError", "AIInvalidOutput", "AIPromptTooLarge", "AIRateLimited", "AIRefused", "AIRejected",
    "AIResult", "AITimeout", "AIUnavailable", "BoundAI", "ImageResult", "Message", "Tokens", "Tool", "ToolCall", "image", "request",
]
