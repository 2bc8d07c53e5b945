"""Read BEM's test-runner output and judge it against the checked-in expected-failures list.

BEM's runner (npm ``backend-manager``, ``npx mgr test``) prints one line per test and no
machine-readable report, so :func:`parse_output` rebuilds the results from its text: suite
headers (``⤷ description``), results (``✓``/``✗``/``○`` name), the "Skipping N remaining
test(s)" notice after a failure, and the indented message under a failed test.

A test is named ``"<file> :: <test>"`` (``<file>`` relative to BEM's ``test/`` folder, as
``list_tests.js`` reports it) or just ``"<file>"`` for a standalone test. The expected-failures
file maps each such name to a reason key, and every reason key to its explanation (a later issue,
or a row of ``docs/bem-differences.md``). :func:`judge` fails the tier on an unlisted failure and
on a listed test that now passes, so the list can only shrink.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ANSI = re.compile(r"\x1B\[[0-9;]*[a-zA-Z]")
SUITE_HEADER = re.compile(r"^ {4}⤷ (.+)$")
SUITE_RESULT = re.compile(r"^ {6}([✓✗○]) (.+?)(?: \(\d+ms\))?(?: \(skipped.*\))?$")
FILE_RESULT = re.compile(r"^ {4}([✓✗○]) (.+?)(?: \(\d+ms\))?(?: \(skipped.*\))?$")
SKIP_REST = re.compile(r"^ {8}Skipping (\d+) remaining test\(s\) in suite")
MARKS = {"✓": "pass", "✗": "fail", "○": "skip"}


@dataclass
class BemTest:
    """One BEM test's outcome."""

    name: str
    result: str
    message: str = ""


@dataclass
class Verdict:
    """The tier's judgement: counts, and the tests that break the contract of the list."""

    passed: int = 0
    failed: int = 0
    expected: int = 0
    skipped: int = 0
    unexpected_failures: list[BemTest] = field(default_factory=list)
    now_passing: list[str] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unexpected_failures and not self.now_passing

    def line(self) -> str:
        return (
            f"bem: {self.passed} passed, {len(self.unexpected_failures)} failed, {self.expected} expected-failures, "
            f"{self.skipped} skipped, {len(self.now_passing)} now-passing"
        )


def _lines(text: str) -> list[str]:
    """Runner output as plain lines: colours stripped, BEM's JSON-wrapped log lines unwrapped."""
    out = []
    for raw in ANSI.sub("", text).splitlines():
        stripped = raw.strip()
        if stripped.startswith('{"severity"'):
            try:
                raw = ANSI.sub("", str(json.loads(stripped).get("message", "")))
            except (ValueError, AttributeError):
                pass
        out.extend(raw.splitlines() or [""])
    return out


def parse_output(text: str, files: list[dict]) -> list[BemTest]:
    """Rebuild each test's result from the runner's text (``files`` from ``list_tests.js``)."""
    by_description: dict[str, list[dict]] = {}
    for entry in files:
        by_description.setdefault(entry["description"], []).append(entry)
    used: set[str] = set()

    def file_for(description: str) -> str:
        for entry in by_description.get(description, []) + [f for f in files if f["path"] == description]:
            if entry["path"] not in used:
                used.add(entry["path"])
                return entry["path"]
        return description

    results: list[BemTest] = []
    suite_file: str | None = None
    suite_tests: list[str] = []
    last_failed: BemTest | None = None
    started = False
    for line in _lines(text):
        if line.strip() == "BEM Core Tests":
            started = True
            continue
        if not started:
            continue
        if line.strip() == "Results":
            break
        if match := SUITE_HEADER.match(line):
            suite_file = file_for(match.group(1))
            suite_tests = next((f["tests"] for f in files if f["path"] == suite_file), [])
            last_failed = None
        elif suite_file and (match := SUITE_RESULT.match(line)):
            test = BemTest(f"{suite_file} :: {match.group(2)}", MARKS[match.group(1)])
            results.append(test)
            last_failed = test if test.result == "fail" else None
        elif suite_file and (match := SKIP_REST.match(line)):
            done = {t.name for t in results}
            rest = [name for name in suite_tests if f"{suite_file} :: {name}" not in done][: int(match.group(1))]
            results.extend(BemTest(f"{suite_file} :: {name}", "skip") for name in rest)
            last_failed = None
        elif match := FILE_RESULT.match(line):
            suite_file = None
            test = BemTest(file_for(match.group(2)), MARKS[match.group(1)])
            results.append(test)
            last_failed = test if test.result == "fail" else None
        elif last_failed is not None and line.startswith(" " * 6) and not line.strip().startswith("⚠"):
            last_failed.message = f"{last_failed.message} | {line.strip()}" if last_failed.message else line.strip()
    return results


def load_expected(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """``(tests → reason key, reason key → explanation)``; every test must name a known reason."""
    data = json.loads(path.read_text())
    reasons, tests = data["reasons"], data["expected"]
    unknown = sorted({reason for reason in tests.values() if reason not in reasons})
    if unknown:
        raise ValueError(f"{path}: expected failures name unknown reasons: {', '.join(unknown)}")
    return tests, reasons


ORDER_DEPENDENT = "-order-dependent"
"""A reason key ending so lists a test whose outcome depends on which of BEM's files ran before it
(two of BEM's suites use one account): it fails in the full run and may pass in a filtered one."""


def judge(results: list[BemTest], expected: dict[str, str], targets_ran: list[str] | None = None) -> Verdict:
    """Compare the results with the list; a listed test that now passes breaks the tier too
    (except under an order-dependent reason, see ``ORDER_DEPENDENT``).

    ``targets_ran`` (file prefixes) limits "listed but not run" to the files the run covered.
    """
    verdict = Verdict()
    seen = set()
    for test in results:
        seen.add(test.name)
        if test.result == "skip":
            verdict.skipped += 1
        elif test.result == "pass":
            verdict.passed += 1
            if test.name in expected and not expected[test.name].endswith(ORDER_DEPENDENT):
                verdict.now_passing.append(test.name)
        elif test.name in expected:
            verdict.expected += 1
        else:
            verdict.failed += 1
            verdict.unexpected_failures.append(test)
    covered = targets_ran or [""]
    verdict.not_run = sorted(n for n in expected if n not in seen and any(n.startswith(p) for p in covered))
    return verdict


def reason_breakdown(expected: dict[str, str]) -> Counter:
    """How many listed tests each reason accounts for."""
    return Counter(expected.values())
