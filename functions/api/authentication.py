"""Find who is calling, in BEM's order.

1. ``backendManagerKey`` equal to ``BACKEND_MANAGER_KEY`` (constant-time) → admin.
2. A token from ``Authorization: Bearer``, the ``__session`` cookie, or
   ``authenticationToken`` / ``apiKey`` in the data.
3. A JWT is a Firebase ID token, verified by firebase-admin (by the Auth emulator's
   rules when ``FIREBASE_AUTH_EMULATOR_HOST`` is set); its user document is loaded
   and, if missing, provisioned (Admin SDK users skip the auth triggers).
4. Anything else must match a user's ``api.privateKey``.

No credential → anonymous. A credential that does not check out (expired, revoked, unknown,
over-long or malformed) → 401 on a route that requires a user or an admin; anonymous (logged
at info) on any other route, as BEM does, so a web client with a stale token still reads
public routes. A wrong ``backendManagerKey`` is always 401: it is only ever sent by a server
holding the secret, and a silent downgrade would hide its misconfiguration.

Tokens are checked for length and characters before anything else, so a malformed value never
reaches Firebase Auth or a Firestore query.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from functions.api.current_user import CurrentUser
from functions.config import secret_matches
from functions.errors import Unauthorized
from functions.user import UserDoc

if TYPE_CHECKING:
    from functions.api.options import Requirement
    from functions.assistant import Assistant

MAX_ID_TOKEN = 4096
"""Firebase ID tokens are ~1 KB; custom claims can grow them, never past this."""
MAX_API_KEY = 256
"""BEM's keys are 256-bit (base58, ~44 chars), the port's ``token_urlsafe(32)`` (43 chars)."""
MAX_ADMIN_KEY = 1024
_ID_TOKEN = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_API_KEY = re.compile(r"[A-Za-z0-9_-]+")



def authenticate(assistant: Assistant, require: Requirement = None) -> CurrentUser:
    """The caller. ``require`` is the route's requirement: with none, a bad token means anonymous."""
    data, request = assistant.data, assistant.request
    admin_key = data.get("backendManagerKey")
    if admin_key:
        return _admin_key_user(str(admin_key))
    token = _token_from(request, data)
    if not token:
        return CurrentUser()
    try:
        return _token_user(assistant, token)
    except Unauthorized as error:
        if require:
            raise
        assistant.log.info("credential ignored on a public route (answered as anonymous): %s", error.message)
        return CurrentUser()


def _token_user(assistant: Assistant, token: str) -> CurrentUser:
    if token.count(".") == 2:
        if len(token) > MAX_ID_TOKEN or not _ID_TOKEN.fullmatch(token):
            raise Unauthorized("Invalid or expired ID token")
        return _id_token_user(assistant, token)
    if len(token) > MAX_API_KEY or not _API_KEY.fullmatch(token):
        raise Unauthorized("Invalid API key")
    return _api_key_user(assistant, token)


def _admin_key_user(given: str) -> CurrentUser:
    if len(given) > MAX_ADMIN_KEY or not secret_matches("BACKEND_MANAGER_KEY", given):
        raise Unauthorized("Invalid backendManagerKey")
    doc = UserDoc.model_validate({"roles": {"admin": True}})
    return CurrentUser(authenticated=True, method="admin-key", doc=doc)


def _token_from(request: Any, data: dict) -> str | None:
    header = request.headers.get("authorization") or ""
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    cookie = request.cookies.get("__session")
    if cookie:
        return cookie
    for key in ("authenticationToken", "apiKey"):
        if data.get(key):
            return str(data[key])
    return None


def _id_token_user(assistant: Assistant, token: str) -> CurrentUser:
    from firebase_admin import auth

    manager = assistant.manager
    manager.firebase_app()
    try:
        claims = auth.verify_id_token(token, check_revoked=manager.config.api.check_revoked)
    except auth.RevokedIdTokenError:
        raise Unauthorized("ID token has been revoked") from None
    except auth.UserDisabledError:
        raise Unauthorized("This account is disabled") from None
    except (ValueError, auth.InvalidIdTokenError, auth.ExpiredIdTokenError, auth.CertificateFetchError) as error:
        assistant.log.info("ID token rejected: %s", type(error).__name__)
        raise Unauthorized("Invalid or expired ID token") from None
    if int(claims.get("exp", 0)) < time.time():
        # firebase-admin skips the expiry check for emulator tokens; production and emulator behave alike here
        raise Unauthorized("Invalid or expired ID token")
    uid = claims.get("uid") or claims.get("sub")
    doc = manager.users.get(uid) or _provision_lazily(manager, uid, claims)
    return CurrentUser(authenticated=True, uid=uid, doc=doc, method="id-token", claims=claims)


def _provision_lazily(manager: Any, uid: str, claims: dict) -> UserDoc:
    """Users made by the Admin SDK skip the auth triggers: create their document on first use.

    Only for accounts that still exist in Auth, so a deleted user's unexpired token cannot
    bring the document back.
    """
    from functions.auth.admin import auth_admin

    account = auth_admin(manager).get_user(uid)
    if account is None or account.disabled:
        raise Unauthorized("This account no longer exists")
    return manager.users.provision_from_claims(uid, claims)


def _api_key_user(assistant: Assistant, token: str) -> CurrentUser:
    found = assistant.manager.users.find_by_api_key(token)
    if found is None:
        raise Unauthorized("Invalid API key")
    uid, doc = found
    return CurrentUser(authenticated=True, uid=uid, doc=doc, method="api-key")
