"""The cron runner, the admin/cron route, the scheduled functions and `mgr cron run`."""

import datetime as dt

import pytest
from typer.testing import CliRunner

from functions.cron import discover_jobs, run_by_id, run_jobs
from functions.errors import NotFound
from functions.testing import unit

NOW = dt.datetime(2024, 4, 15, 0, 0, 5, tzinfo=dt.UTC)


@pytest.fixture
def hooked_manager(manager, bem_root, tmp_path):
    """The project plus a hooks layer with three daily jobs: one fails, two write a marker."""
    jobs = tmp_path / "hooks" / "cron" / "daily"
    jobs.mkdir(parents=True)
    (jobs / "a_first.py").write_text(
        "def main(db, now, schedule):\n"
        "    db.document('cron-test/first').set({'at': now.isoformat(), 'schedule': schedule})\n"
        "    return {'wrote': 1}\n"
    )
    (jobs / "b_broken.py").write_text("def main(log):\n    raise RuntimeError('boom')\n")
    (jobs / "c_after.py").write_text("def main(db):\n    db.document('cron-test/after').set({'ran': True})\n")
    (jobs / "_helper.py").write_text("raise ImportError('helpers are not jobs')\n")
    return unit.make_manager(bem_root, hooks=[tmp_path / "hooks"])


def test_built_ins_run_first_then_project_jobs_by_name(hooked_manager):
    names = [(job.name, job.source) for job in discover_jobs(hooked_manager, "daily")]
    assert names == [
        ("expire-paypal-cancellations", "built-in"), ("marketing-prune", "built-in"),
        ("prune-auth-events", "built-in"), ("prune-emails", "built-in"), ("prune-notification-events", "built-in"),
        ("reset-usage", "built-in"),
        ("a-first", "project"), ("b-broken", "project"), ("c-after", "project"),
    ]


def test_a_failing_job_is_reported_and_the_next_still_runs(hooked_manager, firestore):
    results = run_jobs(hooked_manager, "daily", now=NOW)
    assert [(r.name, r.status) for r in results] == [
        ("expire-paypal-cancellations", "ok"), ("marketing-prune", "ok"),
        ("prune-auth-events", "ok"), ("prune-emails", "ok"), ("prune-notification-events", "ok"), ("reset-usage", "ok"),
        ("a-first", "ok"), ("b-broken", "error"), ("c-after", "ok"),
    ]
    assert results[7].error == "RuntimeError: boom"
    assert results[6].result == {"wrote": 1}
    assert firestore.get("cron-test/first") == {"at": NOW.isoformat(), "schedule": "daily"}
    assert firestore.get("cron-test/after") == {"ran": True}


def test_only_runs_one_job_by_either_spelling(hooked_manager, firestore):
    assert [r.name for r in run_jobs(hooked_manager, "daily", only="c_after")] == ["c-after"]
    assert firestore.exists("cron-test/after") and not firestore.exists("cron-test/first")
    assert [r.name for r in run_by_id(hooked_manager, "a-first", now=NOW)] == ["a-first"]
    assert firestore.exists("cron-test/first")
    with pytest.raises(NotFound, match="No cron job named 'nope'"):
        run_by_id(hooked_manager, "nope")
    with pytest.raises(NotFound, match="Unknown schedule 'hourly'"):
        run_jobs(hooked_manager, "hourly")


def test_frequent_schedule_runs_the_payments_recovery(manager):
    assert [(r.name, r.status) for r in run_jobs(manager, "frequent", now=NOW)] == [
        ("email-queue", "ok"), ("marketing-campaigns", "ok"), ("recover-payments", "ok")]


def test_admin_cron_refuses_anonymous_and_non_admins(bm):
    assert bm.post("admin/cron", {"id": "reset-usage"}).status == 401
    assert bm.as_("basic").post("admin/cron", {"id": "reset-usage"}).status == 403
    assert bm.as_("premium-active").post("admin/cron", {"id": "daily"}).status == 403


def test_admin_cron_runs_a_job_or_a_schedule(bm, firestore):
    firestore.set("usage/203.0.113.1", {"requests": {"daily": 1}})
    response = bm.as_("admin").post("admin/cron", {"id": "reset_usage"})
    assert response.status == 200
    assert response.json["ok"] is True
    [result] = response.json["results"]
    assert (result["name"], result["status"], result["result"]["anonymous_deleted"]) == ("reset-usage", "ok", 1)
    assert firestore.list("usage") == {}

    assert [r["name"] for r in bm.as_("admin").post("admin/cron", {"id": "daily"}).json["results"]] == [
        "expire-paypal-cancellations", "marketing-prune", "prune-auth-events", "prune-emails", "prune-notification-events",
        "reset-usage"]
    missing = bm.as_("admin").post("admin/cron", {"id": "nope"})
    assert missing.status == 404 and "reset-usage" in missing.error


def test_scheduled_functions_are_declared_in_utc(manager):
    from functions.cron.cloud import build

    functions = build(manager)
    daily, frequent = functions["bm_cronDaily"], functions["bm_cronFrequent"]
    assert (daily.__name__, frequent.__name__) == ("bm_cronDaily", "bm_cronFrequent")
    daily_endpoint, frequent_endpoint = daily.__firebase_endpoint__, frequent.__firebase_endpoint__
    assert daily_endpoint.scheduleTrigger["schedule"] == "0 0 * * *"
    assert daily_endpoint.scheduleTrigger["timeZone"] == "UTC"
    assert daily_endpoint.timeoutSeconds == 300
    assert frequent_endpoint.scheduleTrigger["schedule"] == "every 10 minutes"
    assert frequent_endpoint.scheduleTrigger["timeZone"] == "UTC"
    assert frequent_endpoint.timeoutSeconds == 540


def test_cli_runs_a_job_and_exits_non_zero_on_unknown_names(manager, bem_root, monkeypatch, firestore):
    from functions.cli.cron_cmd import app

    monkeypatch.chdir(bem_root)
    firestore.set("usage/203.0.113.2", {"requests": {"daily": 1}})
    ok = CliRunner().invoke(app, ["run", "daily", "--job", "reset-usage"])
    assert ok.exit_code == 0, ok.output
    assert "reset-usage" in ok.output and "ok" in ok.output
    assert firestore.list("usage") == {}
    assert CliRunner().invoke(app, ["run", "daily", "--job", "nope"]).exit_code == 2
    assert CliRunner().invoke(app, ["run", "hourly"]).exit_code == 2
