"""Field visits over HTTP (mounted at /api/v1/visits/): what the phone page sends.

POST is idempotent by the phone-made `visit_id`: the same visit sent again (the signal came
back mid-send) answers 200 with the first one and writes nothing; a new one answers 201; the
same ID with other details is a 409. A loan outside the user's scope is a 404; a role that
may not work cases gets a 403; bad input is a 422 naming the field. Money is a string of yuan.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import translation
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from arrears.api.access import require
from arrears.api.errors import ApiError, error_responses, not_found
from arrears.api.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    AmountIn,
    PageMeta,
    PathId,
    SafeText,
    Yuan,
    amount_fen,
    api_enum,
    page_of,
    yuan,
)
from arrears.core.dates import local_zone
from arrears.field import selectors, services
from arrears.field.errors import VisitInvalid
from arrears.field.models import NoticeSigned, Visit, VisitOutcome

router = Router(tags=["visits"])

OutcomeCode = api_enum(VisitOutcome, "VisitOutcome")
# Degrees as a string with up to six decimals (no binary float in the API); the range is
# checked by the service.
Coordinate = Annotated[str, Field(pattern=r"^-?\d{1,3}(\.\d{1,6})?$", max_length=11)]


class VisitIn(Schema):
    visit_id: SafeText(64, 1) = Field(description="made by the phone; the same ID is one visit")
    loan_id: SafeText(64, 1)
    visited_on: dt.date | None = Field(
        None, description="the day (default: the day of visited_at, in the lender's time zone)"
    )
    visited_at: dt.datetime | None = Field(
        None, description="when, with its time zone (default: midday of visited_on)"
    )
    participants: list[SafeText(150, 1)] = Field(
        default_factory=list, max_length=20, description="the other people on the visit"
    )
    recording_ref: SafeText(200) = ""
    address_found: bool | None = None
    person_met: SafeText(100) = ""
    outcome: SafeText(20, 1) = Field(
        description="met_borrower, met_family, not_home, not_found, moved_away, refused "
        "(or 见到本人, 见到家属, 不在家, 未找到, 已外出, 拒绝)"
    )
    notice_number: SafeText(20) = Field("", description="the notice served (its number)")
    notice_served: bool = Field(
        False, description="served the loan's issued notice (when no number is given)"
    )
    notice_signed: SafeText(10) = Field("", description="signed, refused or blank")
    cash_principal: AmountIn | None = None
    cash_interest: AmountIn | None = None
    cash_penalty: AmountIn | None = None
    receipt_no: SafeText(64) = ""
    intention_amount: AmountIn | None = None
    intention_date: dt.date | None = None
    whereabouts: SafeText(300) = ""
    needs_officials: bool = False
    note: SafeText(5000) = ""
    latitude: Coordinate | None = Field(None, description='degrees north, e.g. "28.123456"')
    longitude: Coordinate | None = Field(None, description='degrees east, e.g. "112.654321"')


class VisitOut(Schema):
    visit_id: str
    loan_id: str
    case_id: int
    borrower: str
    visited_on: dt.date
    visited_at: dt.datetime
    collector: str
    participants: list[str]
    recording_ref: str
    address_found: bool | None
    person_met: str
    outcome: OutcomeCode
    notice_number: str | None
    notice_signed: str
    cash_principal: Yuan
    cash_interest: Yuan
    cash_penalty: Yuan
    receipt_no: str
    intention_amount: Yuan | None
    intention_date: dt.date | None
    promise_id: int | None
    whereabouts: str
    needs_officials: bool
    note: str
    latitude: str | None
    longitude: str | None
    activity_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_loan_id(obj: Visit) -> str:
        return obj.loan.external_id

    @staticmethod
    def resolve_borrower(obj: Visit) -> str:
        return obj.borrower.name

    @staticmethod
    def resolve_collector(obj: Visit) -> str:
        return obj.collector.username

    @staticmethod
    def resolve_participants(obj: Visit) -> list[str]:
        return sorted(p.username for p in obj.participants.all())

    @staticmethod
    def resolve_notice_number(obj: Visit) -> str | None:
        return obj.notice.number if obj.notice_id else None

    @staticmethod
    def resolve_cash_principal(obj: Visit) -> str:
        return yuan(obj.cash_principal_fen)

    @staticmethod
    def resolve_cash_interest(obj: Visit) -> str:
        return yuan(obj.cash_interest_fen)

    @staticmethod
    def resolve_cash_penalty(obj: Visit) -> str:
        return yuan(obj.cash_penalty_fen)

    @staticmethod
    def resolve_intention_amount(obj: Visit) -> str | None:
        return yuan(obj.intention_amount_fen)

    @staticmethod
    def resolve_latitude(obj: Visit) -> str | None:
        return None if obj.latitude is None else f"{obj.latitude:.6f}"

    @staticmethod
    def resolve_longitude(obj: Visit) -> str | None:
        return None if obj.longitude is None else f"{obj.longitude:.6f}"


class PhotoOut(Schema):
    document_id: int
    visit_id: str
    created: bool = Field(description="false: the same picture was already filed on the visit")


class VisitPage(PageMeta):
    items: list[VisitOut]


class VisitFilters(Schema):
    loan_id: SafeText(64) | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def _degrees(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _fen(value: str | None) -> int | None:
    return None if value is None else amount_fen(value)


@router.get("", response={200: VisitPage, **error_responses()}, summary="List visits")
def visit_list(request: HttpRequest, filters: Query[VisitFilters]):
    """Visits on the loans you may see, newest first."""
    qs = selectors.visits_for(request.user)
    if filters.loan_id:
        qs = qs.filter(loan__external_id=filters.loan_id)
    if filters.date_from:
        qs = qs.filter(visited_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(visited_on__lte=filters.date_to)
    return page_of(qs, filters.page, filters.page_size)


@router.post(
    "",
    response={200: VisitOut, 201: VisitOut, **error_responses(403, 404, 409)},
    summary="Record a visit",
)
def visit_create(request: HttpRequest, payload: VisitIn):
    """Record a field visit filed by you: the activity, cash by the receipt's split, the
    notice served, the intention as a promise. The same `visit_id` again answers 200 with the
    visit as first recorded and changes nothing."""
    user = require(request, services.WORK_CAPABILITY, "record visits")
    loan = selectors.loan_for(user, payload.loan_id)
    if loan is None:
        raise not_found("loan")
    visited_on = payload.visited_on
    if visited_on is None:
        if payload.visited_at is None or payload.visited_at.tzinfo is None:
            raise ApiError(
                422,
                "invalid",
                "give visited_on, or visited_at with its time zone",
                field="visited_on",
            )
        visited_on = payload.visited_at.astimezone(local_zone()).date()
    if payload.notice_signed not in ("", *NoticeSigned.values):
        raise ApiError(422, "invalid", "signed, refused or blank", field="notice_signed")
    names = sorted(set(payload.participants) - {user.username})
    people = list(get_user_model().objects.filter(username__in=names, is_active=True))
    missing = sorted(set(names) - {p.username for p in people})
    if missing:
        raise ApiError(422, "invalid", f"no such user: {', '.join(missing)}", field="participants")
    try:
        with translation.override("en"):
            visit, created = services.visit_record(
                visit_id=payload.visit_id,
                loan=loan,
                visited_on=visited_on,
                visited_at=payload.visited_at,
                collector=user,
                participants=people,
                recording_ref=payload.recording_ref,
                address_found=payload.address_found,
                person_met=payload.person_met,
                outcome=payload.outcome,
                notice_number=payload.notice_number or None,
                notice_served=payload.notice_served,
                notice_signed=payload.notice_signed,
                cash_principal_fen=_fen(payload.cash_principal) or 0,
                cash_interest_fen=_fen(payload.cash_interest) or 0,
                cash_penalty_fen=_fen(payload.cash_penalty) or 0,
                receipt_no=payload.receipt_no,
                intention_amount_fen=_fen(payload.intention_amount),
                intention_date=payload.intention_date,
                whereabouts=payload.whereabouts,
                needs_officials=payload.needs_officials,
                note=payload.note,
                latitude=_degrees(payload.latitude),
                longitude=_degrees(payload.longitude),
                actor=user,
                source="api",
            )
    except VisitInvalid as exc:
        raise ApiError(exc.status, exc.code, exc.message, field=exc.field) from exc
    return Status(201 if created else 200, selectors.visit_get(user, visit.visit_id) or visit)


@router.get("/{visit_id}", response={200: VisitOut, **error_responses(404)}, summary="One visit")
def visit_detail(request: HttpRequest, visit_id: PathId("the visit ID")):
    """A visit as recorded, with what it led to."""
    visit = selectors.visit_get(request.user, visit_id)
    if visit is None:
        raise not_found("visit")
    return visit


@router.post(
    "/{visit_id}/photos",
    response={200: PhotoOut, 201: PhotoOut, **error_responses(403, 404)},
    summary="Add a photo to a visit",
)
def visit_photo(request: HttpRequest, visit_id: PathId("the visit ID"), file: File[UploadedFile]):
    """A photo taken on the visit (multipart `file`, JPEG or PNG), filed on the case as a
    visit photo. The same picture sent again answers 200 and is filed once."""
    user = require(request, "document.file", "file photos")
    visit = selectors.visit_get(user, visit_id)
    if visit is None:
        raise not_found("visit")
    try:
        with translation.override("en"):
            document, created = services.visit_photo_add(
                visit=visit,
                fileobj=file,
                filename=file.name or "photo.jpg",
                declared_type=file.content_type,
                actor=user,
                source="api",
            )
    except VisitInvalid as exc:
        raise ApiError(exc.status, exc.code, exc.message, field=exc.field) from exc
    return Status(
        201 if created else 200,
        {"document_id": document.pk, "visit_id": visit.visit_id, "created": created},
    )
