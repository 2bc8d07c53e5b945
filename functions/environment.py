"""Which of development / testing / production we run in (exactly one), with BEM's rules.

1. ``BEM_TESTING=true``                                  → testing
2. ``ENVIRONMENT=production``                            → production
3. ``ENVIRONMENT=development`` or ``FUNCTIONS_EMULATOR`` → development
4. anything else                                         → production (safe default)

``serving_problems`` is the start-up guard against trusting emulators in production: with
``FIREBASE_AUTH_EMULATOR_HOST`` set, firebase-admin accepts *unsigned* ID tokens.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

Environment = Literal["development", "testing", "production"]

_TRUE = {"1", "true", "yes", "on"}
EMULATOR_HOSTS = ("FIREBASE_AUTH_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST", "FIREBASE_STORAGE_EMULATOR_HOST",
                  "FIREBASE_DATABASE_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST")
PLATFORM_MARKERS = ("K_SERVICE", "FUNCTION_NAME")
"""Set by Cloud Functions (2nd gen runs on Cloud Run: ``K_SERVICE``, ``K_REVISION``,
``K_CONFIGURATION``, plus ``FUNCTION_TARGET`` and ``FUNCTION_SIGNATURE_TYPE``; older 1st gen
runtimes: ``FUNCTION_NAME``). ``FUNCTION_TARGET`` alone is not taken as a marker: a local
``functions-framework --target`` run has it too. The Firebase functions emulator sets
``FUNCTIONS_EMULATOR=true``, which tells it apart."""


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


def on_cloud_functions(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this process serves on Google Cloud Functions (not the local functions emulator)."""
    env = os.environ if environ is None else environ
    return any(env.get(name) for name in PLATFORM_MARKERS) and not flag(env.get("FUNCTIONS_EMULATOR"))


def serving_problems(environment: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """Why this process must not start (empty when it may).

    - On Cloud Functions: any emulator host variable, or an environment other than production
      (a deployed ``.env`` saying ``ENVIRONMENT=development``, ``BEM_TESTING``).
    - In production anywhere: ``FIREBASE_AUTH_EMULATOR_HOST`` (unsigned tokens would be accepted).
      A local admin command pointing Firestore at the emulator (``mgr cron --emulator``) stays allowed.
    """
    env = os.environ if environ is None else environ
    problems = []
    if on_cloud_functions(env):
        problems += [f"{name}={env[name]} is set on Cloud Functions" for name in EMULATOR_HOSTS if env.get(name)]
        if environment != "production":
            problems.append(f"the environment is '{environment}' on Cloud Functions (ENVIRONMENT={env.get('ENVIRONMENT')!r}, "
                            f"BEM_TESTING={env.get('BEM_TESTING')!r}): a deployed .env must not say development/testing")
    elif environment == "production" and env.get("FIREBASE_AUTH_EMULATOR_HOST"):
        problems.append("FIREBASE_AUTH_EMULATOR_HOST is set in production: firebase-admin would accept unsigned ID tokens")
    return problems
