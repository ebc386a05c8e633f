"""Agencies over HTTP (mounted at /api/v1/agencies/): agencies and contracts, placements
(batches, place, recall), reported payments and their reconciliation, statements and
performance. Thin: parse, call agencies.selectors/services with the requesting user, shape
the answer. Out of scope is a 404; a role that may not is a 403; bad input a 422 naming the
field. Money is a string of yuan. A file of agency payments goes through
`POST /api/v1/imports/agency-payments` like every import.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from arrears.agencies import rules, selectors, services
from arrears.agencies.errors import AgencyError
from arrears.agencies.models import AgencyPayment, Contract, Placement, PlacementBatch
from arrears.api.access import require
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
from arrears.book.models import Loan
from arrears.core.models import User

router = Router(tags=["agencies"])

# A row ID as the database holds it (a bigger number could not be looked up at all).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]

TierKey = api_enum(Contract.TierKey, "AgencyTierKey")
Basis = api_enum(Contract.Basis, "CommissionBasis")
PlacementStatus = api_enum(Placement.Status, "PlacementStatus")
ReportStatus = api_enum(AgencyPayment.Status, "AgencyPaymentStatus")
ReportMatch = api_enum(AgencyPayment.Match, "AgencyPaymentMatch")


def _call(fn):
    try:
        with translation.override("en"):
            return fn()
    except AgencyError as exc:
        raise ApiError(exc.status, exc.code, exc.message, field=exc.field) from exc


# ------------------------------------------------------------------------ schemas


class TierIO(Schema):
    low: int | None = Field(None, ge=0, le=10**15, description="DPD or fen owed, from")
    high: int | None = Field(None, ge=0, le=10**15, description="below (blank: no end)")
    value: SafeText(32) = Field("", description="bucket or product code; '' all others")
    rate: Decimal = Field(ge=0, le=1, max_digits=7, decimal_places=6)


class ContractOut(Schema):
    id: int
    number: str
    valid_from: dt.date
    valid_to: dt.date
    approved: bool
    last_review_on: dt.date | None
    tier_key: TierKey
    basis: Basis
    tiers: list[TierIO]

    @staticmethod
    def resolve_tiers(obj: Contract) -> list[dict]:
        return [
            {"low": t.low, "high": t.high, "value": t.value, "rate": t.rate}
            for t in obj.tiers.all()
        ]


class ContractIn(Schema):
    number: SafeText(64, 1)
    valid_from: dt.date
    valid_to: dt.date
    approved: bool = False
    last_review_on: dt.date | None = None
    tier_key: TierKey
    basis: Basis = Basis("all")
    tiers: list[TierIO] = Field(min_length=1, max_length=100)


class AgencyOut(Schema):
    id: int
    name: str
    review_due_on: dt.date | None
    placement_refusal: str | None = Field(description="why placements are refused today")
    ip_ranges: list[str]
    contracts: list[ContractOut]

    @staticmethod
    def resolve_placement_refusal(obj) -> str | None:
        from arrears.core.dates import local_today

        with translation.override("en"):
            return services.placement_refusal(obj, local_today())

    @staticmethod
    def resolve_ip_ranges(obj) -> list[str]:
        return list(obj.ip_ranges.values_list("network", flat=True))

    @staticmethod
    def resolve_contracts(obj) -> list:
        return list(obj.contracts.prefetch_related("tiers").order_by("-valid_from"))


class ReviewIn(Schema):
    reviewed_on: dt.date


class IpRangesIn(Schema):
    networks: list[SafeText(50)] = Field(max_length=100)


class PlacementOut(Schema):
    id: int
    batch: str
    case_id: int
    loan_id: str
    agency: str
    placed_on: dt.date
    ends_on: dt.date
    dpd: int
    bucket: str
    owed: Yuan
    rate: Decimal
    status: PlacementStatus
    recalled_on: dt.date | None
    recall_reason: str

    @staticmethod
    def resolve_batch(obj: Placement) -> str:
        return obj.batch.number

    @staticmethod
    def resolve_loan_id(obj: Placement) -> str:
        return obj.loan.external_id

    @staticmethod
    def resolve_agency(obj: Placement) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_owed(obj: Placement) -> str:
        return yuan(obj.owed_fen)


class PlacementPage(PageMeta):
    items: list[PlacementOut]


class BatchOut(Schema):
    id: int
    number: str
    agency: str
    contract: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    cases: int
    active: int

    @staticmethod
    def resolve_agency(obj: PlacementBatch) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_contract(obj: PlacementBatch) -> str:
        return obj.contract.number

    @staticmethod
    def resolve_cases(obj: PlacementBatch) -> int:
        return obj.placements.count()

    @staticmethod
    def resolve_active(obj: PlacementBatch) -> int:
        return obj.placements.filter(status=Placement.Status.ACTIVE).count()


class BatchPage(PageMeta):
    items: list[BatchOut]


class PlaceIn(Schema):
    agency: Id
    number: SafeText(40, 1)
    starts_on: dt.date
    ends_on: dt.date
    cases: list[Id] = Field(default_factory=list, max_length=5000)
    handovers: bool = Field(False, description="add the strategies' hand-overs")


class RecallIn(Schema):
    placements: list[Id] = Field(
        default_factory=list, max_length=5000, description="blank: the whole batch"
    )


class RecallOut(Schema):
    recalled: int


class ReportOut(Schema):
    id: int
    agency: str
    payment_id: str
    loan_id: str
    paid_on: dt.date
    amount: Yuan
    reference: str
    match: ReportMatch
    status: ReportStatus
    ledger_payment: str | None
    note: str

    @staticmethod
    def resolve_agency(obj: AgencyPayment) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_loan_id(obj: AgencyPayment) -> str:
        return obj.loan.external_id

    @staticmethod
    def resolve_amount(obj: AgencyPayment) -> str:
        return yuan(obj.amount_fen)

    @staticmethod
    def resolve_ledger_payment(obj: AgencyPayment) -> str | None:
        return obj.ledger_payment.external_id if obj.ledger_payment_id else None


class ReportPage(PageMeta):
    items: list[ReportOut]


class ReportIn(Schema):
    agency: Id | None = Field(None, description="blank: the calling agency user's")
    payment_id: SafeText(64, 1)
    loan_id: SafeText(64, 1)
    paid_on: dt.date
    amount: AmountIn
    reference: SafeText(64) = ""


class DecideIn(Schema):
    decision: str = Field(pattern="^(confirm|reject)$")
    ledger_payment_id: SafeText(64) = ""
    note: SafeText(500) = ""


class ReportFilters(Schema):
    status: ReportStatus | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class PageFilters(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class StatementLineOut(Schema):
    payment_id: str
    loan_id: str
    case_id: int
    batch: str
    paid_on: dt.date
    amount: Yuan
    rate: Decimal
    commission: Yuan


class StatementOut(Schema):
    agency: str
    month: str
    money: Yuan
    commission: Yuan
    lines: list[StatementLineOut]


class PerformanceOut(Schema):
    kind: str
    name: str
    cases: int
    owed: Yuan
    recovered: Yuan
    recovery_rate: Decimal | None
    cost: Yuan | None
    cost_per_yuan: Decimal | None


class PeriodIn(Schema):
    date_from: dt.date
    date_to: dt.date


# ------------------------------------------------------------------------ agencies


def _agency(user: User, pk: int):
    agency = selectors.agencies_for(user).filter(pk=pk).first()
    if agency is None:
        raise not_found("agency")
    return agency


@router.get("", response={200: list[AgencyOut], **error_responses()}, summary="List agencies")
def agency_list(request: HttpRequest):
    """Every agency for managers and auditors; an agency user their own."""
    return list(selectors.agencies_for(request.user).order_by("name"))


@router.get(
    "/{int:agency_id}", response={200: AgencyOut, **error_responses(404)}, summary="One agency"
)
def agency_detail(request: HttpRequest, agency_id: int):
    return _agency(request.user, agency_id)


@router.post(
    "/{int:agency_id}/contracts",
    response={201: ContractOut, **error_responses(403, 404)},
    summary="Add or replace a contract",
)
def contract_save(request: HttpRequest, agency_id: int, payload: ContractIn):
    """A contract with its tiers; tiers must cover their range with no gap or overlap (the
    422 names the tiers). A contract with the same number is replaced."""
    user = require(request, services.MANAGE, "manage agency contracts")
    agency = _agency(user, agency_id)
    existing = agency.contracts.filter(number=payload.number.strip()).first()
    contract = _call(
        lambda: services.contract_save(
            agency=agency,
            number=payload.number,
            valid_from=payload.valid_from,
            valid_to=payload.valid_to,
            approved=payload.approved,
            last_review_on=payload.last_review_on,
            tier_key=str(payload.tier_key.value),
            basis=str(payload.basis.value),
            tiers=[rules.Tier(t.low, t.high, t.value.strip(), t.rate) for t in payload.tiers],
            actor=user,
            source="api",
            contract=existing,
        )
    )
    return Status(201, contract)


@router.post(
    "/{int:agency_id}/review",
    response={200: AgencyOut, **error_responses(403, 404)},
    summary="Record the yearly review",
)
def agency_review(request: HttpRequest, agency_id: int, payload: ReviewIn):
    user = require(request, services.MANAGE, "record agency reviews")
    agency = _agency(user, agency_id)
    _call(
        lambda: services.agency_review_record(
            agency=agency, reviewed_on=payload.reviewed_on, actor=user, source="api"
        )
    )
    return _agency(user, agency_id)


@router.post(
    "/{int:agency_id}/ip-ranges",
    response={200: AgencyOut, **error_responses(403, 404)},
    summary="Set the sign-in address ranges",
)
def agency_ip_ranges(request: HttpRequest, agency_id: int, payload: IpRangesIn):
    """The agency's users sign in and use tokens only from these ranges (none: anywhere)."""
    user = require(request, services.MANAGE, "set agency sign-in ranges")
    agency = _agency(user, agency_id)
    _call(
        lambda: services.agency_ip_ranges_set(
            agency=agency, networks=payload.networks, actor=user, source="api"
        )
    )
    return _agency(user, agency_id)


