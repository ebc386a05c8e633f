"""Jobs and imports over HTTP: /api/v1/jobs/ and /api/v1/imports/{kind}.

`POST /imports/{kind}` takes the same files as `arrears import` (multipart, field `file`),
checks them as a dry run unless `dry_run=false`, and answers with the job: finished for a
small file, queued or running for a large one (poll `GET /jobs/{id}`). `POST
/jobs/{id}/commit` imports a checked file. Jobs are scoped as on the jobs page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from arrears.api.errors import ApiError, error_responses, not_found
from arrears.api.schemas import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE, PageMeta, page_of
from arrears.jobs import imports
from arrears.jobs.models import Job
from arrears.jobs.selectors import job_get, jobs_for
from arrears.jobs.services import job_create, job_path, job_submit

jobs = Router(tags=["jobs"])
uploads = Router(tags=["jobs"])
exports = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str = Field(description="import, export, eod, …")
    status: str = Field(description="queued, running, succeeded or failed")
    stage: str = Field(description='what a running job is doing, e.g. "reading", "writing"')
    done: int = Field(description="rows (or steps) done so far")
    total: int | None = Field(description="rows (or steps) in all, when known")
    params: dict[str, Any]
    created_by: str | None = Field(description="user name; null for the schedule or system")
    source: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    result: dict[str, Any] = Field(
        description="for an import: rows, valid, rejected, created, updated, unchanged, counts, "
        "written, errors_total and errors (the first ARREARS_IMPORT_MAX_ERRORS, each "
        "{row, column, code, message, value, params})"
    )
    error: str = Field(description="why the job failed; empty otherwise")
    error_file: str | None = Field(description="URL of the rejected rows with reasons (CSV)")
    result_file: str | None = Field(description="URL of the file the job wrote (exports)")

    @staticmethod
    def resolve_created_by(obj: Job) -> str | None:
        return obj.created_by.username if obj.created_by_id else None

    @staticmethod
    def resolve_error_file(obj: Job) -> str | None:
        return f"/api/v1/jobs/{obj.pk}/files/errors" if obj.error_file else None

    @staticmethod
    def resolve_result_file(obj: Job) -> str | None:
        return f"/api/v1/jobs/{obj.pk}/files/result" if obj.result_file else None


class JobPage(PageMeta):
    items: list[JobOut]


class JobFilters(Schema):
    kind: str | None = Field(None, max_length=40)
    status: str | None = Field(None, max_length=10)
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class ImportIn(Schema):
    dry_run: bool = Field(True, description="check only (the default); false imports at once")
    skip_invalid: bool = Field(False, description="with dry_run=false: import the valid rows")


class ExportIn(Schema):
    format: Literal["csv", "xlsx"] = "csv"
    as_of: dt.date | None = Field(None, description="business date (exports that take one)")
    loan: str | None = Field(None, max_length=64, description="loan ID (the schedule export)")


class CommitIn(Schema):
    skip_invalid: bool = Field(False, description="import the valid rows of a file with errors")


def _importer(request: HttpRequest) -> None:
    """403 for a role that may import no kind of file, before anything is looked up."""
    if not imports.upload_kinds(request.user):
        raise ApiError(403, "forbidden", f"your role ({request.user.role}) may not import files")


def _job(request: HttpRequest, job_id: int) -> Job:
    job = job_get(request.user, job_id)
    if job is None:
        raise not_found("job")
    return job


@jobs.get("", response={200: JobPage, **error_responses()}, summary="List jobs")
def job_list(request: HttpRequest, filters: Query[JobFilters]):
    """Jobs you may see (administrators, managers and auditors: all), newest first."""
    qs = jobs_for(request.user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return page_of(qs, filters.page, filters.page_size)


@jobs.get("/{job_id}", response={200: JobOut, **error_responses(404)}, summary="One job")
def job_detail(request: HttpRequest, job_id: int):
    """A job's status, progress and result."""
    return _job(request, job_id)


