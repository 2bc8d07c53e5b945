"""Find who is calling, in BEM's order.

1. ``backendManagerKey`` equal to ``BACKEND_MANAGER_KEY`` (constant-time) → admin.
2. A token from ``Authorization: Bearer``, the ``__session`` cookie, or
   ``authenticationToken`` / ``apiKey`` in the data.
3. A JWT is a Firebase ID token, verified by firebase-admin (by the Auth emulator's
   rules when ``FIREBASE_AUTH_EMULATOR_HOST`` is set); its user document is loaded
   and, if missing, provisioned (Admin SDK users skip the auth triggers).
4. Anything else must match a user's ``api.privateKey``.

No credential → anonymous. A credential that does not check out → 401.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from functions.api.current_user import CurrentUser
from functions.config import secret_matches
from functions.errors import Unauthorized
from functions.user import UserDoc

if TYPE_CHECKING:
    from functions.assistant import Assistant

def authenticate(assistant: Assistant) -> CurrentUser:
    data, request = assistant.data, assistant.request
    admin_key = data.get("backendManagerKey")
    if admin_key:
        return _admin_key_user(str(admin_key))
    token = _token_from(request, data)
    if not token:
        return CurrentUser()
    if token.count(".") == 2:
        return _id_token_user(assistant, token)
    return _api_key_user(assistant, token)


def _admin_key_user(given: str) -> CurrentUser:
    if not secret_matches("BACKEND_MANAGER_KEY", given):
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
