"""The Auth emulator's REST API, for tests: real sign-ups (blocking functions run), real ID tokens."""

from __future__ import annotations

from typing import Any

import requests


class AuthEmulatorError(RuntimeError):
    """The Auth emulator refused a call; ``message`` is its error text (e.g. a blocking function's)."""


class AuthEmulator:
    def __init__(self, host: str, project: str) -> None:
        self.base = f"http://{host}"
        self.project = project
        self._session = requests.Session()

    def _call(self, method: str, path: str, *, json: Any = None, admin: bool = False, headers: dict | None = None) -> dict:
        headers = dict(headers or {})
        if admin:
            headers["Authorization"] = "Bearer owner"
        response = self._session.request(method, f"{self.base}{path}", json=json, headers=headers, timeout=30)
        body = response.json() if response.content else {}
        if response.status_code >= 400:
            raise AuthEmulatorError(body.get("error", {}).get("message", response.text))
        return body

    def sign_up(self, email: str, password: str = "bem-test-password", ip: str | None = None) -> dict:
        """Client sign-up (runs before-create); returns ``{uid, idToken, refreshToken, email}``."""
        headers = {"X-Forwarded-For": ip} if ip else None
        body = self._call("POST", "/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake-api-key",
                          json={"email": email, "password": password, "returnSecureToken": True}, headers=headers)
        return {"uid": body["localId"], "idToken": body["idToken"], "refreshToken": body.get("refreshToken"), "email": email}

    def sign_in(self, email: str, password: str = "bem-test-password") -> dict:
        body = self._call("POST", "/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=fake-api-key",
                          json={"email": email, "password": password, "returnSecureToken": True})
        return {"uid": body["localId"], "idToken": body["idToken"], "refreshToken": body.get("refreshToken"), "email": email}

    def create_user_admin(self, email: str, password: str = "bem-test-password", uid: str | None = None,
                          display_name: str | None = None) -> str:
        """Create a user as the Admin SDK does (no blocking functions). Returns the uid."""
        payload: dict[str, Any] = {"email": email, "password": password}
        if uid:
            payload["localId"] = uid
        if display_name:
            payload["displayName"] = display_name
        path = f"/identitytoolkit.googleapis.com/v1/projects/{self.project}/accounts"
        body = self._call("POST", path, json=payload, admin=True)
        return body["localId"]

    def get_user(self, uid: str) -> dict | None:
        body = self._call("POST", f"/identitytoolkit.googleapis.com/v1/projects/{self.project}/accounts:lookup",
                          json={"localId": [uid]}, admin=True)
        users = body.get("users") or []
        return users[0] if users else None

    def delete_user(self, uid: str) -> None:
        self._call("POST", f"/identitytoolkit.googleapis.com/v1/projects/{self.project}/accounts:delete",
                   json={"localId": uid}, admin=True)

    def clear(self) -> None:
        self._call("DELETE", f"/emulator/v1/projects/{self.project}/accounts")
