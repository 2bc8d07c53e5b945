"""The signed unsubscribe link in every message (``List-Unsubscribe`` header and footer).

``{websiteUrl}/portal/email-preferences?email=…&asmId=…&template=…&sig=HMAC_SHA256(key, email)``
with BEM's base64 encoding of the values and the key ``UNSUBSCRIBE_HMAC_KEY``. ``verify`` is
what the preferences endpoint (marketing issue) uses: constant-time, case-insensitive e-mail.
Without the key no link is made (the setup warning names the secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

from functions.config.secrets import secret

KEY_NAME = "UNSUBSCRIBE_HMAC_KEY"
PATH = "/portal/email-preferences"


def _key(key: str | None) -> str | None:
    return key if key is not None else secret(KEY_NAME)


def sign(email: str, key: str | None = None) -> str | None:
    """Hex HMAC-SHA256 of the lower-cased e-mail; None when no key is configured."""
    secret_key = _key(key)
    if not secret_key:
        return None
    return hmac.new(secret_key.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()


def verify(email: str, signature: str | None, key: str | None = None) -> bool:
    expected = sign(email or "", key)
    return bool(expected and signature) and hmac.compare_digest(expected, str(signature))


def encode(value: object) -> str:
    """BEM's ``encode``: base64 of the value, URL-escaped."""
    return quote(base64.b64encode(str(value).encode()).decode(), safe="")


def decode(value: str) -> str:
    return base64.b64decode(value.encode()).decode()


def url(website_url: str, *, email: str, group: int | None, template: str, key: str | None = None) -> str | None:
    signature = sign(email, key)
    if signature is None:
        return None
    base = website_url.rstrip("/")
    return (f"{base}{PATH}?email={encode(email)}&asmId={encode(group if group is not None else '')}"
            f"&template={encode(template)}&sig={signature}")
