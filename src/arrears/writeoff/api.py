"""Write-off over HTTP (mounted at /api/v1/writeoff/).

Thin: parse, call arrears.writeoff.selectors/services with the requesting user, shape the
answer. Reading needs `writeoff.read` (403 otherwise); a proposal outside the user's scope is
a 404; a role or authority that does not allow the action is a 403 saying why; bad input is
a 422 naming the field; a proposal not pending, or a loan not in a state to be written off,
is a 409. Money is a string of yuan.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from arrears.api.errors import ApiError, error_responses, not_found
from arrears.api.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    AmountIn,
    PageMeta,
    SafeText,
    Yuan,
    amount_fen,
    api_enum,
    page_of,
    yuan,
)
from arrears.core.models import User
from arrears.core.roles import Role
from arrears.writeoff import selectors, services
from arrears.writeoff.errors import WriteOffError
from arrears.writeoff.models import Reason, WriteOffProposal, WrittenOffLoan

WriteOffReason = api_enum(Reason, "WriteOffReason")
WriteOffStatus = api_enum(WriteOffProposal.Status, "WriteOffStatus")
WriteOffBasis = api_enum(WriteOffProposal.Basis, "WriteOffBasis")
AuthorityRole = Literal["admin", "manager"]

router = Router(tags=["writeoff"])


def _raise(exc: WriteOffError) -> None:
    raise ApiError(exc.status, exc.code, exc.message, field=exc.field) from exc


def _english(call):
    with translation.override("en"):
        return call()


def _require(request: HttpRequest, capability: str, doing: str) -> User:
    user: User = request.user
    if user.is_read_only or not user.can(capability):
        raise ApiError(403, "forbidden", f"your role ({user.role}) may not {doing}")
    return user


def _reader(request: HttpRequest) -> User:
    user: User = request.user
    if not user.can("writeoff.read"):
        raise ApiError(403, "forbidden", f"your role ({user.role}) may not read write-offs")
    return user


# --- schemas --------------------------------------------------------------------------------


class WrittenOffAmountsOut(Schema):
    """The written-off amounts of a proposal item or ledger row, fen to yuan (resolvers only:
    each schema declares its own fields)."""

    @staticmethod
    def resolve_principal(obj) -> str:
        return yuan(obj.principal_fen)

    @staticmethod
    def resolve_interest(obj) -> str:
        return yuan(obj.interest_fen)

    @staticmethod
    def resolve_penalty(obj) -> str:
        return yuan(obj.penalty_fen)

    @staticmethod
    def resolve_fees(obj) -> str:
        return yuan(obj.fees_fen)

    @staticmethod
    def resolve_total(obj) -> str:
        return yuan(obj.total_fen)


class ItemOut(WrittenOffAmountsOut):
    """One loan of a proposal, its amounts as of the proposal date."""

    loan_id: str
    dpd: int
    principal: Yuan
    interest: Yuan = Field(description="interest due by the date, unpaid")
    penalty: Yuan
    fees: Yuan
    total: Yuan

    @staticmethod
    def resolve_loan_id(obj) -> str:
        return obj.loan.external_id


class ProposalOut(Schema):
    id: int
    number: str
    status: WriteOffStatus
    reason_code: WriteOffReason
    reason: str
    basis: WriteOffBasis
    as_of: dt.date = Field(description="the amounts are as of this date")
    total: Yuan
    proposed_by: str
    proposed_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    items: list[ItemOut]

    @staticmethod
    def resolve_total(obj) -> str:
        return yuan(obj.total_fen)

    @staticmethod
    def resolve_proposed_by(obj) -> str:
        return obj.proposed_by.username

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return obj.decided_by.username if obj.decided_by_id else None

    @staticmethod
    def resolve_items(obj) -> list:
        return list(selectors.proposal_items(obj))


class ProposalSummaryOut(Schema):
    id: int
    number: str
    status: WriteOffStatus
    reason_code: WriteOffReason
    as_of: dt.date
    total: Yuan
    loans: int
    proposed_by: str

    @staticmethod
    def resolve_total(obj) -> str:
        return yuan(obj.total_fen)

    @staticmethod
    def resolve_proposed_by(obj) -> str:
        return obj.proposed_by.username


class ProposalPage(PageMeta):
    items: list[ProposalSummaryOut]


class ProposalIn(Schema):
    """By hand: `loans` (loan IDs). By filter: leave `loans` out and the reason's filter
    (selectors.candidates) chooses, narrowed by `county`."""

    reason_code: WriteOffReason
    reason: SafeText(2000, min_length=1)
    loans: list[SafeText(64, min_length=1)] | None = Field(None, max_length=500)
    county: SafeText(50) = ""


class WriteOffDecisionIn(Schema):
    approve: bool
    note: SafeText(2000) = Field("", description="required to reject")


class WriteOffNoteIn(Schema):
    note: SafeText(2000) = ""


class ProposalFilters(Schema):
    status: WriteOffStatus | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class LedgerOut(WrittenOffAmountsOut):
    """A row of the written-off ledger: the amounts written off and what came in after."""

    loan_id: str
    borrower: str
    county: str
    product: str
    written_off_on: dt.date
    reason_code: WriteOffReason
    reason: str
    proposal: str
    dpd: int
    principal: Yuan
    interest: Yuan
    penalty: Yuan
    fees: Yuan
    total: Yuan
    recovered: Yuan = Field(description="recoveries after write-off, all to date")

    @staticmethod
    def resolve_loan_id(obj: WrittenOffLoan) -> str:
        return obj.loan.external_id

    @staticmethod
    def resolve_borrower(obj: WrittenOffLoan) -> str:
        return obj.loan.borrower.name

    @staticmethod
    def resolve_county(obj: WrittenOffLoan) -> str:
        return obj.loan.borrower.county

    @staticmethod
    def resolve_product(obj: WrittenOffLoan) -> str:
        return obj.loan.product.code

    @staticmethod
    def resolve_proposal(obj: WrittenOffLoan) -> str:
        return obj.proposal.number

    @staticmethod
    def resolve_recovered(obj) -> str:
        return yuan(obj.recovered_fen)


class LedgerPage(PageMeta):
    items: list[LedgerOut]


class LedgerFilters(Schema):
    q: SafeText(100) = ""
    county: SafeText(50) = ""
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class TotalsFilters(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    group_by: Literal["loan", "product", "region"] | None = None


class TotalsOut(Schema):
    """selectors.written_off_totals, in yuan."""

    key: str
    loans_written_off: int
    written_off_principal: Yuan
    written_off_interest: Yuan
    written_off_penalty: Yuan
    written_off_fees: Yuan
    written_off_total: Yuan
    recoveries: int
    recovered: Yuan
    recovered_principal: Yuan
    recovered_interest: Yuan
    recovered_penalty: Yuan
    recovered_fees: Yuan
    recovered_credit: Yuan


class AuthorityOut(Schema):
    role: str
    max_total: Yuan | None = Field(description="null: no limit")


class AuthorityIn(Schema):
    max_total: AmountIn | None = Field(None, description="null: no limit")


# --- endpoints ------------------------------------------------------------------------------


def _proposal(user: User, pk: int) -> WriteOffProposal:
    proposal = selectors.proposal_get(user=user, pk=pk)
    if proposal is None:
        raise not_found("proposal")
    return proposal


@router.get(
    "/proposals", response={200: ProposalPage, **error_responses(403)}, summary="List proposals"
)
def proposal_list(request: HttpRequest, filters: Query[ProposalFilters]):
    """Write-off proposals, newest first."""
    user = _reader(request)
    qs = selectors.proposal_list(user=user, status=filters.status or "")
    return page_of(qs, filters.page, filters.page_size)


@router.post(
    "/proposals",
    response={201: ProposalOut, **error_responses(403, 409)},
    summary="Propose a write-off",
)
def proposal_create(request: HttpRequest, payload: ProposalIn):
    """Propose loans for write-off, by hand (`loans`) or by the reason's filter; the amounts
    are each loan's balance as of today."""
    user = _require(request, "writeoff.propose", "propose write-offs")
    try:
        if payload.loans is not None:
            proposal = _english(
                lambda: services.writeoff_propose(
                    actor=user,
                    loan_ids=payload.loans,
                    reason_code=payload.reason_code,
                    reason=payload.reason,
                    source="api",
                )
            )
        else:
            proposal = _english(
                lambda: services.writeoff_propose_by_filter(
                    actor=user,
                    reason_code=payload.reason_code,
                    reason=payload.reason,
                    county=payload.county,
                    source="api",
                )
            )
    except WriteOffError as exc:
        _raise(exc)
    return Status(201, _proposal(user, proposal.pk))


