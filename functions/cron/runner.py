"""Cron jobs: discovery by path and a runner that isolates failures.

A job is one file, ``cron/{daily|frequent}/{name}.py`` (built-in) or
``hooks/cron/{daily|frequent}/{name}.py`` (the project's), defining ``main``
whose parameters are injected by name:

    def main(manager, db, log, now): ...

``manager`` the Manager, ``db`` the Firestore client, ``config`` the validated config,
``log`` a logger tagged ``cron/{schedule}/{job}``, ``now`` the run's moment (UTC),
``schedule`` ``"daily"`` or ``"frequent"``. What ``main`` returns (a JSON-able summary)
is reported in the job's result. Built-in jobs run first, then the project's, each
group by file name; one job raising is logged and the next still runs.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from functions.api import inject
from functions.errors import NotFound, SetupError
from functions.logs import get_logger
from functions.timestamps import utcnow

if TYPE_CHECKING:
    from functions.manager import Manager

SCHEDULES = ("daily", "frequent")
Source = Literal["built-in", "project"]
INJECTABLE = ("manager", "db", "config", "log", "now", "schedule")


@dataclass(frozen=True)
class Job:
    name: str  # kebab-case, from the file name: reset_usage.py → reset-usage
    schedule: str
    path: Path
    source: Source


@dataclass
class JobResult:
    name: str
    schedule: str
    source: Source
    status: Literal["ok", "error"]
    seconds: float
    result: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "schedule": self.schedule, "source": self.source, "status": self.status,
            "seconds": round(self.seconds, 4), "result": self.result, "error": self.error,
        }


def job_name(stem: str) -> str:
    return stem.replace("_", "-")


def discover_jobs(manager: Manager, schedule: str) -> list[Job]:
    """Built-in jobs (``cron/{schedule}/``), then the project's (``hooks/cron/{schedule}/``)."""
    if schedule not in SCHEDULES:
        raise NotFound(f"Unknown schedule '{schedule}' (known: {', '.join(SCHEDULES)})")
    built_in = [Job(job_name(p.stem), schedule, p, "built-in") for p in manager.list_files("cron", schedule)]
    project = [Job(job_name(p.stem), schedule, p, "project") for p in manager.list_files("hooks", f"cron/{schedule}")]
    return built_in + project


def run_jobs(manager: Manager, schedule: str, only: str | None = None, *, now: dt.datetime | None = None) -> list[JobResult]:
    """Run a schedule's jobs (or only the one named ``only``); one failure does not stop the rest."""
    jobs = discover_jobs(manager, schedule)
    if only is not None:
        wanted = job_name(only)
        jobs = [job for job in jobs if job.name == wanted]
        if not jobs:
            raise NotFound(f"No {schedule} cron job named '{only}'")
    moment = now or utcnow()
    return [run_job(manager, job, now=moment) for job in jobs]


def run_by_id(manager: Manager, job_id: str, *, now: dt.datetime | None = None) -> list[JobResult]:
    """``daily``/``frequent`` runs the schedule; any other id runs the job of that name in either schedule."""
    if job_id in SCHEDULES:
        return run_jobs(manager, job_id, now=now)
    wanted = job_name(job_id)
    found = [job for schedule in SCHEDULES for job in discover_jobs(manager, schedule) if job.name == wanted]
    if not found:
        known = sorted({job.name for schedule in SCHEDULES for job in discover_jobs(manager, schedule)})
        raise NotFound(f"No cron job named '{job_id}' (known: {', '.join(known) or 'none'}; or daily, frequent)")
    moment = now or utcnow()
    return [run_job(manager, job, now=moment) for job in found]


def run_job(manager: Manager, job: Job, *, now: dt.datetime) -> JobResult:
    log = get_logger(f"cron/{job.schedule}/{job.name}")
    started = time.perf_counter()
    log.info("Job started (%s)", job.source)
    try:
        main = _load_main(job)
        available = {"manager": manager, "config": manager.config, "log": log, "now": now, "schedule": job.schedule}
        kwargs = {name: (manager.db if name == "db" else available[name]) for name in inject.plan(main, str(job.path), INJECTABLE)}
        result = main(**kwargs)
    except Exception as error:
        seconds = time.perf_counter() - started
        log.exception("Job failed after %.2fs", seconds)
        return JobResult(job.name, job.schedule, job.source, "error", seconds, error=f"{type(error).__name__}: {error}")
    seconds = time.perf_counter() - started
    log.info("Job finished in %.2fs: %s", seconds, result)
    return JobResult(job.name, job.schedule, job.source, "ok", seconds, result=result)


def _load_main(job: Job) -> Callable[..., Any]:
    from functions.api.modules import import_file

    module = import_file(job.path, f"cron_{job.source.replace('-', '_')}_{job.schedule}")
    main = getattr(module, "main", None)
    if not callable(main):
        raise SetupError(f"{job.path}: a cron job must define main(...)")
    return main
