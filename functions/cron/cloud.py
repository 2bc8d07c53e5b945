"""The scheduled Cloud Functions. Time zone set explicitly: BEM's schedules had none."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from functions.manager import Manager

DAILY = "0 0 * * *"
FREQUENT = "every 10 minutes"


def build(manager: Manager) -> dict[str, Callable[..., Any]]:
    from firebase_functions import options, scheduler_fn

    region = manager.options.region
    utc = scheduler_fn.Timezone("UTC")
    mb256 = options.MemoryOption.MB_256

    @scheduler_fn.on_schedule(schedule=DAILY, timezone=utc, region=region, memory=mb256, timeout_sec=300)
    def bm_cronDaily(event: scheduler_fn.ScheduledEvent) -> None:  # noqa: N802 (the deployed function's name)
        run_scheduled(manager, "daily")

    @scheduler_fn.on_schedule(schedule=FREQUENT, timezone=utc, region=region, memory=mb256, timeout_sec=540)
    def bm_cronFrequent(event: scheduler_fn.ScheduledEvent) -> None:  # noqa: N802
        run_scheduled(manager, "frequent")

    return {"bm_cronDaily": bm_cronDaily, "bm_cronFrequent": bm_cronFrequent}


def run_scheduled(manager: Manager, schedule: str) -> list[Any]:
    """Run a schedule and log a summary. Failed jobs are logged at ERROR, not raised:
    a raise would make Cloud Scheduler count the whole run as failed, and a retry would
    re-run the jobs that succeeded."""
    from functions.cron.runner import run_jobs
    from functions.logs import get_logger

    results = run_jobs(manager, schedule)
    failed = [r.name for r in results if not r.ok]
    log = get_logger(f"cron/{schedule}")
    summary = ", ".join(f"{r.name}={r.status} ({r.seconds:.2f}s)" for r in results) or "no jobs"
    (log.error if failed else log.info)("Cron %s finished: %s", schedule, summary)
    return results
