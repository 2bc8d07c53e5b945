"""Plain data for auth events, independent of the firebase_functions SDK.

``AuthUser`` is built from a blocking event (``identity_fn.AuthBlockingEvent.data``) or
from an Auth v2 CloudEvent payload (``data.value`` on create, ``data.oldValue`` on delete).
``Blocked`` is what blocking logic and blocking hooks raise to refuse the operation;
``cloud.py`` turns it into the SDK's ``HttpsError``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

ANONYMOUS_PROVIDER = "anonymous"


class Blocked(Exception):
    """Refuse a sign-up or sign-in. ``code`` is a Functions error code such as ``permission-denied``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class AuthUser:
    uid: str
    email: str | None = None
    display_name: str | None = None
    providers: tuple[str, ...] = ()
    created: dt.datetime | None = None
    phone_number: str | None = None

    @property
    def anonymous(self) -> bool:
        """No identifying provider and no email/phone (an Admin SDK user with only an email is not anonymous)."""
        real_providers = [p for p in self.providers if p != ANONYMOUS_PROVIDER]
        return not real_providers and not self.email and not self.phone_number

    @classmethod
    def from_record(cls, record: Any) -> AuthUser:
        """From the SDK's ``AuthUserRecord`` (blocking events)."""
        metadata = getattr(record, "metadata", None)
        created = getattr(metadata, "creation_time", None)
        if created is not None and created.tzinfo is None:
            created = created.replace(tzinfo=dt.UTC)  # the SDK builds naive UTC datetimes
        return cls(
            uid=record.uid,
            email=record.email,
            display_name=record.display_name,
            providers=tuple(p.provider_id for p in (record.provider_data or [])),
            created=created,
            phone_number=getattr(record, "phone_number", None),
        )

    @classmethod
    def from_payload(cls, payload: dict) -> AuthUser:
        """From an Auth v2 CloudEvent user payload (camelCase, ISO times)."""
        metadata = payload.get("metadata") or {}
        return cls(
            uid=payload["uid"],
            email=payload.get("email"),
            display_name=payload.get("displayName"),
            providers=tuple(p.get("providerId") for p in (payload.get("providerData") or []) if p.get("providerId")),
            created=_parse_time(metadata.get("createTime") or metadata.get("creationTime")),
            phone_number=payload.get("phoneNumber"),
        )


@dataclass(frozen=True)
class SignInContext:
    """What a blocking event tells about the client (the Auth emulator always reports 127.0.0.1)."""

    ip: str | None = None
    user_agent: str | None = None
    language: str | None = None
    event_id: str | None = None
    provider: str | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_blocking_event(cls, event: Any) -> SignInContext:
        info = getattr(event, "additional_user_info", None)
        return cls(
            ip=getattr(event, "ip_address", None) or None,
            user_agent=getattr(event, "user_agent", None) or None,
            language=getattr(event, "locale", None) or None,
            event_id=getattr(event, "event_id", None),
            provider=getattr(info, "provider_id", None),
        )


def _parse_time(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value / 1000 if value > 1e11 else value, dt.UTC)
    if isinstance(value, str) and value:
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None
