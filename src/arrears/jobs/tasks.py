"""The Celery tasks: run one job row; the scheduled end-of-day; expire stale uploads."""

from __future__ import annotations

from arrears.jobs.celery import app


@app.task(name="arrears.jobs.run", acks_late=True, reject_on_worker_lost=True)
def job_task(job_id: int) -> str:
    """Run job `job_id` (a finished job is left alone, so a redelivered task is harmless)."""
    from django.db import connections

    from arrears.jobs.services import job_execute

    try:
        return job_execute(job_id=job_id).status
    finally:
        connections.close_all()  # this worker thread's; the next task opens fresh ones


@app.task(name="arrears.jobs.eod_scheduled")
def eod_scheduled() -> int:
    """The schedule's end-of-day: one `eod` job for today's business date, run here."""
    from django.db import connections

    from arrears.jobs.services import job_create, job_execute

    try:
        job = job_create(kind="eod", actor=None, params={"as_of": None}, source="schedule")
        return job_execute(job_id=job.pk).pk
    finally:
        connections.close_all()


@app.task(name="arrears.jobs.uploads_expire")
def uploads_expire_task() -> int:
    from arrears.jobs.imports import uploads_expire

    return uploads_expire()
