"""The firebase-admin app that Messaging sends through, and the local-fake seam.

In production the Manager's default firebase app is used (its credentials reach FCM).
When an FCM base URL is declared (``manager.services["fcm_api_base"]`` or the
``FCM_API_BASE`` environment variable, set by tests and local runs against
``functions/testing/fcm_fake.py``), a dedicated app is made whose credential is a
static token (``manager.services["fcm_credential"]`` or ``"local-fcm-fake"``, no
network), and a requests transport adapter is mounted on its messaging session for
``https://fcm.googleapis.com`` that sends the SDK's own requests to that base URL.
firebase-admin 7.7.0 has no endpoint option (the URL is a class constant), so this is
the one place we reach the SDK's HTTP session; its encoding, requests and error
parsing all run unchanged.
"""

from __future__ import annotations

import os
import threading
from typing import Any

FCM_HOST = "https://fcm.googleapis.com"
FAKE_TOKEN = "local-fcm-fake"
_lock = threading.Lock()
_apps: dict[tuple[int, str], Any] = {}


def api_base(manager: Any) -> str | None:
    return manager.services.get("fcm_api_base") or os.environ.get("FCM_API_BASE") or None


def messaging_app(manager: Any) -> Any:
    """The firebase_admin App to pass to ``messaging.send_each``."""
    base = api_base(manager)
    if not base:
        return manager.firebase_app()
    key = (id(manager), base.rstrip("/"))
    with _lock:
        if key not in _apps:
            _apps[key] = _redirected_app(manager, key[1])
        return _apps[key]


def _redirected_app(manager: Any, base: str) -> Any:
    import firebase_admin
    from firebase_admin import credentials, messaging
    from requests.adapters import HTTPAdapter

    class StaticToken(credentials.Base):
        def get_credential(self) -> Any:
            supplied = manager.services.get("fcm_credential")
            if supplied is not None:
                return supplied
            from google.oauth2.credentials import Credentials

            return Credentials(token=FAKE_TOKEN)

    class ToBase(HTTPAdapter):
        def send(self, request: Any, **kwargs: Any) -> Any:
            request.url = base + request.url[len(FCM_HOST):]
            return super().send(request, **kwargs)

    name = f"bm-fcm-{len(_apps)}-{os.getpid()}"
    app = firebase_admin.initialize_app(StaticToken(), {"projectId": manager.project_id}, name=name)
    service = messaging._get_messaging_service(app)  # private: no public endpoint option (module doc)
    service._client.session.mount(FCM_HOST, ToBase(pool_connections=100, pool_maxsize=500, max_retries=0))
    return app