@router.get(
    "/proposals/{int:proposal_id}",
    response={200: ProposalOut, **error_responses(403, 404)},
    summary="One proposal",
)
def proposal_detail(request: HttpRequest, proposal_id: int):
    return _proposal(_reader(request), proposal_id)


@router.post(
    "/proposals/{int:proposal_id}/decision",
    response={200: ProposalOut, **error_responses(403, 404, 409)},
    summary="Approve or reject a proposal",
)
def proposal_decision(request: HttpRequest, proposal_id: int, payload: WriteOffDecisionIn):
    """Approve (the loans are written off today) or reject (a note is required). 403 for the
    proposer, and beyond your role's authority (the message says the limit)."""
    user = _require(request, "writeoff.approve", "decide on write-offs")
    proposal = _proposal(user, proposal_id)
    try:
        _english(
            lambda: services.writeoff_decide(
                proposal, actor=user, approve=payload.approve, note=payload.note, source="api"
            )
        )
    except WriteOffError as exc:
        _raise(exc)
    return _proposal(user, proposal_id)


@router.post(
    "/proposals/{int:proposal_id}/cancel",
    response={200: ProposalOut, **error_responses(403, 404, 409)},
    summary="Cancel a proposal",
)
def proposal_cancel(request: HttpRequest, proposal_id: int, payload: WriteOffNoteIn):
    """Withdraw a pending proposal: its proposer or an administrator."""
    user = _require(request, "writeoff.propose", "cancel write-offs")
    proposal = _proposal(user, proposal_id)
    try:
        _english(
            lambda: services.writeoff_cancel(proposal, actor=user, note=payload.note, source="api")
        )
    except WriteOffError as exc:
        _raise(exc)
    return _proposal(user, proposal_id)


