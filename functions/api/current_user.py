"""The caller of a request, as handlers receive it (``user`` parameter)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from functions.errors import Forbidden, NotFound, Unauthorized
from functions.user import ResolvedSubscription, UserDoc, resolve_subscription

AuthMethod = Literal["admin-key", "id-token", "api-key"]


@dataclass
class CurrentUser:
    authenticated: bool = False
    uid: str | None = None
    _doc: UserDoc | None = None
    method: AuthMethod | None = None
    claims: dict = field(default_factory=dict)

    def __init__(self, authenticated: bool = False, uid: str | None = None, doc: UserDoc | None = None,
                 method: AuthMethod | None = None, claims: dict | None = None) -> None:
        self.authenticated, self.uid, self._doc, self.method = authenticated, uid, doc, method
        self.claims = claims or {}

    @property
    def doc(self) -> UserDoc:
        """The user document (an anonymous caller gets the default one, built on first use)."""
        if self._doc is None:
            self._doc = UserDoc()
        return self._doc

    @property
    def is_admin(self) -> bool:
        return self.authenticated and (self.method == "admin-key" or self.doc.roles.admin)

    @property
    def subscription(self) -> ResolvedSubscription:
        return resolve_subscription(self.doc)

    def require(self, level: str | None) -> None:
        if level is None:
            return
        if not self.authenticated:
            raise Unauthorized("Authentication required")
        if level == "admin" and not self.is_admin:
            raise Forbidden("Admin required")

    def target_uid(self, requested: str | None) -> str:
        """Self-or-admin: another user's uid needs ``roles.admin``, else 403."""
        self.require("user")
        if requested and requested != self.uid:
            if not self.is_admin:
                raise Forbidden("Admin required to act on another user")
            return requested
        if not self.uid:
            raise Unauthorized("This credential has no user; pass a uid")
        return self.uid

    def target_doc(self, requested: str | None, users: Any) -> tuple[str, UserDoc]:
        """Self-or-admin, then the target's document (404 when it does not exist)."""
        uid = self.target_uid(requested)
        doc = self.doc if uid == self.uid else users.get(uid)
        if doc is None:
            raise NotFound(f"User '{uid}' not found")
        return uid, doc
