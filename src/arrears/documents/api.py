"""/api/v1/documents/: file a document (multipart), list and read them, download the content.

Thin: parse, call documents.selectors / services with the requesting user, shape the answer.
A document, case, loan or borrower outside the user's scope is a 404, the same as a missing id.
Refusals (a type the category does not accept, a file over the limit, a name that lies about
the content) answer 422 naming the field and the reason.
"""

from __future__ import annotations

import datetime as dt

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
    page_of,
)
from arrears.cases.selectors import case_for_user
from arrears.core.audit import request_ip
from arrears.core.models import User
from arrears.core.scoping import borrowers_for, cases_for, loans_for
from arrears.documents import selectors
from arrears.documents.models import Document
from arrears.documents.responses import document_response
from arrears.documents.services import (
    DocumentMissing,
    DocumentRetained,
    document_delete,
    document_file,
)
from arrears.documents.storage import DocumentRefused

router = Router(tags=["documents"])

BINARY = {
    "responses": {
        200: {
            "description": "the file, as an attachment, with its stored content type",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    }
}


def refused(exc: DocumentRefused) -> ApiError:
    return ApiError(422, exc.code, exc.message, field=exc.field)


# --- schemas --------------------------------------------------------------------------------


class CategoryOut(Schema):
    code: str
    name_zh: str
    name_en: str
    allowed_types: list[str] = Field(description="MIME types accepted; empty = every known type")
    active: bool


class DocumentOut(Schema):
    id: int
    filename: str
    category: str
    content_type: str
    size: int = Field(description="bytes")
    sha256: str
    case_id: int | None
    loan_id: str | None = Field(description="the loan's ID (贷款编号), when filed on a loan")
    borrower_id: str | None = Field(description="the borrower's ID (客户编号)")
    note: str
    uploaded_by: str | None
    uploaded_at: dt.datetime

    @staticmethod
    def resolve_category(obj: Document) -> str:
        return obj.category.code

    @staticmethod
    def resolve_loan_id(obj: Document) -> str | None:
        return obj.loan.external_id if obj.loan_id else None

    @staticmethod
    def resolve_borrower_id(obj: Document) -> str | None:
        return obj.borrower.external_id if obj.borrower_id else None

    @staticmethod
    def resolve_uploaded_by(obj: Document) -> str | None:
        return obj.uploaded_by.username if obj.uploaded_by_id else None


class DocumentPage(PageMeta):
    items: list[DocumentOut]


class DocumentFilters(Schema):
    case: int | None = Field(None, ge=1, le=2**62, description="documents filed on this case")
    loan: Blankable(SafeText(64)) = Field(None, description="documents filed on this loan (ID)")
    borrower: Blankable(SafeText(64)) = Field(None, description="documents on this borrower (ID)")
    category: Blankable(SafeText(40)) = None
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class DocumentIn(Schema):
    category: SafeText(40, min_length=1) = Field(description="a category code, e.g. visit_photo")
    case: int | None = Field(None, ge=1, le=2**62, description="file it on this case")
    loan: Blankable(SafeText(64)) = Field(None, description="or on this loan (ID)")
    borrower: Blankable(SafeText(64)) = Field(None, description="or on this borrower (ID)")
    note: SafeText(500) = ""


class DeleteIn(Schema):
    reason: SafeText(500, min_length=1)


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/categories", response={200: list[CategoryOut], **error_responses()}, summary="Categories"
)
def category_list(request: HttpRequest, include_retired: bool = False):
    """The document categories; retired ones only with `include_retired=true`."""
    return list(selectors.categories(include_retired=include_retired))


@router.post(
    "", response={201: DocumentOut, **error_responses(403, 404)}, summary="File a document"
)
def document_upload(request: HttpRequest, file: File[UploadedFile], payload: Form[DocumentIn]):
    """Upload a file (multipart/form-data) and file it on a case, loan or borrower. The type is
    decided by the content and must be one the category accepts."""
    user = require(request, "document.file", "file documents")
    case = loan = borrower = None
    if payload.case is not None:
        case = cases_for(user).select_related("loan", "borrower").filter(pk=payload.case).first()
        if case is None:
            raise ApiError(404, "not_found", "no such case", field="case")
    if payload.loan:
        loan = loans_for(user).select_related("borrower").filter(external_id=payload.loan).first()
        if loan is None:
            raise ApiError(404, "not_found", "no such loan", field="loan")
    if payload.borrower:
        borrower = borrowers_for(user).filter(external_id=payload.borrower).first()
        if borrower is None:
            raise ApiError(404, "not_found", "no such borrower", field="borrower")
    try:
        document = document_file(
            fileobj=file,
            filename=file.name or "",
            declared_type=file.content_type,
            category_code=payload.category,
            actor=user,
            borrower=borrower,
            loan=loan,
            case=case,
            note=payload.note,
            source="api",
        )
    except DocumentRefused as exc:
        raise refused(exc) from exc
    return Status(201, selectors.documents_for(user).get(pk=document.pk))


@router.get("", response={200: DocumentPage, **error_responses(404)}, summary="List documents")
def document_list(request: HttpRequest, filters: Query[DocumentFilters]):
    """The documents you may see, newest first, filtered by what they are filed on."""
    qs = selectors.documents_for(request.user)
    if filters.case is not None:
        # Like /activities, /promises and /plans: a case you may not see is a 404.
        qs = qs.filter(case=case_for_user(request.user, filters.case))
    if filters.loan:
        qs = qs.filter(loan__external_id=filters.loan)
    if filters.borrower:
        qs = qs.filter(borrower__external_id=filters.borrower)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    return page_of(qs, filters.page, filters.page_size)


def _document(user: User, document_id: int) -> Document:
    document = selectors.documents_for(user).filter(pk=document_id).first()
    if document is None:
        raise not_found("document")
    return document


@router.get(
    "/{document_id}", response={200: DocumentOut, **error_responses(404)}, summary="One document"
)
def document_detail(request: HttpRequest, document_id: int):
    return _document(request.user, document_id)


@router.get(
    "/{document_id}/content",
    response={401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Download a document",
    openapi_extra=BINARY,
)
def document_content(request: HttpRequest, document_id: int):
    """The file itself (an attachment, with `X-Content-Type-Options: nosniff`); every download
    is recorded in the audit trail."""
    document = _document(request.user, document_id)
    try:
        return document_response(document, actor=request.user, source="api", ip=request_ip(request))
    except DocumentMissing as exc:
        raise ApiError(404, "file_missing", str(exc)) from exc


@router.post(
    "/{document_id}/delete",
    response={204: None, **error_responses(403, 404, 409)},
    summary="Delete a document",
)
def document_remove(request: HttpRequest, document_id: int, payload: DeleteIn):
    """Administrators only, and only once the rule pack's retention period (5 years in the
    shipped packs) has passed: a younger document answers 409 naming the rule."""
    user = require(request, "document.delete", "delete documents")
    document = _document(user, document_id)
    try:
        document_delete(document=document, actor=user, reason=payload.reason, source="api")
    except DocumentRetained as exc:
        raise ApiError(409, "retention", f"{exc.message} ({', '.join(exc.rule_ids)})") from exc
    except DocumentRefused as exc:
        raise refused(exc) from exc
    return Status(204, None)
