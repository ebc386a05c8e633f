"""Promises to pay over HTTP (mounted at /api/v1/promises/).

Thin: parse, call arrears.promises.selectors/services with the requesting user, shape the
answer. A case or promise outside the user's scope is a 404, the same as a missing ID; a role
that may not record promises gets a 403; bad input is a 422 naming the field. Money is a
string of yuan.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from arrears.api.access import require
from arrears.api.errors import ApiError, error_responses, not_found
from arrears.api.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    AmountIn,
    PageMeta,
    Yuan,
    amount_fen,
    api_enum,
    page_of,
    yuan,
)
from arrears.core.models import User
from arrears.promises import selectors, services
from arrears.promises.errors import PromiseError
from arrears.promises.models import Promise

PromiseStatus = api_enum(Promise.Status, "PromiseStatus")

router = Router(tags=["promises"])


class PromiseOut(Schema):
    id: int
    case_id: int
    loan_id: str = Field(description="the loan's ID")
    activity_id: int | None = Field(description="the activity the promise was recorded with")
    amount: Yuan
    created_on: dt.date = Field(description="the business date the promise was made")
    promised_on: dt.date = Field(description="the date to pay by")
    deadline: dt.date = Field(description="the last day payments count: promised_on + grace")
    status: PromiseStatus = Field(description="as judged at the last end-of-day")
    paid: Yuan = Field(description="paid towards the promise, as of the last end-of-day")
    paid_so_far: Yuan | None = Field(
        description="pending promises: paid towards it by the payments known now"
    )
    judged_on: dt.date | None
    fee: Yuan | None = Field(description="the broken-promise fee charged, if any")
    fee_waived: bool = Field(description="the fee was waived (the promise was kept after all)")
    created_by: str | None
    created_at: dt.datetime
    source: str

    @staticmethod
    def resolve_loan_id(obj: Promise) -> str:
        return obj.loan.external_id

    @staticmethod
    def resolve_amount(obj: Promise) -> str:
        return yuan(obj.amount_fen)

    @staticmethod
    def resolve_deadline(obj: Promise) -> dt.date:
        return selectors.deadline(obj)

    @staticmethod
    def resolve_paid(obj: Promise) -> str:
        return yuan(obj.paid_fen)

    @staticmethod
    def resolve_paid_so_far(obj: Promise) -> str | None:
        if obj.status != Promise.Status.PENDING:
            return None
        return yuan(selectors.live_judgement(obj).paid_fen)

    @staticmethod
    def resolve_fee(obj: Promise) -> str | None:
        return yuan(obj.fee_charge.amount_fen) if obj.fee_charge_id else None

    @staticmethod
    def resolve_fee_waived(obj: Promise) -> bool:
        c = obj.fee_charge
        return bool(c is not None and c.waived_fen >= c.amount_fen)

    @staticmethod
    def resolve_created_by(obj: Promise) -> str | None:
        return obj.created_by.username if obj.created_by_id else None


class PromisePage(PageMeta):
    items: list[PromiseOut]


class PromiseIn(Schema):
    case: int = Field(description="the case ID", ge=1)
    amount: AmountIn
    promised_on: dt.date = Field(description="the date to pay by (YYYY-MM-DD)")


class PromiseFilters(Schema):
    case: int | None = Field(None, ge=1, description="only this case's promises")
    status: PromiseStatus | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def _promise(user: User, pk: int) -> Promise:
    promise = selectors.promise_get(user, pk)
    if promise is None:
        raise not_found("promise")
    return promise


@router.get("", response={200: PromisePage, **error_responses(404)}, summary="List promises")
def promise_list(request: HttpRequest, filters: Query[PromiseFilters]):
    """Promises on the cases you may see, newest first; `case` narrows to one case (404 if
    you may not see it)."""
    user: User = request.user
    qs = selectors.with_details(selectors.promises_for(user))
    if filters.case is not None:
        if selectors.case_for(user, filters.case) is None:
            raise not_found("case")
        qs = qs.filter(case_id=filters.case)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return page_of(qs, filters.page, filters.page_size)


@router.post(
    "", response={201: PromiseOut, **error_responses(403, 404)}, summary="Record a promise"
)
def promise_create(request: HttpRequest, payload: PromiseIn):
    """Record that the debtor promised to pay `amount` by `promised_on` (made today). The
    loan's pending promise is superseded; end-of-day judges the promise from the payments."""
    # The capability first, like every write: a refusal says nothing about the case.
    user = require(request, services.WORK_CAPABILITY, "record promises to pay")
    case = selectors.case_for(user, payload.case)
    if case is None:
        raise not_found("case")
    try:
        # API messages are English whatever the request's language, as elsewhere in the API.
        with translation.override("en"):
            promise = services.promise_record(
                case=case,
                amount_fen=amount_fen(payload.amount),
                promised_on=payload.promised_on,
                actor=user,
                source="api",
            )
    except PromiseError as exc:
        raise ApiError(exc.status, exc.code, exc.message, field=exc.field) from exc
    return Status(201, _promise(user, promise.pk))


@router.get(
    "/{int:promise_id}", response={200: PromiseOut, **error_responses(404)}, summary="One promise"
)
def promise_detail(request: HttpRequest, promise_id: int):
    """A promise with its status, what has been paid towards it, and its fee."""
    return _promise(request.user, promise_id)
