"""Firebase ID tokens in the Auth emulator's format (unsigned, ``alg: none``).

firebase-admin accepts these only while ``FIREBASE_AUTH_EMULATOR_HOST`` is set, exactly as
it accepts the emulator's own tokens; it still checks issuer, audience, expiry and subject.
"""

from __future__ import annotations

import base64
import json
import time


def _segment(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).rstrip(b"=").decode()


def emulator_id_token(uid: str, *, email: str | None = None, project: str = "demo-bem", name: str | None = None,
                      expires_in: int = 3600, issued_at: int | None = None, claims: dict | None = None) -> str:
    now = int(time.time()) if issued_at is None else issued_at
    payload = {
        "iss": f"https://securetoken.google.com/{project}",
        "aud": project,
        "auth_time": now,
        "user_id": uid,
        "sub": uid,
        "iat": now,
        "exp": now + expires_in,
        "firebase": {"identities": {"email": [email]} if email else {}, "sign_in_provider": "password"},
    }
    if email:
        payload.update(email=email, email_verified=False)
    if name:
        payload["name"] = name
    payload.update(claims or {})
    return f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(payload)}."
