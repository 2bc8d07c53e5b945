"""Which of development / testing / production we run in (exactly one), with BEM's rules.

1. ``BEM_TESTING=true``                                  → testing
2. ``ENVIRONMENT=production``                            → production
3. ``ENVIRONMENT=development`` or ``FUNCTIONS_EMULATOR`` → development
4. anything else                                         → production (safe default)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

Environment = Literal["development", "testing", "production"]

_TRUE = {"1", "true", "yes", "on"}


def flag(value: str | None) -> bool:
    return (value or "").strip().lower() in _TRUE


def detect(environ: Mapping[str, str] | None = None) -> Environment:
    env = os.environ if environ is None else environ
    if flag(env.get("BEM_TESTING")):
        return "testing"
    if env.get("ENVIRONMENT") == "production":
        return "production"
    if env.get("ENVIRONMENT") == "development" or flag(env.get("FUNCTIONS_EMULATOR")):
        return "development"
    return "production"


def is_extended_testing(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return flag(env.get("TEST_EXTENDED_MODE"))


def project_id(environ: Mapping[str, str] | None = None) -> str:
    """The Google Cloud project: GCLOUD_PROJECT / GOOGLE_CLOUD_PROJECT, else the local demo id."""
    env = os.environ if environ is None else environ
    return env.get("GCLOUD_PROJECT") or env.get("GOOGLE_CLOUD_PROJECT") or env.get("BEM_PROJECT_ID") or "demo-bem"
