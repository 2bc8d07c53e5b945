"""``mgr logs``: the Cloud Logging filter, entry formatting, the emulator log parser, and
``mgr logs read|tail --production`` through the real google-cloud-logging client (REST) against
a local fake of the Cloud Logging API that records each request."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from functions import logs_reader
from functions.cli import logs_cmd
from functions.logs_reader import LogQuery, build_filter, parse_emulator_log, parse_since
from functions.testing.logging_fake import LoggingFake

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
runner = CliRunner()


@pytest.mark.parametrize(("text", "expected"), [
    ("30m", NOW - dt.timedelta(minutes=30)), ("1h", NOW - dt.timedelta(hours=1)),
    ("2d", NOW - dt.timedelta(days=2)), ("1w", NOW - dt.timedelta(weeks=1)), ("45s", NOW - dt.timedelta(seconds=45)),
])
def test_parse_since(text, expected):
    assert parse_since(text, now=NOW) == expected


@pytest.mark.parametrize("bad", ["", "1", "h", "1y", "-1h", "1.5h"])
def test_parse_since_rejects(bad):
    with pytest.raises(ValueError, match="--since"):
        parse_since(bad)


def test_filter_with_every_flag():
    query = LogQuery(fn="bm_api", severity="ERROR", search='say "hi"', extra='labels.tag="x"',
                     since=NOW - dt.timedelta(hours=1))
    assert build_filter(query) == (
        'resource.type=("cloud_function" OR "cloud_run_revision")'
        ' AND (resource.labels.function_name="bm_api" OR resource.labels.service_name="bm-api")'
        " AND severity>=ERROR"
        ' AND (textPayload:"say \\"hi\\"" OR jsonPayload.message:"say \\"hi\\"")'
        ' AND timestamp>="2026-12-02T11:00:00Z"'
        ' AND (labels.tag="x")'
    )


def test_filter_without_flags_is_scoped_to_functions():
    assert build_filter(LogQuery()) == 'resource.type=("cloud_function" OR "cloud_run_revision")'


def test_severity_is_validated_and_upper_cased():
    assert logs_reader.normalise_severity("warning") == "WARNING"
    with pytest.raises(ValueError, match="--severity"):
        logs_reader.normalise_severity("LOUD")


EMULATOR_LOG = """\
i  functions: Beginning execution of "us-central1-bm_api"
>  INFO    [api] GET /backend-manager/app
>  {"severity": "ERROR", "message": "card declined for uid-1", "logger": "bem"}
i  functions: Beginning execution of "us-central1-bm_authOnCreate"
>  WARNING:bem:slow user doc write
i  functions: Finished "us-central1-bm_authOnCreate" in 12ms
>  plain print from bm_api
i  functions: Finished "us-central1-bm_api" in 40ms
>  \x1b[33mafter every function\x1b[39m
"""


def test_emulator_log_entries_are_credited_to_the_running_function():
    entries = parse_emulator_log(EMULATOR_LOG.splitlines(keepends=True))
    rows = [(logs_reader.function_name(e), e["severity"], logs_reader.message(e)) for e in entries]
    assert rows == [
        ("bm_api", "INFO", "[api] GET /backend-manager/app"),
        ("bm_api", "ERROR", "card declined for uid-1"),
        ("bm_authOnCreate", "WARNING", "slow user doc write"),
        ("bm_api", "DEFAULT", "plain print from bm_api"),
        ("", "DEFAULT", "after every function"),
    ]
    assert entries[1]["jsonPayload"]["logger"] == "bem"


def test_read_local_filters_limits_and_orders(tmp_path):
    log = tmp_path / "emulator.log"
    log.write_text(EMULATOR_LOG)
    newest_first = logs_reader.read_local(log, LogQuery(fn="bm_api"), limit=2, descending=True)
    assert [logs_reader.message(e) for e in newest_first] == ["plain print from bm_api", "card declined for uid-1"]
    assert [logs_reader.message(e) for e in logs_reader.read_local(
        log, LogQuery(severity="WARNING"), limit=10, descending=False)] == ["card declined for uid-1", "slow user doc write"]
    assert [logs_reader.message(e) for e in logs_reader.read_local(
        log, LogQuery(search="UID-1"), limit=10, descending=False)] == ["card declined for uid-1"]
    assert logs_reader.read_local(tmp_path / "absent.log", LogQuery(), limit=10, descending=False) == []


def test_format_entry_shows_time_severity_function_and_structured_message():
    entry = {"timestamp": "2026-12-02T11:59:00.123456Z", "severity": "ERROR",
             "resource": {"labels": {"function_name": "bm_api"}},
             "jsonPayload": {"message": "boom", "stack_trace": "Traceback ..."}}
    line = logs_reader.format_entry(entry)
    assert line.plain == "2026-12-02 11:59:00.123 [ERROR   ] [bm_api] boom\nTraceback ..."
    assert any(span.style == "red" for span in line.spans)


# --- production path: the real client against the fake Cloud Logging API ---

ENTRIES = [
    {"logName": "projects/acme-prod/logs/cloudfunctions.googleapis.com%2Fcloud-functions", "insertId": "a1",
     "severity": "ERROR", "timestamp": "2026-12-02T11:59:00.123456789Z",
     "resource": {"type": "cloud_function", "labels": {"function_name": "bm_api"}},
     "jsonPayload": {"message": "payment failed for uid-7", "logger": "bem"}},
    {"logName": "projects/acme-prod/logs/run.googleapis.com%2Fstdout", "insertId": "a2", "severity": "INFO",
     "timestamp": "2026-12-02T11:58:00Z", "resource": {"type": "cloud_run_revision", "labels": {"service_name": "bm-api"}},
     "textPayload": "GET /backend-manager/app"},
]


@pytest.fixture
def cloud(tmp_path, monkeypatch):
    (tmp_path / "firebase.json").write_text("{}")
    (tmp_path / ".firebaserc").write_text(json.dumps({"projects": {"default": "acme-prod"}}))
    monkeypatch.chdir(tmp_path)
    fake = LoggingFake().start()
    fake.entries = [dict(e) for e in ENTRIES]
    monkeypatch.setenv(logs_reader.ENDPOINT_ENV, fake.url)
    yield fake
    fake.stop()


def test_read_production_sends_the_filter_order_and_limit(cloud):
    result = runner.invoke(logs_cmd.app, ["read", "--production", "--fn", "bm_api", "--severity", "error",
                                          "--search", "uid-7", "--since", "2h", "--limit", "50", "--order", "asc"])
    assert result.exit_code == 0, result.output
    [request] = cloud.requests
    assert request["path"] == "/v2/entries:list"
    assert request["resourceNames"] == ["projects/acme-prod"]
    assert request["orderBy"] == "timestamp asc" and request["pageSize"] == 50
    assert 'resource.labels.function_name="bm_api"' in request["filter"]
    assert "severity>=ERROR" in request["filter"]
    assert 'jsonPayload.message:"uid-7"' in request["filter"]
    assert 'timestamp>="' in request["filter"]
    assert "[bm_api] payment failed for uid-7" in result.stdout
    assert "[bm-api] GET /backend-manager/app" in result.stdout


def test_read_production_raw_is_ndjson_of_the_entries(cloud):
    result = runner.invoke(logs_cmd.app, ["read", "--production", "--raw"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["insertId"] for e in lines] == ["a1", "a2"]
    assert lines[0]["jsonPayload"]["message"] == "payment failed for uid-7"
    assert cloud.requests[0]["orderBy"] == "timestamp desc"


def test_read_production_limit_stops_paging(cloud):
    cloud.entries = [{**ENTRIES[1], "insertId": f"e{i}"} for i in range(7)]
    result = runner.invoke(logs_cmd.app, ["read", "--production", "--raw", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3


def test_read_production_failure_exits_1_with_the_reason(cloud):
    cloud.fail_next(1, status=403)
    result = runner.invoke(logs_cmd.app, ["read", "--production"])
    assert result.exit_code == 1
    assert "Reading Cloud Logging failed" in result.stderr and "simulated failure" in result.stderr


def test_usage_errors_exit_2(cloud):
    assert runner.invoke(logs_cmd.app, ["read", "--production", "--since", "yesterday"]).exit_code == 2
    assert runner.invoke(logs_cmd.app, ["read", "--production", "--order", "up"]).exit_code == 2
    assert runner.invoke(logs_cmd.app, ["read", "--production", "--severity", "LOUD"]).exit_code == 2
    assert runner.invoke(logs_cmd.app, ["read", "--production", "--emulator"]).exit_code == 2


def test_no_project_is_a_usage_error(tmp_path, monkeypatch):
    (tmp_path / "firebase.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    for name in ("GCLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    result = runner.invoke(logs_cmd.app, ["read", "--production"])
    assert result.exit_code == 2 and "No project id" in result.stderr


def test_tail_production_polls_from_a_watermark_and_shows_each_entry_once(cloud):
    # tail starts a minute back from now: the entries are dated just after it starts
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    cloud.entries[0]["timestamp"] = soon.strftime("%Y-%m-%dT%H:%M:%S.%f") + "789Z"
    cloud.entries[1]["timestamp"] = (soon - dt.timedelta(seconds=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = runner.invoke(logs_cmd.app, ["tail", "--production", "--raw", "--interval", "0.1", "--polls", "2",
                                          "--fn", "bm_api"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["insertId"] for line in result.stdout.splitlines()] == ["a1", "a2"]
    first, second = cloud.requests
    assert first["orderBy"] == second["orderBy"] == "timestamp asc"
    # the second poll starts at the newest entry seen (nanoseconds trimmed to microseconds)
    assert f'timestamp>="{soon.strftime("%Y-%m-%dT%H:%M:%S.%f")}Z"' in second["filter"]


def test_tail_keeps_polling_after_a_failed_poll(cloud):
    cloud.fail_next(1, status=503)
    result = runner.invoke(logs_cmd.app, ["tail", "--production", "--raw", "--interval", "0.1", "--polls", "2"])
    assert result.exit_code == 0, result.output
    assert "Reading Cloud Logging failed" in result.stderr
    assert [json.loads(line)["insertId"] for line in result.stdout.splitlines()] == ["a1", "a2"]


def test_tail_local_prints_only_lines_appended_after_it_starts(tmp_path, monkeypatch):
    (tmp_path / "firebase.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    log = Path(tmp_path / "emulator.log")
    log.write_text(EMULATOR_LOG)

    def emulator_writes_a_line():  # after tail's first poll, before its second
        time.sleep(1.0)
        with log.open("a") as handle:
            handle.write('i  functions: Beginning execution of "us-central1-bm_api"\n>  ERROR   new failure\n')

    writer = threading.Thread(target=emulator_writes_a_line)
    writer.start()
    result = runner.invoke(logs_cmd.app, ["tail", "--emulator", "--log-file", str(log), "--raw", "--polls", "2",
                                          "--interval", "2"])
    writer.join()
    assert result.exit_code == 0, result.output
    [entry] = [json.loads(line) for line in result.stdout.splitlines()]
    assert entry["textPayload"] == "new failure" and entry["severity"] == "ERROR"
    assert entry["resource"]["labels"]["function_name"] == "bm_api"