@jobs.get(
    "/{job_id}/files/{which}",
    response={200: None, **error_responses(404)},
    summary="A job's error or result file",
)
def job_file(request: HttpRequest, job_id: int, which: str):
    """`errors`: the rejected rows as they were with a `reason` column (UTF-8 CSV with a BOM,
    as `arrears import --skip-invalid` writes); `result`: the file an export wrote."""
    job = _job(request, job_id)
    relative = {"errors": job.error_file, "result": job.result_file}.get(which)
    if not relative:
        raise not_found("file")
    path = job_path(relative)
    if not path.is_file():
        raise not_found("file")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@jobs.post(
    "/{job_id}/commit",
    response={202: JobOut, **error_responses(403, 404, 409)},
    summary="Import a checked file",
)
def job_commit(request: HttpRequest, job_id: int, payload: CommitIn):
    """Import the file a dry-run job checked, as a new job (once per check)."""
    _importer(request)
    check = _job(request, job_id)
    if not imports.may_upload(request.user, check.params.get("kind", "")):
        raise ApiError(403, "forbidden", f"your role ({request.user.role}) may not import it")
    try:
        job = imports.import_commit(
            check=check, actor=request.user, source="api", skip_invalid=payload.skip_invalid
        )
    except imports.CommitRefused as exc:
        raise ApiError(409, exc.code, str(exc.message)) from exc
    return Status(202, Job.objects.select_related("created_by").get(pk=job.pk))


@uploads.post(
    "/{kind}",
    response={202: JobOut, **error_responses(403, 404)},
    summary="Upload an import file",
)
def import_upload(
    request: HttpRequest, kind: str, file: File[UploadedFile], payload: Form[ImportIn]
):
    """Upload a loans, schedule, payments, deductions, activities (…) file, as for `arrears
    import KIND FILE`: checked as a dry run by default. The answer is the job."""
    from arrears.jobs.imports import importers

    _importer(request)
    if kind not in importers():
        raise ApiError(404, "not_found", f"no such import kind {kind!r}", field="kind")
    if not imports.may_upload(request.user, kind):
        raise ApiError(403, "forbidden", f"your role ({request.user.role}) may not import {kind}")
    try:
        job = imports.import_check(
            kind=kind,
            actor=request.user,
            filename=file.name or "upload.csv",
            chunks=file.chunks(),
            source="api",
            dry_run=payload.dry_run,
            skip_invalid=payload.skip_invalid,
        )
    except imports.UploadRefused as exc:
        raise ApiError(422, exc.code, str(exc.message), field="file") from exc
    return Status(202, Job.objects.select_related("created_by").get(pk=job.pk))


@exports.post(
    "/{name}",
    response={202: JobOut, **error_responses(403, 404)},
    summary="Start an export",
)
def export_start(request: HttpRequest, name: str, payload: ExportIn):
    """Write an export (`loans`, `schedule`, `borrowers`, `snapshot`, …; as `arrears export
    NAME --user YOU`: your scope, personal numbers masked) as a job. The answer is the job;
    when it has succeeded its `result_file` is the file."""
    from arrears.ingest.exports import EXPORTERS

    user = request.user
    if not user.can("book.export"):
        raise ApiError(403, "forbidden", f"your role ({user.role}) may not export")
    exporter = EXPORTERS.get(name)
    if exporter is None:
        raise ApiError(404, "not_found", f"no such export {name!r}", field="name")
    if payload.format not in exporter.formats:
        raise ApiError(
            422,
            "format",
            f"the {name} export is written as {' or '.join(exporter.formats)}",
            field="format",
        )
    takes = {flag for flags, _ in exporter.arguments for flag in flags}
    options = {}
    if payload.as_of is not None and "--as-of" in takes:
        options["as_of"] = payload.as_of.isoformat()
    if "--loan" in takes:
        if not payload.loan:
            raise ApiError(422, "required", f"the {name} export needs a loan", field="loan")
        options["loan"] = payload.loan
    job = job_submit(
        job_create(
            kind="export",
            actor=user,
            source="api",
            params={"name": name, "format": payload.format, "options": options},
        )
    )
    return Status(202, Job.objects.select_related("created_by").get(pk=job.pk))
