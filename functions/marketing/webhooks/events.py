"""One provider event, normalised: what the dispatcher and the handlers read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class WebhookEvent:
    event_id: str | None
    event_type: str | None
    email: str | None
    timestamp: int | None
    """Seconds since the epoch when the provider says it happened (None: use the server's time)."""
    raw: Any = None
    publication_id: str | None = None
    bounce_classification: str | None = None
    extra: dict = field(default_factory=dict)


def lower_email(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    return str(value)[:300] if isinstance(value, (str, int, float)) else None
