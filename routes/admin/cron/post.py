"""POST /admin/cron {id}: run one cron job, or a whole schedule (``daily``/``frequent``), now (admin only)."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(require="admin", setup_usage=False)


def main(manager, settings):
    from functions.cron import run_by_id

    results = run_by_id(manager, settings.id)
    return {"id": settings.id, "ok": all(r.ok for r in results), "results": [r.to_dict() for r in results]}
