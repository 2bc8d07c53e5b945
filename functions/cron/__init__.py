"""Scheduled jobs: ``bm_cronDaily`` (00:00 UTC) and ``bm_cronFrequent`` (every 10 minutes).

``run_jobs(manager, "daily")`` runs the built-in jobs in ``cron/daily/`` and then the
project's in ``hooks/cron/daily/``; each job's failure is logged and isolated. The same
runner serves the scheduled functions, ``mgr cron run`` and ``POST admin/cron``.
"""

from functions.cron.runner import SCHEDULES, Job, JobResult, discover_jobs, job_name, run_by_id, run_job, run_jobs

__all__ = ["SCHEDULES", "Job", "JobResult", "discover_jobs", "job_name", "run_by_id", "run_job", "run_jobs"]
