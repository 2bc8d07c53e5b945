"""The AI library's errors: each is a ``BemError``, so a route that lets one escape answers
with its status and a clear message (never a generic 500).

    AIError                 502  the provider's answer could not be used
    ├── AIConfigError       503  no key, unknown provider/model, test provider in production (before any call)
    ├── AIPromptTooLarge    413  the prompt is over ``ai.maxPromptChars`` (before any call)
    ├── AIRejected          502  the provider refused the request (4xx: bad schema, bad parameter)
    ├── AIRateLimited       503  still rate limited (429) after the retries
    ├── AIUnavailable       503  still 5xx / unreachable after the retries
    ├── AITimeout           504  no answer within the timeout, after the retries
    ├── AIInvalidOutput     502  the reply did not match the schema, even after one repair attempt
    └── AIRefused           451  moderation flagged the input (BEM's code)
"""

from __future__ import annotations

from functions.errors import BemError


class AIError(BemError):
    """The AI provider's answer could not be used"""

    status, code = 502, "ai-error"
    retryable = False

    def __init__(self, message: str | None = None, *, provider: str | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.provider = provider
        self.retry_after = retry_after


class AIConfigError(AIError):
    """The AI provider is not configured"""

    status, code = 503, "ai-not-configured"


class AIPromptTooLarge(AIError):
    """The prompt is too large"""

    status, code = 413, "ai-prompt-too-large"


class AIRejected(AIError):
    """The AI provider rejected the request"""

    status, code = 502, "ai-rejected"


class AIRateLimited(AIError):
    """The AI provider is rate limiting this project"""

    status, code = 503, "ai-rate-limited"
    retryable = True


class AIUnavailable(AIError):
    """The AI provider is unavailable"""

    status, code = 503, "ai-unavailable"
    retryable = True


class AITimeout(AIError):
    """The AI provider did not answer in time"""

    status, code = 504, "ai-timeout"
    retryable = True


class AIInvalidOutput(AIError):
    """The AI reply did not match the expected format"""

    status, code = 502, "ai-invalid-output"


class AIRefused(AIError):
    """This request is inappropriate"""

    status, code = 451, "ai-refused"


__all__ = [
    "AIConfigError", "AIError", "AIInvalidOutput", "AIPromptTooLarge", "AIRateLimited", "AIRefused",
    "AIRejected", "AITimeout", "AIUnavailable",
]
