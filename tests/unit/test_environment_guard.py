"""Production never trusts an emulator: the Manager refuses to start, loudly."""

from __future__ import annotations

import pytest

from functions import environment
from functions.errors import SetupError
from functions.manager import Manager

GEN2 = {"K_SERVICE": "bm-api", "K_REVISION": "bm-api-00001", "FUNCTION_TARGET": "bm_api", "FUNCTION_SIGNATURE_TYPE": "http"}


@pytest.mark.parametrize(
    ("environ", "words"),
    [
        ({**GEN2, "ENVIRONMENT": "production", "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"}, "FIREBASE_AUTH_EMULATOR_HOST"),
        ({**GEN2, "ENVIRONMENT": "production", "FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080"}, "FIRESTORE_EMULATOR_HOST"),
        ({**GEN2, "ENVIRONMENT": "development"}, "environment is 'development' on Cloud Functions"),
        ({**GEN2, "BEM_TESTING": "true"}, "environment is 'testing' on Cloud Functions"),
        ({"FUNCTION_NAME": "bm_api", "ENVIRONMENT": "development"}, "on Cloud Functions"),  # 1st gen
        ({"ENVIRONMENT": "production", "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"}, "unsigned ID tokens"),
    ],
)
def test_refused(environ, words):
    problems = environment.serving_problems(environment.detect(environ), environ)
    assert any(words in problem for problem in problems), problems


@pytest.mark.parametrize(
    "environ",
    [
        {**GEN2, "ENVIRONMENT": "production"},
        {**GEN2},  # no ENVIRONMENT: production by default
        {**GEN2, "FUNCTIONS_EMULATOR": "true", "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"},  # the functions emulator
        {"FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080"},  # a local admin command (mgr cron --emulator)
        {"FUNCTION_TARGET": "bm_api", "ENVIRONMENT": "development"},  # a local functions-framework run
        {"BEM_TESTING": "true", "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"},  # the emulator test tier
    ],
)
def test_allowed(environ):
    assert environment.serving_problems(environment.detect(environ), environ) == []


def test_the_manager_refuses_to_start_in_production_with_the_auth_emulator(monkeypatch, bem_root, caplog):
    monkeypatch.delenv("BEM_TESTING", raising=False)
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    with pytest.raises(SetupError, match="Refusing to start: FIREBASE_AUTH_EMULATOR_HOST is set in production"):
        Manager.create(bem_root)


def test_the_manager_refuses_a_development_env_deployed_to_cloud_functions(monkeypatch, bem_root):
    for name, value in GEN2.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("BEM_TESTING", raising=False)
    monkeypatch.setenv("ENVIRONMENT", "development")
    with pytest.raises(SetupError, match="environment is 'development' on Cloud Functions"):
        Manager.create(bem_root)
