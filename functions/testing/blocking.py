"""The request the Auth emulator sends a blocking function, for tests that choose the client IP.

The Auth emulator always reports 127.0.0.1; production reports the caller's address. A test that
needs a real address builds the same unsigned JWT (``alg: none``, as in emulator mode) with
``blocking_jwt(...)`` and posts ``{"data": {"jwt": ...}}`` to the function.
"""

from __future__ import annotations

import base64
import json
import time
import uuid


def _segment(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def blocking_jwt(event: str, uid: str, email: str, *, ip: str, project: str) -> str:
    """``event`` is ``beforeCreate`` or ``beforeSignIn``."""
    now = int(time.time())
    payload = {
        "iss": f"https://securetoken.google.com/{project}", "aud": "https://example.run.app", "iat": now, "exp": now + 60,
        "event_id": uuid.uuid4().hex, "event_type": event, "user_agent": "NotYetSupportedInFirebaseAuthEmulator",
        "ip_address": ip, "locale": "en", "sub": uid, "sign_in_method": "password",
        "user_record": {
            "uid": uid, "email": email, "email_verified": False, "display_name": None, "disabled": False,
            "provider_data": [{"provider_id": "password", "uid": email, "email": email}],
            "metadata": {"creation_time": now * 1000, "last_sign_in_time": now * 1000},
        },
    }
    return f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(payload)}."