@router.get(
    "/ledger", response={200: LedgerPage, **error_responses(403)}, summary="Written-off ledger"
)
def ledger_list(request: HttpRequest, filters: Query[LedgerFilters]):
    """The written-off loans (newest write-off first) with their amounts and recoveries."""
    user = _reader(request)
    qs = selectors.ledger(user=user, q=filters.q, county=filters.county)
    return page_of(qs, filters.page, filters.page_size)


@router.get(
    "/totals",
    response={200: list[TotalsOut], **error_responses(403)},
    summary="Written off and recovered in a period",
)
def totals(request: HttpRequest, filters: Query[TotalsFilters]):
    """Amounts written off (by write-off date) and recovered after write-off (by payment
    date) in the period, one row or one per loan, product or county."""
    user = _reader(request)
    rows = selectors.written_off_totals(
        user, filters.date_from, filters.date_to, group_by=filters.group_by
    )
    return [
        {
            k: (v if k in ("key", "loans_written_off", "recoveries") else yuan(v))
            for k, v in r.items()
        }
        for r in rows
    ]


def _authority_out(role: str) -> dict:
    auth = selectors.authority_for(role)
    return {"role": role, "max_total": None if auth is None else yuan(auth.max_total_fen)}


@router.get(
    "/authority",
    response={200: list[AuthorityOut], **error_responses(403)},
    summary="Write-off authority by role",
)
def authority_list(request: HttpRequest):
    """The largest total each approving role may approve (absent: none; null: no limit)."""
    _reader(request)
    return [
        {"role": a.role, "max_total": yuan(a.max_total_fen)} for a in selectors.authority_table()
    ]


@router.post(
    "/authority/{role}",
    response={200: AuthorityOut, **error_responses(403)},
    summary="Set a role's write-off authority",
)
def authority_put(request: HttpRequest, role: AuthorityRole, payload: AuthorityIn):
    user = _require(request, "writeoff.authority", "change write-off authority")
    limit = None if payload.max_total is None else amount_fen(payload.max_total)
    try:
        _english(
            lambda: services.writeoff_authority_set(
                role=Role(role), max_total_fen=limit, actor=user, source="api"
            )
        )
    except WriteOffError as exc:
        _raise(exc)
    return _authority_out(role)
