"""The job kinds the jobs app runs for other apps: imports, end-of-day, exports.

Each is a thin call of the service the command line calls too; a kind of another app may
register itself with `job_kind_register` from its AppConfig.ready().
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from arrears.core.dates import local_today, parse_date
from arrears.jobs import imports  # noqa: F401  (registers the `import` kind)
from arrears.jobs.models import Job
from arrears.jobs.services import (
    JobFailed,
    JobKind,
    Progress,
    job_dir,
    job_kind_register,
    job_relative,
)


def run_eod(job: Job, progress: Progress) -> dict:
    """The `eod` kind: the end-of-day run (resumable: it replaces its day in one transaction)."""
    from arrears.eod.services import eod_run

    as_of = parse_date(job.params["as_of"]) if job.params.get("as_of") else local_today()
    job.params = {**job.params, "as_of": as_of.isoformat()}
    progress(0, 1, stage="running")
    run = eod_run(
        as_of=as_of,
        actor=job.created_by,
        full=bool(job.params.get("full")),
        progress=bool(job.params.get("progress")),  # `arrears eod` on a terminal
    )
    return eod_result(run)


def eod_result(run) -> dict:
    """What a job row keeps of an end-of-day run."""
    if run.status != "done":
        raise JobFailed(run.error or "end-of-day failed", {"eod_run": run.pk})
    return {
        "eod_run": run.pk,
        "as_of": run.as_of.isoformat(),
        "mode": run.mode,
        "loans": run.loans,
        "delinquent": run.delinquent,
        "newly_delinquent": run.newly_delinquent,
        "cured": run.cured,
        "cases_opened": run.cases_opened,
        "cases_closed": run.cases_closed,
        "pre_due": run.pre_due,
        "seconds": run.seconds,
    }


def run_export(job: Job, progress: Progress) -> dict:
    """The `export` kind: one of ingest.exports' exporters to a file kept with the job,
    scoped to the user who asked (as `arrears export --user`)."""
    from arrears.ingest.exports import ExportError, export_run

    p = job.params
    fmt = p.get("format", "csv")
    options = dict(p.get("options", {}))
    if isinstance(options.get("as_of"), str):
        options["as_of"] = parse_date(options["as_of"])
    path = job_dir(job) / f"{p['name']}.{fmt}"
    progress(0, None, stage="writing")
    try:
        rows = export_run(
            name=p["name"],
            fmt=fmt,
            output=path,
            actor=job.created_by,
            user=job.created_by,
            source=job.source if job.source in ("web", "api", "cli") else "system",
            **options,
        )
    except ExportError as exc:
        raise JobFailed(str(exc)) from exc
    job.result_file = job_relative(path)
    job.total = job.done = rows
    return {"name": p["name"], "format": fmt, "rows": rows}


job_kind_register(JobKind("eod", _("End of day"), run_eod))
job_kind_register(JobKind("export", _("Export"), run_export))
