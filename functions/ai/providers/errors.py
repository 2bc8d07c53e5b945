"""Turn an SDK exception (openai and anthropic share the shape) into the library's typed error."""

from __future__ import annotations

from typing import Any

from functions.ai.errors import AIConfigError, AIError, AIPromptTooLarge, AIRateLimited, AIRejected, AITimeout, AIUnavailable


def retry_after(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (a number of seconds), if present."""
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / scale
        except ValueError:
            continue
        if seconds >= 0:
            return seconds
    return None


def translate(error: Exception, provider: str, sdk: Any) -> AIError:
    """``sdk`` is the SDK module (``openai`` or ``anthropic``): both expose the same exception names."""
    if isinstance(error, sdk.APITimeoutError):
        return AITimeout(f"{provider} did not answer in time", provider=provider)
    if isinstance(error, sdk.APIConnectionError):
        return AIUnavailable(f"{provider} could not be reached", provider=provider)
    if isinstance(error, sdk.APIStatusError):
        status = error.status_code
        detail = _detail(error)
        wait = retry_after(getattr(error.response, "headers", None))
        if status == 429:
            return AIRateLimited(f"{provider} is rate limiting requests{detail}", provider=provider, retry_after=wait)
        if status in (401, 403):
            return AIConfigError(f"{provider} refused the API key ({status})", provider=provider)
        if status == 413:
            return AIPromptTooLarge(f"{provider}: the request is too large{detail}", provider=provider)
        if status == 408 or status >= 500:
            return AIUnavailable(f"{provider} answered {status}{detail}", provider=provider, retry_after=wait)
        return AIRejected(f"{provider} rejected the request ({status}){detail}", provider=provider)
    return AIUnavailable(f"{provider} failed: {type(error).__name__}", provider=provider)


def _detail(error: Any) -> str:
    body = getattr(error, "body", None)
    message = None
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else None
    return f": {str(message)[:300]}" if message else ""
