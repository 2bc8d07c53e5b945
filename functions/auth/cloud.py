"""The auth Cloud Functions: ``bm_authBeforeCreate``, ``bm_authBeforeSignIn``, ``bm_authOnCreate``,
``bm_authOnDelete`` (256 MB, 60 s, ``manager.options.region``).

The Python SDK has no auth on-create / on-delete decorator (firebase-functions-python #94).
An Eventarc function on ``google.firebase.auth.user.v2.created`` / ``.deleted`` whose manifest
trigger has no ``channel`` is what firebase-tools registers as an Auth trigger, in the
emulator and on deploy; so the channel the SDK adds is removed from ``__firebase_endpoint__``.
Payloads: ``data.value`` on create, ``data.oldValue`` on delete.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from functions.auth import before_create, before_sign_in, on_create, on_delete
from functions.auth.events import AuthUser, Blocked, SignInContext

if TYPE_CHECKING:
    from functions.manager import Manager

TIMEOUT_SEC = 60


def build(manager: Manager) -> dict[str, Callable[..., Any]]:
    from firebase_functions import eventarc_fn, identity_fn, options

    common: dict[str, Any] = {"region": manager.options.region, "memory": options.MemoryOption.MB_256, "timeout_sec": TIMEOUT_SEC}
    built: dict[str, Callable[..., Any]] = {}

    @identity_fn.before_user_created(**common)
    def bm_authBeforeCreate(event: identity_fn.AuthBlockingEvent) -> None:  # noqa: N802 (BEM's export name)
        _blocking(before_create.handle, manager, event)

    built["bm_authBeforeCreate"] = bm_authBeforeCreate

    if manager.options.setup_identity:

        @identity_fn.before_user_signed_in(**common)
        def bm_authBeforeSignIn(event: identity_fn.AuthBlockingEvent) -> None:  # noqa: N802
            _blocking(before_sign_in.handle, manager, event)

        built["bm_authBeforeSignIn"] = bm_authBeforeSignIn

    @eventarc_fn.on_custom_event_published(event_type=on_create.EVENT_TYPE, **common)
    def bm_authOnCreate(event: eventarc_fn.CloudEvent) -> None:  # noqa: N802
        on_create.handle(manager, AuthUser.from_payload(_user_payload(event, "value")), event_id=event.id, event=event)

    @eventarc_fn.on_custom_event_published(event_type=on_delete.EVENT_TYPE, **common)
    def bm_authOnDelete(event: eventarc_fn.CloudEvent) -> None:  # noqa: N802
        on_delete.handle(manager, AuthUser.from_payload(_user_payload(event, "oldValue")), event_id=event.id, event=event)

    built["bm_authOnCreate"] = _as_auth_trigger(bm_authOnCreate)
    built["bm_authOnDelete"] = _as_auth_trigger(bm_authOnDelete)
    return built


def _blocking(handler: Callable[..., None], manager: Manager, event: Any) -> None:
    from firebase_functions import https_fn

    try:
        handler(manager, AuthUser.from_record(event.data), SignInContext.from_blocking_event(event), event)
    except Blocked as blocked:
        raise https_fn.HttpsError(_error_code(blocked.code), blocked.message) from None


def _error_code(code: str) -> Any:
    from firebase_functions.https_fn import FunctionsErrorCode

    try:
        return FunctionsErrorCode(code)
    except ValueError:
        return FunctionsErrorCode.PERMISSION_DENIED


def _user_payload(event: Any, key: str) -> dict:
    data = event.data if isinstance(event.data, dict) else {}
    payload = data.get(key) or {}
    if not payload.get("uid") and event.subject and event.subject.startswith("users/"):
        payload = {**payload, "uid": event.subject.split("/", 1)[1]}
    return payload


def _as_auth_trigger(function: Callable[..., Any]) -> Callable[..., Any]:
    """Drop the Eventarc channel so firebase-tools treats the trigger as an Auth event."""
    endpoint = function.__firebase_endpoint__  # type: ignore[attr-defined]
    if endpoint.eventTrigger is not None:
        endpoint.eventTrigger.pop("channel", None)
    return function
