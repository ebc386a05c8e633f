"""Reports over the API: `GET /api/v1/reports` lists them, `GET /api/v1/reports/NAME` answers
one as JSON (the report's own contract) or, with `format=csv|xlsx|pdf`, as that file.
Options are query parameters: `as_of`, `from`, `to` and the report's own (see the list)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.responses import Status

from arrears.api.errors import ApiError, error_responses
from arrears.reports.registry import (
    CONTENT_TYPES,
    FORMATS,
    ReportError,
    report_run,
    reports_for,
)
from arrears.reports.render import file_name, report_file

router = Router(tags=["reports"])


class ReportParamOut(Schema):
    name: str
    label: str
    kind: str
    required: bool
    choices: list[str]


class ReportInfoOut(Schema):
    name: str
    label: str
    description: str
    period: bool
    params: list[ReportParamOut]


@router.get(
    "", response={200: list[ReportInfoOut], **error_responses()}, summary="The reports you may read"
)
def report_index(request: HttpRequest):
    return [
        {
            "name": r.name,
            "label": str(r.label),
            "description": str(r.description),
            "period": r.period,
            "params": [
                {
                    "name": p.name,
                    "label": str(p.label),
                    "kind": p.kind,
                    "required": p.required,
                    "choices": [c for c, _ in p.choices],
                }
                for p in r.params
            ],
        }
        for r in reports_for(request.user)
    ]


@router.get(
    "/{name}",
    response={200: dict, **error_responses(400, 403, 404, 422)},
    summary="One report",
)
def report_read(request: HttpRequest, name: str, format: str = "json"):
    """The report as of `as_of` (default today) over `from`–`to` where it takes a period, in
    your scope. JSON unless `format` is csv, xlsx or pdf."""
    if format not in FORMATS:
        raise ApiError(422, "format", f"format: one of {', '.join(FORMATS)}", field="format")
    raw = {k: v for k, v in request.GET.items() if k != "format"}
    try:
        report, req, data = report_run(name, user=request.user, raw=raw)
    except ReportError as exc:
        status = {"not_found": 404, "forbidden": 403}.get(exc.code, 422)
        raise ApiError(status, exc.code, exc.message, field=exc.field) from exc
    if format == "json":
        return Status(200, data)
    response = HttpResponse(
        report_file(report, req, data, format), content_type=CONTENT_TYPES[format]
    )
    response["Content-Disposition"] = f'attachment; filename="{file_name(report, req, format)}"'
    return response
