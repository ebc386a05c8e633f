"""The `report` job kind: a report written to a file kept with the job (long reports over a
big book run on a worker; the web page and the API offer it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from arrears.jobs.models import Job
from arrears.jobs.services import (
    JobFailed,
    JobKind,
    Progress,
    job_dir,
    job_kind_register,
    job_relative,
)


def run_report(job: Job, progress: Progress) -> dict:
    from arrears.reports.registry import FORMATS, ReportError, report_run
    from arrears.reports.render import file_name, report_file

    p = job.params
    fmt = p.get("format", "xlsx")
    if fmt not in FORMATS:
        raise JobFailed(f"format: one of {', '.join(FORMATS)}")
    progress(0, None, stage="running")
    try:
        report, request, data = report_run(p["name"], user=job.created_by, raw=p.get("raw", {}))
    except ReportError as exc:
        raise JobFailed(exc.message) from exc
    path = job_dir(job) / file_name(report, request, fmt)
    path.write_bytes(report_file(report, request, data, fmt))
    job.result_file = job_relative(path)
    return {"name": report.name, "format": fmt, "as_of": request.as_of.isoformat()}


job_kind_register(JobKind("report", _("Report"), run_report))
