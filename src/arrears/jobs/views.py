"""Pages of the jobs app: the jobs list and one job, uploads of import files, downloads.

Thin: parse, call a selector or service, render. A job that is not the user's to see is a
404; an upload the role may not make is a 403, checked before the file is read.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from arrears.jobs import imports
from arrears.jobs.forms import ImportUploadForm
from arrears.jobs.messages import row_error_text
from arrears.jobs.models import Job
from arrears.jobs.selectors import job_get, job_label, jobs_for
from arrears.jobs.services import job_path

PAGE_SIZE = 50


def _rows(jobs) -> list[tuple[Job, str]]:
    return [(job, job_label(job)) for job in jobs]


@require_safe
@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(jobs_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jobs/job_list.html", {"page": page, "rows": _rows(page.object_list)})


def _job(request: HttpRequest, job_id: int) -> Job:
    job = job_get(request.user, job_id)
    if job is None:
        raise Http404(_("No such job."))
    return job


@require_safe
@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    kind = job.params.get("kind", "")
    check = job.kind == imports.KIND and job.params.get("dry_run")
    context = {
        "job": job,
        "label": job_label(job),
        "result": job.result,
        "is_check": check,
        "may_commit": (
            check
            and job.status == Job.Status.SUCCEEDED
            and not job.params.get("commit_job")
            and bool(job.input_file)
            and imports.may_upload(request.user, kind)
        ),
        "errors": [{**e, "text": row_error_text(e)} for e in job.result.get("errors", [])],
        "more_errors": job.result.get("errors_total", 0) - len(job.result.get("errors", [])),
        "form": _upload_form(request, initial={"kind": kind}) if check else None,
    }
    return render(request, "jobs/job_detail.html", context)


@require_safe
@login_required
def job_file(request: HttpRequest, job_id: int, which: str) -> HttpResponse:
    """The job's error file or result file, as an attachment."""
    job = _job(request, job_id)
    relative = {"errors": job.error_file, "result": job.result_file}.get(which)
    if not relative:
        raise Http404(_("This job has no such file."))
    try:
        path = job_path(relative)
    except ValueError as exc:
        raise Http404(_("This job has no such file.")) from exc
    if not path.is_file():
        raise Http404(_("The file is gone (it expired)."))
    response = FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def job_commit(request: HttpRequest, job_id: int) -> HttpResponse:
    """Import the file a dry run checked (or only its valid rows)."""
    if not imports.upload_kinds(request.user):
        raise PermissionDenied(_("Your role may not import files."))
    check = _job(request, job_id)
    if not imports.may_upload(request.user, check.params.get("kind", "")):
        raise PermissionDenied(_("Your role may not import this kind of file."))
    try:
        job = imports.import_commit(
            check=check,
            actor=request.user,
            source="web",
            skip_invalid=request.POST.get("skip_invalid") == "1",
        )
    except imports.CommitRefused as exc:
        messages.error(request, exc.message)
        return redirect("jobs:detail", job_id=check.pk)
    return redirect("jobs:detail", job_id=job.pk)


def _upload_form(request: HttpRequest, data=None, files=None, initial=None) -> ImportUploadForm:
    return ImportUploadForm(
        data, files, kinds=imports.upload_kinds(request.user), initial=initial or {}
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a file; it is checked (a dry run) before anything is imported."""
    if not imports.upload_kinds(request.user):
        raise PermissionDenied(_("Your role may not import files."))
    form = _upload_form(request, initial={"kind": request.GET.get("kind", "")})
    status = 200
    if request.method == "POST":
        form = _upload_form(request, request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = imports.import_check(
                    kind=form.cleaned_data["kind"],
                    actor=request.user,
                    filename=upload.name,
                    chunks=upload.chunks(),
                    source="web",
                )
            except imports.UploadRefused as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("jobs:detail", job_id=job.pk)
        status = 400
    recent = jobs_for(request.user).filter(kind=imports.KIND)[:10]
    return render(
        request,
        "jobs/import_upload.html",
        {"form": form, "rows": _rows(recent)},
        status=status,
    )