@router.get(
    "/{int:agency_id}/statements/{month}",
    response={200: StatementOut, **error_responses(404)},
    summary="Monthly commission statement",
)
def agency_statement(request: HttpRequest, agency_id: int, month: str):
    """Every ledger payment the agency earns commission on in the month (YYYY-MM)."""
    user = request.user
    if not selectors.may_read(user):
        raise not_found("agency")
    agency = _agency(user, agency_id)
    try:
        st = selectors.statement(user, agency, month)
    except ValueError:
        raise ApiError(422, "bad_month", "month must be YYYY-MM", field="month") from None
    return {
        "agency": agency.name,
        "month": month,
        "money": yuan(st.money_fen),
        "commission": yuan(st.commission_fen),
        "lines": [
            {
                "payment_id": line.payment_id,
                "loan_id": line.loan_id,
                "case_id": line.case_id,
                "batch": line.batch,
                "paid_on": line.paid_on,
                "amount": yuan(line.amount_fen),
                "rate": line.rate,
                "commission": yuan(line.commission_fen),
            }
            for line in st.lines
        ],
    }


@router.get(
    "/performance",
    response={200: list[PerformanceOut], **error_responses(403)},
    summary="Agency performance beside in-house teams",
)
def agency_performance(request: HttpRequest, period: Query[PeriodIn]):
    user = request.user
    if not selectors.may_read(user):
        raise ApiError(403, "forbidden", f"your role ({user.role}) may not read performance")
    if period.date_to < period.date_from or (period.date_to - period.date_from).days > 731:
        raise ApiError(
            422, "bad_period", "date_to must follow date_from, within two years", field="date_to"
        )
    return [
        {
            "kind": r.kind,
            "name": r.name,
            "cases": r.cases,
            "owed": yuan(r.held_fen),
            "recovered": yuan(r.recovered_fen),
            "recovery_rate": r.recovery_rate,
            "cost": yuan(r.cost_fen),
            "cost_per_yuan": r.cost_per_yuan,
        }
        for r in selectors.agency_performance(user, period.date_from, period.date_to)
    ]


