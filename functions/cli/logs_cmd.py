"""``mgr logs read|tail``: function logs from Cloud Logging, or from the local emulator's log.

    mgr logs read --fn bm_api --severity ERROR --since 1h
    mgr logs read --search "user@example.com" --since 7d --raw     # NDJSON
    mgr logs tail --fn bm_paymentsWebhookOnWrite --interval 5

Source: the emulator's ``logs/emulator.log`` with ``--emulator``, or when an emulator runs and
``--production`` is not given; Cloud Logging (google-cloud-logging, REST) otherwise. Exit codes:
0 ok (also when nothing matched), 1 the read failed, 2 usage.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path

import typer

from functions.cli.target import EXIT_FAILED, EXIT_USAGE, fail, find_root, note, production_project

app = typer.Typer(help="Read or tail function logs (Cloud Logging, or the local emulator's log).", no_args_is_help=True)

FnOption = typer.Option(None, "--fn", help="Function name, e.g. bm_api")
SeverityOption = typer.Option(None, "--severity", help="Minimum severity: DEBUG, INFO, WARNING, ERROR, CRITICAL")
SearchOption = typer.Option(None, "--search", help="Substring of the text or of the structured message")
FilterOption = typer.Option(None, "--filter", help="Raw Cloud Logging filter, ANDed (production only)")
RawOption = typer.Option(False, "--raw", "--json", help="One JSON entry per line (NDJSON)")
ProductionOption = typer.Option(False, "--production", help="Read Cloud Logging even when an emulator runs")
EmulatorOption = typer.Option(False, "--emulator", help="Read the local emulator log (logs/emulator.log)")
LogFileOption = typer.Option(None, "--log-file", help="Local log to read (default: logs/emulator.log)")


def _query(fn: str | None, severity: str | None, search: str | None, extra: str | None, since: str | None):
    from functions.logs_reader import LogQuery, normalise_severity, parse_since

    try:
        return LogQuery(fn=fn, severity=normalise_severity(severity), search=search, extra=extra,
                        since=parse_since(since) if since else None)
    except ValueError as error:
        raise fail(str(error), EXIT_USAGE) from None


def _source(production: bool, emulator: bool, root: Path) -> str:
    """``"local"`` or the production project id."""
    if production and emulator:
        raise fail("Choose one of --production and --emulator.", EXIT_USAGE)
    if emulator:
        return "local"
    if not production:
        from functions.emulator import DEFAULT_PROJECT, detect_running

        if detect_running(DEFAULT_PROJECT, root, timeout=0.5) is not None:
            return "local"
    project = production_project(root)
    if not project:
        raise fail("No project id: add service-account.json or a .firebaserc default, or set GCLOUD_PROJECT.", EXIT_USAGE)
    return project


def _fetch(source: str, query, *, limit: int, descending: bool, log_file: Path) -> list[dict]:
    from functions import logs_reader

    if source == "local":
        return logs_reader.read_local(log_file, query, limit=limit, descending=descending)
    try:
        return list(logs_reader.cloud_entries(source, logs_reader.build_filter(query), limit=limit, descending=descending))
    except Exception as error:  # google.api_core / auth errors: report, exit 1
        raise fail(f"Reading Cloud Logging failed: {type(error).__name__}: {error}", EXIT_FAILED) from None


def _print(entries: list[dict], raw: bool) -> None:
    if raw:
        for entry in entries:
            typer.echo(json.dumps(entry, default=str, separators=(",", ":")))
        return
    from rich.console import Console

    from functions.logs_reader import format_entry

    console = Console(highlight=False)
    for entry in entries:
        console.print(format_entry(entry))


@app.command("read")
def read(
    fn: str = FnOption, severity: str = SeverityOption, search: str = SearchOption, filter_: str = FilterOption,
    since: str = typer.Option("1h", "--since", help="How far back: 30m, 1h, 2d, 1w (production)"),
    limit: int = typer.Option(300, "--limit", min=1, help="Most entries"),
    order: str = typer.Option("desc", "--order", help="desc (newest first) or asc"),
    raw: bool = RawOption, production: bool = ProductionOption, emulator: bool = EmulatorOption,
    log_file: Path = LogFileOption,
) -> None:
    """Read recent function logs."""
    if order not in ("asc", "desc"):
        raise fail(f'Invalid --order "{order}": asc or desc', EXIT_USAGE)
    root = find_root()
    query = _query(fn, severity, search, filter_, since)
    source = _source(production, emulator, root)
    log_file = log_file or root / "logs" / "emulator.log"
    if source == "local":
        note(f"Source: {log_file} (local emulator; --since and --filter do not apply)")
    else:
        from functions.logs_reader import build_filter

        note(f"Project: {source}\nFilter: {build_filter(query)}")
    entries = _fetch(source, query, limit=limit, descending=order == "desc", log_file=log_file)
    note(f"Found {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}")
    _print(entries, raw)


@app.command("tail")
def tail(
    fn: str = FnOption, severity: str = SeverityOption, search: str = SearchOption, filter_: str = FilterOption,
    interval: float = typer.Option(5.0, "--interval", min=0.1, help="Seconds between polls"),
    raw: bool = RawOption, production: bool = ProductionOption, emulator: bool = EmulatorOption,
    log_file: Path = LogFileOption,
    polls: int = typer.Option(0, "--polls", min=0, help="Stop after this many polls (0: until Ctrl-C)"),
) -> None:
    """Poll for new log entries until Ctrl-C (entries already shown are skipped by insertId)."""
    from functions.logs_reader import rfc3339

    root = find_root()
    base = _query(fn, severity, search, filter_, None)
    source = _source(production, emulator, root)
    log_file = log_file or root / "logs" / "emulator.log"
    note(f"Tailing {log_file if source == 'local' else source} every {interval:g}s (Ctrl-C to stop)")
    seen: set[str] = set()
    watermark = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    first_local = source == "local"
    count = 0
    try:
        while True:
            query = base if source == "local" else _with_since(base, watermark)
            try:
                entries = _fetch(source, query, limit=1000, descending=False, log_file=log_file)
            except typer.Exit:  # already reported; a transient failure, the next poll retries
                entries = []
            fresh = [e for e in entries if _key(e) not in seen]
            seen.update(_key(e) for e in fresh)
            if first_local:  # the local log's history is not "new": start from its end
                fresh, first_local = [], False
            _print(fresh, raw)
            stamps = [e["timestamp"] for e in fresh if e.get("timestamp")]
            if stamps:
                watermark = max(watermark, _parse_stamp(max(stamps)))
            if len(seen) > 5000:
                seen = {_key(e) for e in entries}
            count += 1
            if polls and count >= polls:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        note(f"Tail stopped (last seen {rfc3339(watermark)}).")


def _with_since(query, since: dt.datetime):
    from dataclasses import replace

    return replace(query, since=since)


def _key(entry: dict) -> str:
    return str(entry.get("insertId") or f"{entry.get('timestamp')}-{entry.get('textPayload')}")


def _parse_stamp(text: str) -> dt.datetime:
    """RFC 3339 with up to nanoseconds (Python parses at most microseconds)."""
    text = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("Z", "+00:00"))
    return dt.datetime.fromisoformat(text)
