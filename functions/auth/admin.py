"""Firebase Auth admin calls the routes make, behind one small interface.

``auth_admin(manager)`` returns the service: by default ``FirebaseAuthAdmin`` (firebase-admin,
against the Auth emulator when ``FIREBASE_AUTH_EMULATOR_HOST`` is set); a declared override
``manager.services["auth_admin"]`` replaces it. The unit tier, which has no Auth emulator,
installs ``MemoryAuthAdmin`` with ``use_auth_admin(manager, MemoryAuthAdmin())``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from functions.errors import ServiceUnavailable
from functions.timestamps import Stamp

if TYPE_CHECKING:
    from functions.manager import Manager

SERVICE_NAME = "auth_admin"


class RevokedTokenError(Exception):
    """An ID token issued before the user's sessions were revoked."""


@dataclass(frozen=True)
class AuthAccount:
    uid: str
    email: str | None = None
    disabled: bool = False
    created: Stamp = field(default_factory=Stamp)
    last_sign_in: Stamp = field(default_factory=Stamp)
    last_refresh: Stamp = field(default_factory=Stamp)
    tokens_valid_after: Stamp = field(default_factory=Stamp)

    def sessions(self) -> dict[str, Any]:
        """What can be told about a user's sessions (Firebase keeps no per-session list)."""
        return {
            "uid": self.uid,
            "tokensValidAfter": self.tokens_valid_after.dump(),
            "lastSignIn": self.last_sign_in.dump(),
            "lastRefresh": self.last_refresh.dump(),
            "created": self.created.dump(),
        }


class AuthAdmin(Protocol):
    def get_user(self, uid: str) -> AuthAccount | None: ...
    def delete_user(self, uid: str) -> bool: ...
    def create_custom_token(self, uid: str, claims: dict | None = None) -> str: ...
    def revoke_refresh_tokens(self, uid: str) -> None: ...
    def verify_id_token(self, token: str, *, check_revoked: bool = False) -> dict: ...


def auth_admin(manager: Manager) -> AuthAdmin:
    override = (getattr(manager, "services", None) or {}).get(SERVICE_NAME)
    return override if override is not None else FirebaseAuthAdmin(manager)


def use_auth_admin(manager: Manager, admin: AuthAdmin) -> AuthAdmin:
    """Declare an override (tests, local serving without the Auth emulator)."""
    services = getattr(manager, "services", None)
    if services is None:
        services = {}
        manager.services = services  # type: ignore[attr-defined]
    services[SERVICE_NAME] = admin
    return admin


_APP_LOCK = threading.Lock()


def _default_app() -> Any:
    """The default firebase-admin app, made once (two first requests at once would both
    find none and the second ``initialize_app`` would raise)."""
    import firebase_admin

    from functions.environment import project_id

    with _APP_LOCK:
        try:
            return firebase_admin.get_app()
        except ValueError:
            return firebase_admin.initialize_app(options={"projectId": project_id()})


def _stamp_ms(value: int | None) -> Stamp:
    return Stamp.at(value / 1000) if value else Stamp()


@contextmanager
def _reachable() -> Iterator[None]:
    """Firebase Auth down, unreachable or timing out → 503 (retry later), not a 500."""
    from firebase_admin import exceptions

    try:
        yield
    except (exceptions.UnavailableError, exceptions.DeadlineExceededError) as error:
        raise ServiceUnavailable("Firebase Auth is unreachable; retry later") from error


class FirebaseAuthAdmin:
    """firebase-admin's Auth; an unreachable service answers 503 (``ServiceUnavailable``)."""

    def __init__(self, manager: Manager) -> None:
        self._manager = manager

    def _auth(self) -> Any:
        self._manager.firebase_app()
        from firebase_admin import auth

        return auth

    def get_user(self, uid: str) -> AuthAccount | None:
        auth = self._auth()
        try:
            with _reachable():
                record = auth.get_user(uid)
        except auth.UserNotFoundError:
            return None
        meta = record.user_metadata
        return AuthAccount(
            uid=record.uid,
            email=record.email,
            disabled=record.disabled,
            created=_stamp_ms(meta.creation_timestamp),
            last_sign_in=_stamp_ms(meta.last_sign_in_timestamp),
            last_refresh=_stamp_ms(meta.last_refresh_timestamp),
            tokens_valid_after=_stamp_ms(record.tokens_valid_after_timestamp),
        )

    def delete_user(self, uid: str) -> bool:
        """False when there was no such user (deleting twice is not an error)."""
        auth = self._auth()
        try:
            with _reachable():
                auth.delete_user(uid)
            return True
        except auth.UserNotFoundError:
            return False

    def create_custom_token(self, uid: str, claims: dict | None = None) -> str:
        with _reachable():
            token = self._auth().create_custom_token(uid, claims)
        return token.decode() if isinstance(token, bytes) else str(token)

    def revoke_refresh_tokens(self, uid: str) -> None:
        with _reachable():
            self._auth().revoke_refresh_tokens(uid)

    def verify_id_token(self, token: str, *, check_revoked: bool = False) -> dict:
        auth = self._auth()
        try:
            with _reachable():
                return auth.verify_id_token(token, check_revoked=check_revoked)
        except auth.RevokedIdTokenError as error:
            raise RevokedTokenError(str(error)) from None


@dataclass
class MemoryAuthAdmin:
    """Firebase Auth kept in memory, with firebase-admin's revocation rule.

    ``verify_id_token`` checks the token with firebase-admin (emulator-format tokens verify
    offline), then refuses it when issued before the user's ``tokens_valid_after``.
    """

    accounts: dict[str, AuthAccount] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def add(self, uid: str, email: str | None = None, **values: Any) -> AuthAccount:
        account = AuthAccount(uid=uid, email=email, created=Stamp.now(), **values)
        with self._lock:
            self.accounts[uid] = account
        return account

    def get_user(self, uid: str) -> AuthAccount | None:
        self.calls.append(("get_user", uid))
        return self.accounts.get(uid)

    def delete_user(self, uid: str) -> bool:
        self.calls.append(("delete_user", uid))
        with self._lock:
            return self.accounts.pop(uid, None) is not None

    def create_custom_token(self, uid: str, claims: dict | None = None) -> str:
        self.calls.append(("create_custom_token", uid))
        from firebase_admin import auth

        token = auth.create_custom_token(uid, claims, app=_default_app())  # emulator mode: unsigned, no credentials
        return token.decode() if isinstance(token, bytes) else str(token)

    def revoke_refresh_tokens(self, uid: str) -> None:
        self.calls.append(("revoke_refresh_tokens", uid))
        with self._lock:
            account = self.accounts.get(uid) or AuthAccount(uid=uid)
            self.accounts[uid] = replace(account, tokens_valid_after=Stamp.at(int(time.time())))

    def verify_id_token(self, token: str, *, check_revoked: bool = False) -> dict:
        from firebase_admin import auth

        claims = auth.verify_id_token(token, app=_default_app())
        if check_revoked:
            account = self.accounts.get(claims.get("uid") or claims.get("sub"))
            if account is None:
                raise auth.UserNotFoundError("No user record found for the given identifier.")
            if int(claims.get("iat", 0)) < account.tokens_valid_after.timestamp_unix:
                raise RevokedTokenError("The Firebase ID token has been revoked.")
        return claims
