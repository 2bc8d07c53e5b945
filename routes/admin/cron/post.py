"""POST /admin/cron {id}: run one cron job, or a whole schedule (``daily``/``frequent``), now (admin only).

``id`` is a job name or BEM's path under ``events/cron/`` (``daily/reset-usage``): a job of that
name in that schedule. Answers ``{id, ok, results}``.
"""

from functions.api import RouteOptions

OPTIONS = RouteOptions(require="admin", setup_usage=False)


def main(manager, settings):
    from functions.cron import run_by_id, run_jobs

    schedule, _, job = settings.id.rpartition("/")
    results = run_jobs(manager, schedule, only=job) if schedule else run_by_id(manager, job)
    return {"id": settings.id, "ok": all(r.ok for r in results), "results": [r.to_dict() for r in results]}
