"""The reports pages: the list, and one report with its options, tables, charts and files."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_http_methods

from arrears.reports.registry import (
    CONTENT_TYPES,
    FORMATS,
    REPORTS,
    ReportError,
    report_request,
    reports_for,
)
from arrears.reports.render import file_name, report_file


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    reports = reports_for(request.user)
    if not reports:
        raise PermissionDenied(_g("Your role reads no reports."))
    return render(request, "reports/list.html", {"reports": reports})


def _report_for(request: HttpRequest, name: str):
    report = REPORTS.get(name)
    if report is None:
        raise Http404(_g("No such report."))
    if not request.user.can(report.capability):
        raise PermissionDenied(_g("Your role may not read this report."))
    return report


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, name: str) -> HttpResponse:
    report = _report_for(request, name)
    raw = request.GET.dict()
    fmt = raw.pop("format", "") or ""
    context = {
        "report": report,
        "raw": raw,
        "formats": FORMATS[1:],
        "error": None,
        "req": None,
        "data": None,
        "tables": [],
        "query": "",
    }
    try:
        req = report_request(report, user=request.user, raw=raw)
    except ReportError as exc:
        context["error"] = exc
        return render(request, "reports/detail.html", context, status=400)
    if request.method == "POST":
        # Run as a background job: the jobs page shows it and offers its file when done.
        from arrears.jobs.services import job_create, job_submit

        post_fmt = request.POST.get("format", "xlsx")
        if post_fmt not in FORMATS:
            post_fmt = "xlsx"
        job = job_submit(
            job_create(
                kind="report",
                actor=request.user,
                source="web",
                params={"name": report.name, "format": post_fmt, "raw": raw},
            )
        )
        return redirect("jobs:detail", job.pk)
    try:
        data = report.build(req)
    except ReportError as exc:
        # Asked well but not answerable (e.g. no end-of-day snapshot yet): say why.
        context["error"] = exc
        return render(request, "reports/detail.html", context, status=400)
    if fmt:
        if fmt not in FORMATS:
            context["error"] = ReportError(_g("format: one of %s") % ", ".join(FORMATS))
            return render(request, "reports/detail.html", context, status=400)
        body = report_file(report, req, data, fmt)
        response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
        if fmt != "json":
            response["Content-Disposition"] = (
                f'attachment; filename="{file_name(report, req, fmt)}"'
            )
        return response
    query = request.GET.copy()
    query.pop("format", None)
    context.update(
        {"req": req, "data": data, "tables": report.tables(data), "query": query.urlencode()}
    )
    return render(request, "reports/detail.html", context)
