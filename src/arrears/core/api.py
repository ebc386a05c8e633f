"""The audit trail over HTTP (/api/v1/audit/): browse, export, verify the chain.

Only roles with `audit.read` (administrator, auditor): anyone else gets 403 on every
endpoint, before any filter is looked at.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema

from arrears.api.errors import ApiError, error_responses
from arrears.api.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    Blankable,
    PageMeta,
    SafeText,
    page_of,
)
from arrears.core.audit import audit_verify, request_ip
from arrears.core.models import AuditEntry, User
from arrears.core.selectors import AuditFilters, audit_entries
from arrears.core.services import AuditExportError, audit_export

router = Router(tags=["audit"])

Source = Literal["web", "api", "cli", "system"]


def _auditor(request: HttpRequest) -> User:
    user: User = request.user
    if not user.can("audit.read"):
        raise ApiError(403, "forbidden", f"your role ({user.role}) may not read the audit trail")
    return user


class AuditEntryOut(Schema):
    id: int
    at: dt.datetime
    actor: str = Field(description='user name, or "system" when no user acted')
    event: str = Field(description="dotted event code, e.g. payment.post, user.login")
    object_type: str
    object_id: str
    before: Any = Field(None, description="the object before the change (JSON), or null")
    after: Any = Field(None, description="the object after the change (JSON), or null")
    source: str = Field(description="web, api, cli or system")
    ip: str | None
    prev_hash: str
    hash: str

    @staticmethod
    def resolve_actor(obj: AuditEntry) -> str:
        return obj.actor_name


class AuditPage(PageMeta):
    items: list[AuditEntryOut]


class AuditQuery(Schema):
    actor: Blankable(SafeText(150)) = Field(None, description='user name, or "system"')
    event: Blankable(SafeText(60)) = Field(
        None, description='event code, or a dotted prefix ("user" finds user.login, user.add…)'
    )
    object_type: Blankable(SafeText(60)) = None
    object_id: Blankable(SafeText(100)) = None
    date_from: Blankable(dt.date) = Field(None, description="first local day, included")
    date_to: Blankable(dt.date) = Field(None, description="last local day, included")
    source: Blankable(Source) = None

    def filters(self) -> AuditFilters:
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ApiError(422, "bad_date_range", "date_to is before date_from", field="date_to")
        return AuditFilters(
            actor=self.actor or "",
            event=self.event or "",
            object_type=self.object_type or "",
            object_id=self.object_id or "",
            date_from=self.date_from,
            date_to=self.date_to,
            source=self.source or "",
        )


class AuditListQuery(AuditQuery):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class AuditExportQuery(AuditQuery):
    format: Literal["csv", "xlsx"] = "csv"


class ChainOut(Schema):
    ok: bool
    checked: int = Field(description="entries verified before the first broken one (or all)")
    first_bad_id: int | None = Field(description="the first entry edited, deleted or reordered")
    problem: str


EXPORT_DOC = {
    "responses": {
        200: {
            "description": "the entries, oldest first, as an attachment",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        }
    }
}


@router.get("", response={200: AuditPage, **error_responses(403)}, summary="Browse the audit trail")
def audit_list(request: HttpRequest, query: Query[AuditListQuery]):
    """Entries matching the filters, newest first, 50 to a page by default."""
    user = _auditor(request)
    qs = audit_entries(user=user, filters=query.filters())
    return page_of(qs, query.page, query.page_size)


@router.get(
    "/export",
    response=error_responses(403),
    summary="Export the audit trail (CSV or XLSX)",
    openapi_extra=EXPORT_DOC,
)
def audit_export_file(request: HttpRequest, query: Query[AuditExportQuery]):
    """The filtered entries, oldest first; the export itself is written to the audit trail."""
    user = _auditor(request)
    try:
        export = audit_export(
            user=user,
            filters=query.filters(),
            fmt=query.format,
            source="api",
            ip=request_ip(request),
        )
    except AuditExportError as exc:
        raise ApiError(422, "export_refused", exc.message, field=exc.field) from exc
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get(
    "/verify", response={200: ChainOut, **error_responses(403)}, summary="Verify the hash chain"
)
def audit_chain(request: HttpRequest):
    """Walk the whole chain: `ok`, or the first entry that was edited, deleted or reordered."""
    _auditor(request)
    report = audit_verify()
    return {
        "ok": report.ok,
        "checked": report.checked,
        "first_bad_id": report.first_bad_id,
        "problem": report.problem,
    }
