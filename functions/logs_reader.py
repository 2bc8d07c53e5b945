"""Read function logs: Cloud Logging in production, ``logs/emulator.log`` locally.

Both sources yield entries in Cloud Logging's JSON shape (``severity``, ``timestamp``,
``textPayload`` or ``jsonPayload``, ``resource.labels.function_name``, ``insertId``), so one
formatter and one ``--raw`` NDJSON output serve both. The filter string is built by a pure
function (``build_filter``). google-cloud-logging is imported only by ``cloud_entries``:
``mgr logs`` is the only user, never a serving instance.

``BEM_LOGGING_API_ENDPOINT`` (e.g. ``http://127.0.0.1:8099``) sends the REST calls to another
endpoint with anonymous credentials: the tests' local fake.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEVERITIES = ("DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY")
ENDPOINT_ENV = "BEM_LOGGING_API_ENDPOINT"
_SINCE = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class LogQuery:
    """BEM's ``logs:read`` flags, validated."""

    fn: str | None = None
    severity: str | None = None  # minimum
    search: str | None = None
    extra: str | None = None  # raw filter, ANDed
    since: dt.datetime | None = None


def parse_since(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """``30m``/``1h``/``2d``/``1w`` (and ``45s``) → the UTC instant that long ago. ValueError otherwise."""
    match = _SINCE.match(text.strip())
    if not match:
        raise ValueError(f'Invalid --since "{text}": use e.g. 30m, 1h, 2d, 1w')
    now = now or dt.datetime.now(dt.UTC)
    return now - dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def normalise_severity(text: str | None) -> str | None:
    if text is None:
        return None
    upper = text.strip().upper()
    if upper not in SEVERITIES:
        raise ValueError(f'Invalid --severity "{text}": one of {", ".join(SEVERITIES[1:])}')
    return upper


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rfc3339(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def build_filter(query: LogQuery) -> str:
    """The Cloud Logging filter for ``query``: scoped to Cloud Functions (1st and 2nd gen).

    ``--search`` matches the text payload and the structured ``message`` our logger writes.
    """
    parts = ['resource.type=("cloud_function" OR "cloud_run_revision")']
    if query.fn:
        fn = _quote(query.fn)
        service = _quote(query.fn.lower().replace("_", "-"))  # 2nd gen: the Cloud Run service name
        parts.append(f"(resource.labels.function_name={fn} OR resource.labels.service_name={service})")
    if query.severity:
        parts.append(f"severity>={query.severity}")
    if query.search:
        text = _quote(query.search)
        parts.append(f"(textPayload:{text} OR jsonPayload.message:{text})")
    if query.since:
        parts.append(f'timestamp>="{rfc3339(query.since)}"')
    if query.extra:
        parts.append(f"({query.extra})")
    return " AND ".join(parts)


def cloud_entries(project: str, filter_: str, *, limit: int, descending: bool) -> Iterator[dict[str, Any]]:
    """Entries from Cloud Logging (REST), as their JSON representation."""
    from google.cloud import logging as cloud_logging

    kwargs: dict[str, Any] = {"project": project, "_use_grpc": False}
    endpoint = os.environ.get(ENDPOINT_ENV)
    if endpoint:
        from google.auth.credentials import AnonymousCredentials

        kwargs.update(credentials=AnonymousCredentials(), client_options={"api_endpoint": endpoint})
    client = cloud_logging.Client(**kwargs)
    order = cloud_logging.DESCENDING if descending else cloud_logging.ASCENDING
    for entry in client.list_entries(
        resource_names=[f"projects/{project}"], filter_=filter_, order_by=order, max_results=limit,
        page_size=min(limit, 1000),
    ):
        yield entry.to_api_repr()


# --- the local emulator's log (firebase-tools' output, written by `mgr emulator` / `mgr test`) ---

_BEGIN = re.compile(r'^i  functions: Beginning execution of "(?:[a-z0-9-]+-)?([A-Za-z0-9_]+)"')
_FINISH = re.compile(r'^i  functions: Finished "(?:[a-z0-9-]+-)?([A-Za-z0-9_]+)"')
_OUTPUT = re.compile(r"^>  (.*)$")
_LEVEL = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL)(?::[\w.]*:|\s+)(.*)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def parse_emulator_log(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Function output lines (``>  ...``) as entries, each credited to the function running then.

    firebase-tools prints no timestamp or function name on output lines; the function is the one
    whose "Beginning execution" came last and has not finished (best effort when calls overlap).
    Our logger's JSON lines become ``jsonPayload`` entries; other lines ``textPayload``.
    """
    entries: list[dict[str, Any]] = []
    running: list[str] = []
    for number, raw in enumerate(lines, 1):
        line = _ANSI.sub("", raw.rstrip("\n"))
        if match := _BEGIN.match(line):
            running.append(match.group(1))
            continue
        if match := _FINISH.match(line):
            if match.group(1) in running:
                running.remove(match.group(1))
            continue
        match = _OUTPUT.match(line)
        if not match or not match.group(1).strip():
            continue
        entries.append(_local_entry(match.group(1), running[-1] if running else None, number))
    return entries


def _local_entry(text: str, function: str | None, number: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"insertId": f"line-{number}", "severity": "DEFAULT"}
    if function:
        entry["resource"] = {"type": "cloud_function", "labels": {"function_name": function}}
    try:
        payload = json.loads(text)
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        entry["severity"] = str(payload.get("severity") or "DEFAULT").upper()
        entry["jsonPayload"] = payload
        return entry
    if level := _LEVEL.match(text):
        entry["severity"], text = level.group(1), level.group(2)
    entry["textPayload"] = text
    return entry


def matches(entry: dict[str, Any], query: LogQuery) -> bool:
    """The local equivalent of ``build_filter`` (``extra`` and ``since`` do not apply locally)."""
    if query.fn and function_name(entry) != query.fn:
        return False
    if query.severity and SEVERITIES.index(entry.get("severity", "DEFAULT")) < SEVERITIES.index(query.severity):
        return False
    return not query.search or query.search.lower() in message(entry).lower()


def read_local(path: Path, query: LogQuery, *, limit: int, descending: bool) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    with path.open(errors="replace") as handle:
        entries = [e for e in parse_emulator_log(handle) if matches(e, query)]
    entries = entries[-limit:]
    return entries[::-1] if descending else entries


# --- formatting ---

def function_name(entry: dict[str, Any]) -> str:
    labels = (entry.get("resource") or {}).get("labels") or {}
    return labels.get("function_name") or labels.get("service_name") or ""


def message(entry: dict[str, Any]) -> str:
    """The human text of an entry: textPayload, else jsonPayload.message, else the payload as JSON."""
    if entry.get("textPayload") is not None:
        return str(entry["textPayload"])
    payload = entry.get("jsonPayload")
    if isinstance(payload, dict):
        text = payload.get("message")
        if isinstance(text, str):
            trace = payload.get("stack_trace")
            return f"{text}\n{trace}" if trace else text
        return json.dumps(payload, default=str)
    if entry.get("protoPayload") is not None:
        return json.dumps(entry["protoPayload"], default=str)
    return ""


SEVERITY_STYLES = {
    "DEFAULT": "dim", "DEBUG": "dim", "INFO": "cyan", "NOTICE": "blue", "WARNING": "yellow",
    "ERROR": "red", "CRITICAL": "bold red", "ALERT": "bold red", "EMERGENCY": "bold red",
}


def format_entry(entry: dict[str, Any]) -> Any:
    """A rich ``Text`` line: time, severity, function, message."""
    from rich.text import Text

    severity = entry.get("severity") or "DEFAULT"
    stamp = entry.get("timestamp") or entry.get("receiveTimestamp") or ""
    line = Text()
    if stamp:
        line.append(str(stamp).replace("T", " ")[:23] + " ", style="dim")
    line.append(f"[{severity:<8}] ", style=SEVERITY_STYLES.get(severity, ""))
    if fn := function_name(entry):
        line.append(f"[{fn}] ", style="blue")
    line.append(message(entry))
    return line
