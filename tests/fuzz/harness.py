"""The fuzz tier's engine: schemathesis generates requests from bm_api's own OpenAPI document.

One in-process ``bm_api`` (testing environment, in-memory Firestore, in-memory Auth, the test
accounts seeded) serves ``/backend-manager/openapi.json``; schemathesis loads it from there and
generates, for every operation, valid and invalid requests (``GenerationMode.POSITIVE`` and
``NEGATIVE``); each generated request is sent once as every identity in ``IDENTITIES`` (generation
costs far more than a request). Every answer is checked:

- ``no_server_error``: nothing ≥ 500, except a 503 whose JSON error code is ``unavailable``
  (a documented "unconfigured or unreachable service");
- ``json_error_body``: every 4xx/5xx is JSON in the framework's error shape;
- an exception that escapes the WSGI app (a real server would answer a bare 500) is a failure too;
- schemathesis' conformance checks: status, content type, the ``bm-properties`` header and the
  body all match the document.

Failures are collected (one example per operation, check and status), not stopped at, so a
run reports every class it found. Generation is derandomized: the same requests every run.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from functions.testing import unit
from functions.testing.test_env import ADMIN_KEY

OPENAPI_PATH = "/backend-manager/openapi.json"
MIN_REQUESTS = 5000
TARGET_REQUESTS = 6500
"""What the examples per operation are sized for: above MIN_REQUESTS (operations with few inputs
run out of examples sooner) and within the tier's 3-minute budget as routes are added."""
IDENTITIES = (
    "anonymous", "admin-key", "admin", "basic", "premium-active", "premium-expired", "premium-suspended",
    "premium-cancelling", "api-key:basic", "api-key:premium-active",
)


@dataclass
class Failure:
    operation: str
    identity: str
    check: str
    status: int
    detail: str
    request: str

    def line(self) -> str:
        return f"{self.operation} as {self.identity}: {self.check} (HTTP {self.status}) {self.detail[:300]}\n    request: {self.request[:400]}"


@dataclass
class FuzzStats:
    requests: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: dict[tuple[str, str, int], Failure] = field(default_factory=dict)


STATS = FuzzStats()
"""Totals for the whole session (printed by tests/fuzz/conftest.py)."""


def no_server_error(response: Any) -> str | None:
    if response.status_code < 500:
        return None
    code = _error_code(response)
    if response.status_code == 503 and code == "unavailable":
        return None
    return f"server error, code {code!r}: {response.text[:200]}"


def json_error_body(response: Any) -> str | None:
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if not content_type.startswith("application/json"):
        return f"error answered as {content_type or 'no content type'}: {response.text[:120]!r}"
    error = _json(response)
    error = error.get("error") if isinstance(error, dict) else None
    if not isinstance(error, dict) or not {"message", "code", "status", "tag"} <= set(error):
        return f"error body is not {{error: {{message, code, status, tag}}}}: {response.text[:200]}"
    return None


FRAMEWORK_CHECKS: tuple[Callable[[Any], str | None], ...] = (no_server_error, json_error_body)
SCHEMA_CHECKS = [status_code_conformance, content_type_conformance, response_headers_conformance, response_schema_conformance]