# ------------------------------------------------------------------------ placements


@router.get("/batches", response={200: BatchPage, **error_responses()}, summary="List batches")
def batch_list(request: HttpRequest, filters: Query[PageFilters]):
    return page_of(selectors.batches_for(request.user), filters.page, filters.page_size)


@router.get(
    "/batches/{int:batch_id}",
    response={200: BatchOut, **error_responses(404)},
    summary="One batch",
)
def batch_detail(request: HttpRequest, batch_id: int):
    batch = selectors.batches_for(request.user).filter(pk=batch_id).first()
    if batch is None:
        raise not_found("batch")
    return batch


@router.post(
    "/batches",
    response={201: BatchOut, **error_responses(403, 404, 409)},
    summary="Place a batch of cases with an agency",
)
def batch_place(request: HttpRequest, payload: PlaceIn):
    """The cases (and, with `handovers`, the strategies' hand-overs) go to the agency from
    `starts_on` to `ends_on`. 409 when the agency may not receive placements (no approved
    contract, overdue for review) or a case is with an agency already."""
    user = require(request, services.MANAGE, "place cases with agencies")
    agency = _agency(user, payload.agency)
    ids = set(payload.cases)
    if payload.handovers:
        ids |= set(services.placement_candidates(user))
    batch = _call(
        lambda: services.batch_place(
            agency=agency,
            number=payload.number,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            case_ids=ids,
            actor=user,
            source="api",
        )
    )
    return Status(201, selectors.batches_for(user).get(pk=batch.pk))


