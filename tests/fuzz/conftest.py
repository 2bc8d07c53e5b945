"""Fuzz tier fixtures: one in-process bm_api for the whole session, and the run's totals."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fuzz.harness import IDENTITIES, STATS, FuzzTarget, fuzz_environment


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Everything under tests/fuzz belongs to the fuzz tier (``mgr test --tier fuzz``)."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.fuzz)


@pytest.fixture(scope="session")
def fuzz_target(pytestconfig: pytest.Config) -> Iterator[Any]:
    from functions.testing.unit import find_project_root

    logger = logging.getLogger("bem")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # thousands of expected 4xx/503 log lines; a failure names its request
    try:
        with fuzz_environment():
            yield FuzzTarget(find_project_root(pytestconfig.rootpath))
    finally:
        logger.setLevel(level)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not STATS.requests:
        return
    statuses = ", ".join(f"{code}: {count}" for code, count in sorted(STATS.statuses.items()))
    terminalreporter.write_line(
        f"fuzz: {STATS.requests} generated requests in {STATS.seconds:.1f}s ({len(IDENTITIES)} identities); statuses {statuses}"
    )
    for failure in STATS.failures.values():
        terminalreporter.write_line(f"fuzz failure: {failure.line()}")