class FuzzTarget:
    """bm_api in-process, its test accounts, and the schema schemathesis loaded from it."""

    def __init__(self, root: Path) -> None:
        from functions.testing.firestore_helper import FirestoreHelper
        from functions.wsgi import api_app

        self.manager = unit.make_manager(root)
        self.firestore = FirestoreHelper(self.manager.db)
        self.accounts = unit.seed_accounts(self.firestore, manager=self.manager)
        self.documents = {a.uid: self.firestore.get(f"users/{a.uid}") for a in self.accounts.values()}
        self.app = api_app(self.manager)
        self.schema = schemathesis.openapi.from_wsgi(OPENAPI_PATH, self.app)
        self.schema.config.generation.update(with_security_parameters=False, deterministic=True, database="none")

    def reseed(self) -> None:
        """Put the test accounts back as they were (a generated DELETE user really deletes)."""
        auth = self.manager.services["auth_admin"]
        for account in self.accounts.values():
            self.firestore.set(f"users/{account.uid}", self.documents[account.uid])
            if auth.get_user(account.uid) is None:
                auth.add(account.uid, account.email)

    def credentials(self, identity: str) -> tuple[dict[str, str], dict[str, str]]:
        """(headers, query) that authenticate as ``identity``."""
        if identity == "anonymous":
            return {}, {}
        if identity == "admin-key":
            return {}, {"backendManagerKey": ADMIN_KEY}
        if identity.startswith("api-key:"):
            account = self.accounts[identity.split(":", 1)[1]]
            return {"Authorization": f"Bearer {self.documents[account.uid]['api']['privateKey']}"}, {}
        return {"Authorization": f"Bearer {self.accounts[identity].token}"}, {}

    def operations(self) -> list[Any]:
        return [result.ok() for result in self.schema.get_all_operations()]

    def fuzz(self, mode: GenerationMode) -> list[Failure]:
        """Every operation: examples generated in ``mode``, each sent as every identity. Returns new failures."""
        before = set(STATS.failures)
        started = time.monotonic()
        operations = self.operations()
        examples = max(6, math.ceil(TARGET_REQUESTS / (len(operations) * len(IDENTITIES) * 2)))
        for operation in operations:
            self._fuzz_operation(operation, mode, examples)
        STATS.seconds += time.monotonic() - started
        return [failure for key, failure in STATS.failures.items() if key not in before]

    def _fuzz_operation(self, operation: Any, mode: GenerationMode, examples: int) -> None:
        @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck), phases=_GENERATE_ONLY)
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            generated_headers, generated_query = dict(case.headers or {}), case.query
            for identity in IDENTITIES:
                headers, query = self.credentials(identity)
                case.headers = {**generated_headers, **headers}
                case.query = {**(generated_query or {}), **query} if query else generated_query
                self.reseed()
                STATS.requests += 1
                try:
                    response = case.call()
                except Exception as error:  # escaped the WSGI app: a real server answers it with a bare 500
                    self._record_crash(operation, identity, case, error)
                    continue
                STATS.statuses[response.status_code] = STATS.statuses.get(response.status_code, 0) + 1
                self._check(operation, identity, case, response)

        try:
            run()
        except Unsatisfiable:  # nothing to negate (an operation without inputs): its positive examples ran
            pass

    def _check(self, operation: Any, identity: str, case: Any, response: Any) -> None:
        for check in FRAMEWORK_CHECKS:
            problem = check(response)
            if problem:
                self._record(operation, identity, check.__name__, case, response, problem)
        if response.status_code >= 500:
            return  # already reported; conformance of a crash adds nothing
        try:
            case.validate_response(response, checks=SCHEMA_CHECKS)
        except (AssertionError, FailureGroup, schemathesis.errors.SchemathesisError) as error:
            self._record(operation, identity, "schema-conformance", case, response, _first_line(error))

    @staticmethod
    def _record_crash(operation: Any, identity: str, case: Any, error: Exception) -> None:
        key = (operation.label, "escaped-the-app", 500)
        STATS.statuses[500] = STATS.statuses.get(500, 0) + 1
        if key not in STATS.failures:
            detail = f"{type(error).__name__}: {error}"
            STATS.failures[key] = Failure(operation.label, identity, "escaped-the-app", 500, detail, _describe(case))

    @staticmethod
    def _record(operation: Any, identity: str, check: str, case: Any, response: Any, detail: str) -> None:
        key = (operation.label, check, response.status_code)
        if key not in STATS.failures:
            STATS.failures[key] = Failure(operation.label, identity, check, response.status_code, detail, _describe(case))


_GENERATE_ONLY = tuple(phase for phase in settings.default.phases if phase.name in ("explicit", "generate"))
"""No shrinking: a failure is recorded as generated, and the run goes on."""


def _error_code(response: Any) -> str | None:
    body = _json(response)
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None


def _json(response: Any) -> Any:
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


def _describe(case: Any) -> str:
    body = case.body if not _is_unset(case.body) else None
    return f"{case.method} {case.formatted_path} query={case.query} body={json.dumps(body, default=repr)[:300]}"


def _is_unset(value: Any) -> bool:
    return type(value).__name__ == "NotSet"


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return " ".join(text.split())


@contextmanager
def fuzz_environment() -> Iterator[None]:
    """The unit tier's environment (testing mode, in-memory store, emulator-format tokens)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        unit.apply_unit_env(monkeypatch)
        yield


