"""The public part of the config, as BEM's ``buildPublicConfig`` answers it (GET /brand and
POST /special/electron-client): ``{brand, github, oauth2, payment, firebaseConfig, reviews}``.

Never secrets: every key that names one (secret, private, password, token, webhook, credential)
is dropped at any depth, and ``payment.discounts`` (redeemable codes) is left out. Firebase's web
``firebaseConfig.apiKey`` is public by design and stays.
"""

from __future__ import annotations

import re
from typing import Any

SECRET_KEY = re.compile(r"secret|private|password|token|webhook|credential", re.IGNORECASE)


def without_secrets(value: Any) -> Any:
    """``value`` without secret-named keys, at any depth."""
    if isinstance(value, dict):
        return {k: without_secrets(v) for k, v in value.items() if not SECRET_KEY.search(str(k))}
    if isinstance(value, list):
        return [without_secrets(v) for v in value]
    return value


def public_config(config: Any) -> dict:
    """BEM's public config of a loaded ``Config``."""
    extras = config.model_extra or {}
    return without_secrets(
        {
            "brand": config.brand.model_dump(by_alias=True, mode="json"),
            "github": config.github,
            "oauth2": extras.get("oauth2") or {},
            "payment": config.payment.model_dump(by_alias=True, mode="json", exclude={"discounts"}),
            "firebaseConfig": config.firebase_config,
            "reviews": extras.get("reviews") or {},
        }
    )
