"""The demo's job rows: its last end-of-day run, recorded as a job, and a loans export run
through the job machinery, so the jobs page has something to show."""

from __future__ import annotations

from arrears.eod.selectors import eod_latest_run
from arrears.jobs.kinds import eod_result
from arrears.jobs.services import job_create, job_record_finished, job_submit


def demo_jobs() -> list[str]:
    """Record the demo's jobs; one line each for the demo's output."""
    lines = []
    run = eod_latest_run()
    if run is not None:
        job = job_record_finished(
            kind="eod",
            actor=run.actor,
            params={"as_of": run.as_of.isoformat()},
            result=eod_result(run),
            started_at=run.started_at,
            finished_at=run.finished_at or run.started_at,
            source="system",
        )
        lines.append(f"job #{job.pk}: end of day {run.as_of}")
    job = job_submit(
        job_create(kind="export", actor=None, params={"name": "loans"}, source="system"),
        background=False,
    )
    lines.append(f"job #{job.pk}: loans export, {job.status} ({job.result.get('rows', 0):,} rows)")
    return lines
