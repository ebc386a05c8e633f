"""/api/v1/notices/: templates, issuing notices, recording service, delivery and signature,
and the letter as issued.

Thin: parse, call notices.selectors / services with the requesting user, shape the answer. A
case or notice outside the user's scope is a 404, the same as a missing id; bad input is a 422
naming the field and the reason.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from arrears.api.access import require
from arrears.api.errors import ApiError, ErrorOut, error_responses, not_found
from arrears.api.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    Blankable,
    PageMeta,
    SafeText,
    Yuan,
    api_enum,
    page_of,
    yuan,
)
from arrears.cases.selectors import case_for_user
from arrears.core.audit import request_ip
from arrears.core.models import User
from arrears.core.scoping import cases_for
from arrears.documents.api import BINARY
from arrears.documents.responses import document_response
from arrears.documents.services import DocumentMissing
from arrears.notices import selectors, services
from arrears.notices.errors import NoticeInvalid, NoticeRefused
from arrears.notices.models import Notice, NoticeTemplate

ServedMethod = api_enum(Notice.ServedMethod, "ServedMethod")

router = Router(tags=["notices"])


def invalid(exc: NoticeInvalid) -> ApiError:
    if isinstance(exc, NoticeRefused):
        return ApiError(422, exc.code, f"{exc.message} ({', '.join(exc.rule_ids)})")
    return ApiError(422, exc.code, exc.message, field=exc.field)


# --- schemas --------------------------------------------------------------------------------


class TemplateOut(Schema):
    id: int
    code: str
    version: int
    language: str
    title: str
    body: str
    active: bool


class Amounts(Schema):
    """What the notice demands, as of its date (a snapshot of the ledger at issue)."""

    principal: Yuan = Field(description="overdue principal")
    interest: Yuan = Field(description="overdue interest")
    penalty: Yuan = Field(description="penalty interest (罚息)")
    fees: Yuan
    total_due: Yuan


class NoticeOut(Schema):
    id: int
    number: str = Field(description="CN-<year>-<6 digits>, gapless per year")
    template: str = Field(description="template code")
    template_version: int
    case_id: int
    loan_id: str
    borrower_id: str
    borrower_name: str
    issued_on: dt.date
    issued_by: str | None
    as_of: dt.date
    pay_by: dt.date
    amounts: Amounts
    document_id: int = Field(description="the PDF as issued (a document of category notice)")
    state: str = Field(description="issued, served, delivered or signed")
    served_method: str | None
    served_on: dt.date | None
    served_by: str | None
    delivered_on: dt.date | None
    signed_on: dt.date | None
    receipt_id: int | None = Field(description="the signed receipt (category notice_receipt)")

    @staticmethod
    def resolve_template(obj: Notice) -> str:
        return obj.template.code

    @staticmethod
    def resolve_loan_id(obj: Notice) -> str:
        return obj.loan.external_id

    @staticmethod
    def resolve_borrower_id(obj: Notice) -> str:
        return obj.borrower.external_id

    @staticmethod
    def resolve_borrower_name(obj: Notice) -> str:
        return obj.borrower.name

    @staticmethod
    def resolve_issued_by(obj: Notice) -> str | None:
        return obj.issued_by.username if obj.issued_by_id else None

    @staticmethod
    def resolve_served_by(obj: Notice) -> str | None:
        return obj.served_by.username if obj.served_by_id else None

    @staticmethod
    def resolve_served_method(obj: Notice) -> str | None:
        return obj.served_method or None

    @staticmethod
    def resolve_amounts(obj: Notice) -> dict:
        return {
            "principal": yuan(obj.principal_fen),
            "interest": yuan(obj.interest_fen),
            "penalty": yuan(obj.penalty_fen),
            "fees": yuan(obj.fees_fen),
            "total_due": yuan(obj.total_due_fen),
        }


class NoticePage(PageMeta):
    items: list[NoticeOut]


class NoticeFilters(Schema):
    case: int | None = Field(None, ge=1, le=2**62)
    loan: Blankable(SafeText(64)) = Field(None, description="the loan's ID (贷款编号)")
    state: Blankable(SafeText(12)) = Field(None, description="issued, served, delivered, signed")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class IssueIn(Schema):
    case: int = Field(ge=1, le=2**62, description="the case to issue the notice on")
    template: SafeText(40, min_length=1) = Field(description="template code; its active version")
    as_of: dt.date = Field(description="the amounts are those due on this day (≤ today)")
    pay_by: dt.date = Field(description="the day to pay by (≥ today)")


class ServeIn(Schema):
    method: ServedMethod
    served_on: dt.date
    delivered_on: dt.date | None = Field(
        None, description="post, courier, email: the day it arrived, when known"
    )


class DeliverIn(Schema):
    delivered_on: dt.date


class SignIn(Schema):
    signed_on: dt.date


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/templates", response={200: list[TemplateOut], **error_responses()}, summary="Templates"
)
def template_list(request: HttpRequest, include_inactive: bool = False):
    """The active version of every template (every version with `include_inactive=true`)."""
    if include_inactive:
        return list(NoticeTemplate.objects.order_by("code", "-version"))
    return list(selectors.templates_active())


def _notice(user: User, notice_id: int) -> Notice:
    notice = selectors.notices_for(user).filter(pk=notice_id).first()
    if notice is None:
        raise not_found("notice")
    return notice


@router.post("", response={201: NoticeOut, **error_responses(403, 404)}, summary="Issue a notice")
def notice_issue(request: HttpRequest, payload: IssueIn):
    """Issue a collection notice (催款通知书) on a case from a template's active version: the
    amounts due as of `as_of`, a PDF with the next number of the year. Refused with 422 when
    the rule pack blocks the letter (a hold on the case, conduct, suit wording on a
    time-barred debt), naming the rule."""
    user = require(request, "notice.issue", "issue notices")
    case = cases_for(user).select_related("loan", "borrower").filter(pk=payload.case).first()
    if case is None:
        raise ApiError(404, "not_found", "no such case", field="case")
    template = selectors.templates_active().filter(code=payload.template).first()
    if template is None:
        raise ApiError(
            422, "no_active_template", f"no active template {payload.template!r}", field="template"
        )
    try:
        notice = services.notice_issue(
            case=case,
            template=template,
            as_of=payload.as_of,
            pay_by=payload.pay_by,
            actor=user,
            source="api",
        )
    except NoticeInvalid as exc:
        raise invalid(exc) from exc
    return Status(201, _notice(user, notice.pk))


@router.get("", response={200: NoticePage, **error_responses(404)}, summary="List notices")
def notice_list(request: HttpRequest, filters: Query[NoticeFilters]):
    """The notices you may see, newest first."""
    qs = selectors.notices_for(request.user)
    if filters.case is not None:
        # Like /activities, /promises and /plans: a case you may not see is a 404.
        qs = qs.filter(case=case_for_user(request.user, filters.case))
    if filters.loan:
        qs = qs.filter(loan__external_id=filters.loan)
    state = filters.state
    if state == "signed":
        qs = qs.filter(signed_on__isnull=False)
    elif state == "delivered":
        qs = qs.filter(signed_on__isnull=True, delivered_on__isnull=False)
    elif state == "served":
        qs = qs.filter(signed_on__isnull=True, delivered_on__isnull=True, served_on__isnull=False)
    elif state == "issued":
        qs = qs.filter(served_on__isnull=True)
    elif state:
        raise ApiError(
            422, "bad_state", "state is issued, served, delivered or signed", field="state"
        )
    return page_of(qs, filters.page, filters.page_size)


@router.get("/{notice_id}", response={200: NoticeOut, **error_responses(404)}, summary="One notice")
def notice_detail(request: HttpRequest, notice_id: int):
    return _notice(request.user, notice_id)


@router.get(
    "/{notice_id}/pdf",
    response={401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The notice as issued (PDF)",
    openapi_extra=BINARY,
)
def notice_pdf(request: HttpRequest, notice_id: int):
    """The letter exactly as issued; every download is recorded in the audit trail."""
    notice = _notice(request.user, notice_id)
    try:
        return document_response(
            notice.document, actor=request.user, source="api", ip=request_ip(request)
        )
    except DocumentMissing as exc:
        raise ApiError(404, "file_missing", str(exc)) from exc


def _step(request: HttpRequest, notice_id: int, call):
    user = require(request, "notice.serve", "record the serving of notices")
    notice = _notice(user, notice_id)
    try:
        call(notice, user)
    except NoticeInvalid as exc:
        raise invalid(exc) from exc
    except PermissionDenied as exc:
        raise ApiError(403, "forbidden", str(exc)) from exc
    return _notice(user, notice_id)


@router.post(
    "/{notice_id}/serve", response={200: NoticeOut, **error_responses(403, 404)}, summary="Served"
)
def notice_serve(request: HttpRequest, notice_id: int, payload: ServeIn):
    """Record how and when the notice was served (by the calling user). In person or by public
    notice it counts as delivered that day, which restarts the limitation period."""
    return _step(
        request,
        notice_id,
        lambda notice, user: services.notice_serve(
            notice=notice,
            method=payload.method,
            served_on=payload.served_on,
            delivered_on=payload.delivered_on,
            actor=user,
            source="api",
        ),
    )


@router.post(
    "/{notice_id}/deliver",
    response={200: NoticeOut, **error_responses(403, 404)},
    summary="Delivered",
)
def notice_deliver(request: HttpRequest, notice_id: int, payload: DeliverIn):
    """Record the day a posted, couriered or emailed notice reached the debtor."""
    return _step(
        request,
        notice_id,
        lambda notice, user: services.notice_deliver(
            notice=notice, delivered_on=payload.delivered_on, actor=user, source="api"
        ),
    )


@router.post(
    "/{notice_id}/sign",
    response={200: NoticeOut, **error_responses(403, 404)},
    summary="Signed for",
)
def notice_sign(
    request: HttpRequest, notice_id: int, receipt: File[UploadedFile], payload: Form[SignIn]
):
    """Record the signature (multipart/form-data: `signed_on` and the `receipt` scan or photo,
    PDF, JPEG or PNG). A signed notice restarts the limitation period from that day."""
    return _step(
        request,
        notice_id,
        lambda notice, user: services.notice_sign(
            notice=notice,
            signed_on=payload.signed_on,
            receipt=receipt,
            receipt_filename=receipt.name or "",
            receipt_type=receipt.content_type,
            actor=user,
            source="api",
        ),
    )