@router.post(
    "/batches/{int:batch_id}/recall",
    response={200: RecallOut, **error_responses(403, 404)},
    summary="Recall a batch or some of its cases",
)
def batch_recall(request: HttpRequest, batch_id: int, payload: RecallIn):
    """Early recall on request; the cases return with everything the agency recorded."""
    user = require(request, services.MANAGE, "recall placements")
    batch = selectors.batches_for(user).filter(pk=batch_id).first()
    if batch is None:
        raise not_found("batch")
    if payload.placements:
        chosen = list(batch.placements.filter(pk__in=payload.placements))
        n = _call(lambda: services.placements_recall(placements=chosen, actor=user, source="api"))
    else:
        n = _call(lambda: services.placements_recall(batch=batch, actor=user, source="api"))
    return {"recalled": n}


@router.get(
    "/placements", response={200: PlacementPage, **error_responses()}, summary="List placements"
)
def placement_list(request: HttpRequest, filters: Query[PageFilters]):
    """All placements for managers and auditors; an agency user its active ones only."""
    qs = selectors.placements_for(request.user).order_by("-placed_on", "-id")
    return page_of(qs, filters.page, filters.page_size)


# ------------------------------------------------------------------------ reconciliation


@router.get(
    "/payments", response={200: ReportPage, **error_responses()}, summary="Reported payments"
)
def report_list(request: HttpRequest, filters: Query[ReportFilters]):
    """Payments agencies reported; `status=pending` is what waits for a manager."""
    qs = selectors.agency_payments_for(request.user).order_by("-paid_on", "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    return page_of(qs, filters.page, filters.page_size)


@router.post(
    "/payments",
    response={201: ReportOut, 200: ReportOut, **error_responses(403, 404, 409)},
    summary="Report a payment (agency)",
)
def report_create(request: HttpRequest, payload: ReportIn):
    """An agency reports money its debtor paid; matched at once against the ledger. The
    same report again answers 200 and changes nothing."""
    user = require(request, services.REPORT, "report agency payments")
    if payload.agency is None:
        if not user.agency_id:
            raise ApiError(422, "required", "name the agency", field="agency")
        agency = user.agency
    else:
        agency = _agency(user, payload.agency)
    loan = Loan.objects.filter(external_id=payload.loan_id).first()
    if loan is None:
        raise ApiError(422, "unknown_loan", "no such loan", field="loan_id")
    report, created = _call(
        lambda: services.agency_payment_report(
            agency=agency,
            payment_id=payload.payment_id,
            loan=loan,
            paid_on=payload.paid_on,
            amount_fen=amount_fen(payload.amount),
            reference=payload.reference,
            actor=user,
            source="api",
        )
    )
    return Status(201 if created else 200, report)


@router.post(
    "/payments/{int:report_id}/decide",
    response={200: ReportOut, **error_responses(403, 404, 409)},
    summary="Confirm or reject a reported payment",
)
def report_decide(request: HttpRequest, report_id: int, payload: DecideIn):
    """Confirm (credited to the agency, tied to a ledger payment) or reject (with a note)."""
    user = require(request, services.MANAGE, "decide on agency payments")
    report = selectors.agency_payments_for(user).filter(pk=report_id).first()
    if report is None:
        raise not_found("reported payment")
    return _call(
        lambda: services.agency_payment_decide(
            report=report,
            decision=payload.decision,
            ledger_payment_id=payload.ledger_payment_id,
            note=payload.note,
            actor=user,
            source="api",
        )
    )
