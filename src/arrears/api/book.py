"""The loan book over HTTP: loans, their schedules, payments and charges, and borrowers.

Thin: parse, call a selector or service from arrears.book with the requesting user, shape
the answer. Anything outside the user's scope is a 404, the same as a missing ID.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db import IntegrityError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from arrears.api.access import require
from arrears.api.errors import ApiError, error_responses, not_found
from arrears.api.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    AmountIn,
    Blankable,
    PageMeta,
    PathId,
    Rate,
    SafeText,
    Yuan,
    amount_fen,
    api_enum,
    page_of,
    rate,
    yuan,
)
from arrears.book import selectors
from arrears.book.models import Borrower, Charge, Contact, Guarantor, Loan, Payment
from arrears.book.models import RepaymentMethod as Method
from arrears.book.pii import RevealRefused, pii_reveal
from arrears.book.services import payment_post
from arrears.cases.assignment_selectors import loan_holder
from arrears.cases.models import Case
from arrears.core.audit import request_ip
from arrears.core.dates import add_years, local_today
from arrears.core.models import User
from arrears.core.scoping import loans_for, show_id_number, show_phone
from arrears.eod.selectors import loan_state
from arrears.plans.selectors import loan_arrangements

LoanStatus = api_enum(Loan.Status, "LoanStatus")
BorrowerKind = api_enum(Borrower.Kind, "BorrowerKind")
GuarantorKind = api_enum(Guarantor.Kind, "GuarantorKind")
PaymentChannel = api_enum(Payment.Channel, "PaymentChannel")
ChargeKind = api_enum(Charge.Kind, "ChargeKind")

loans = Router(tags=["loans"])
borrowers = Router(tags=["borrowers"])

LoanId = PathId("loan ID (贷款编号)")
BorrowerId = PathId("borrower ID (客户编号)")
# Positions are computed up to this many years either side of today; beyond is a typo.
AS_OF_YEARS = 100


def _user(request: HttpRequest) -> User:
    return request.user


# --- schemas --------------------------------------------------------------------------------


class _LoanResolvers(Schema):
    """Resolvers shared by the loan schemas (no fields: each schema keeps its own order)."""

    @staticmethod
    def resolve_principal(obj: Loan) -> str:
        return yuan(obj.principal_fen)

    @staticmethod
    def resolve_annual_rate(obj: Loan) -> str:
        return rate(obj.annual_rate)

    @staticmethod
    def resolve_method(obj: Loan) -> str:
        return obj.repayment_method


class LoanRow(_LoanResolvers):
    """A loan in a list."""

    loan_id: str
    borrower_id: str
    borrower_name: str
    principal: Yuan
    annual_rate: Rate
    method: Method
    status: LoanStatus
    disbursed_on: dt.date
    term_months: int
    region: str

    @staticmethod
    def resolve_loan_id(obj: Loan) -> str:
        return obj.external_id

    @staticmethod
    def resolve_borrower_id(obj: Loan) -> str:
        return obj.borrower.external_id

    @staticmethod
    def resolve_borrower_name(obj: Loan) -> str:
        return obj.borrower.name

    @staticmethod
    def resolve_region(obj: Loan) -> str:
        return obj.borrower.region_path


class LoanPage(PageMeta):
    items: list[LoanRow]


class LoanTerms(_LoanResolvers):
    product_code: str
    product_name: str
    principal: Yuan
    annual_rate: Rate
    penalty_rate: Rate
    disbursed_on: dt.date
    term_months: int
    method: Method
    status: LoanStatus
    schedule_source: str

    @staticmethod
    def resolve_product_code(obj: Loan) -> str:
        return obj.product.code

    @staticmethod
    def resolve_product_name(obj: Loan) -> str:
        return obj.product.name

    @staticmethod
    def resolve_penalty_rate(obj: Loan) -> str:
        return rate(obj.penalty_rate)


class Assignment(Schema):
    """Who works the loan (usernames; team and agency by name): its current case's assignment,
    or for a loan that never had a case its home assignment (docs/assignment.md)."""

    team: str | None
    collector: str | None
    field_agent: str | None
    legal_officer: str | None
    agency: str | None

    @staticmethod
    def resolve_team(obj) -> str | None:
        return obj.team.name if obj.team_id else None

    @staticmethod
    def resolve_collector(obj) -> str | None:
        return obj.collector.username if obj.collector_id else None

    @staticmethod
    def resolve_field_agent(obj) -> str | None:
        return obj.field_agent.username if obj.field_agent_id else None

    @staticmethod
    def resolve_legal_officer(obj) -> str | None:
        return obj.legal_officer.username if obj.legal_officer_id else None

    @staticmethod
    def resolve_agency(obj) -> str | None:
        return obj.agency.name if obj.agency_id else None


class Position(Schema):
    """A loan's figures as of a date, replayed from the ledger (book.selectors.loan_position)."""

    as_of: dt.date
    dpd: int = Field(description="days past due (逾期天数)")
    outstanding_principal: Yuan
    overdue_principal: Yuan
    overdue_interest: Yuan
    penalty: Yuan = Field(description="penalty interest (罚息) accrued and unpaid")
    fees: Yuan
    total_due: Yuan
    credit_balance: Yuan
    next_due_on: dt.date | None

    @staticmethod
    def from_position(pos: selectors.LoanPosition) -> Position:
        return Position(
            as_of=pos.as_of,
            dpd=pos.dpd,
            outstanding_principal=yuan(pos.outstanding_principal),
            overdue_principal=yuan(pos.overdue_principal),
            overdue_interest=yuan(pos.overdue_interest),
            penalty=yuan(pos.penalty),
            fees=yuan(pos.fees),
            total_due=yuan(pos.total_due),
            credit_balance=yuan(pos.credit_balance),
            next_due_on=pos.next_due_on,
        )


class EodFigures(Schema):
    """The loan's figures from the latest end-of-day run (eod.models.LoanState)."""

    as_of: dt.date = Field(description="the day of the end-of-day run these figures are from")
    dpd: int
    bucket: str = Field(description="M0, M1 (1–30), … M7+ (over 180)")
    classification: str = Field(
        description="five-category class (五级分类): normal, special_mention, substandard, "
        "doubtful, loss"
    )
    overdue_principal: Yuan
    overdue_interest: Yuan
    penalty: Yuan
    fees: Yuan
    outstanding_principal: Yuan
    total_due: Yuan
    limitation_deadline: dt.date | None = Field(description="statute of limitations (诉讼时效)")
    time_barred: bool
    case_id: int | None = Field(description="the open collection case, if any")

    @staticmethod
    def from_state(state, case_id: int | None) -> EodFigures:
        return EodFigures(
            as_of=state.as_of,
            dpd=state.dpd,
            bucket=state.bucket,
            classification=state.classification,
            overdue_principal=yuan(state.overdue_principal_fen),
            overdue_interest=yuan(state.overdue_interest_fen),
            penalty=yuan(state.penalty_fen),
            fees=yuan(state.fees_fen),
            outstanding_principal=yuan(state.outstanding_principal_fen),
            total_due=yuan(state.total_due_fen),
            limitation_deadline=state.limitation_deadline,
            time_barred=state.time_barred,
            case_id=case_id,
        )


class BorrowerRef(Schema):
    borrower_id: str
    name: str

    @staticmethod
    def resolve_borrower_id(obj: Borrower) -> str:
        return obj.external_id


class GuarantorOut(Schema):
    id: int = Field(description="for POST /borrowers/{borrower_id}/reveal (guarantor_id)")
    name: str
    kind: GuarantorKind
    phone: str
    id_number: str
    limit: Yuan | None

    @staticmethod
    def resolve_phone(obj: Guarantor, context) -> str:
        return show_phone(context["request"].user, obj.phone)

    @staticmethod
    def resolve_id_number(obj: Guarantor, context) -> str:
        return show_id_number(context["request"].user, obj.id_number)

    @staticmethod
    def resolve_limit(obj: Guarantor) -> str | None:
        return yuan(obj.limit_fen)


class ArrangementOut(Schema):
    """A repayment plan or settlement the borrower accepted on this loan."""

    plan_id: int = Field(description="the plan's id under /api/v1/plans")
    kind: str = Field(description="installment_plan or settlement")
    status: str = Field(description="active, completed or broken")
    accepted_on: dt.date
    agreed_total: Yuan
    discount: Yuan
    paid: Yuan = Field(description="paid against the plan so far")

    @staticmethod
    def from_plan(plan) -> dict:
        return {
            "plan_id": plan.pk,
            "kind": plan.kind,
            "status": plan.status,
            "accepted_on": plan.accepted_on,
            "agreed_total": yuan(plan.agreed_total_fen),
            "discount": yuan(plan.discount_fen),
            "paid": yuan(plan.paid_fen),
        }


class LoanDetail(Schema):
    loan_id: str
    borrower: BorrowerRef
    terms: LoanTerms
    assignment: Assignment
    position: Position
    end_of_day: EodFigures | None = Field(
        description="figures of the latest end-of-day run; null before a run has seen the loan"
    )
    guarantors: list[GuarantorOut]
    arrangements: list[ArrangementOut] = Field(
        description="plans accepted on this loan, newest first (the contract schedule still "
        "applies until a plan is completed)"
    )


class PayoffOut(Schema):
    """What ends the loan early on a date (book.selectors.payoff_quote), yuan."""

    loan_id: str
    as_of: dt.date
    payoff: Yuan = Field(description="the amount that settles the loan in full on as_of")
    overdue: Yuan = Field(description="overdue principal, interest, penalty and capped fees")
    due_today: Yuan = Field(description="principal and interest of installments due on as_of")
    principal_not_due: Yuan
    interest_accrued: Yuan = Field(
        description="interest of the running period, pro rata to as_of (no future interest)"
    )
    early_repayment_fee: Yuan = Field(description="the product's fee, within the all-in cap")
    credit: Yuan = Field(description="money held as credit, deducted")

    @staticmethod
    def from_quote(loan_id: str, q) -> PayoffOut:
        return PayoffOut(
            loan_id=loan_id,
            as_of=q.as_of,
            payoff=yuan(q.total),
            overdue=yuan(q.overdue),
            due_today=yuan(q.due_today),
            principal_not_due=yuan(q.principal_not_due),
            interest_accrued=yuan(q.interest_accrued),
            early_repayment_fee=yuan(q.early_repayment_fee),
            credit=yuan(q.credit),
        )


class InstallmentOut(Schema):
    """One installment as of a date (book.selectors.loan_position): money held as credit for
    an installment not yet due is not paid on it until its due date."""

    number: int
    due_on: dt.date
    principal_due: Yuan
    interest_due: Yuan
    principal_paid: Yuan
    interest_paid: Yuan
    penalty_accrued: Yuan = Field(description="penalty interest (罚息) accrued as of the date")
    penalty_paid: Yuan

    @staticmethod
    def from_position(i) -> InstallmentOut:
        return InstallmentOut(
            number=i.number,
            due_on=i.due_on,
            principal_due=yuan(i.principal_due),
            interest_due=yuan(i.interest_due),
            principal_paid=yuan(i.principal_paid),
            interest_paid=yuan(i.interest_paid),
            penalty_accrued=yuan(i.penalty_accrued),
            penalty_paid=yuan(i.penalty_paid),
        )


class AllocationOut(Schema):
    """Where part of a payment went."""

    component: str = Field(description="fee, penalty, interest, principal or credit")
    amount: Yuan
    effective_on: dt.date
    installment_no: int | None
    charge_id: int | None

    @staticmethod
    def resolve_amount(obj) -> str:
        return yuan(obj.amount_fen)

    @staticmethod
    def resolve_installment_no(obj) -> int | None:
        return obj.installment.number if obj.installment_id else None


class PaymentOut(Schema):
    payment_id: str
    paid_on: dt.date
    amount: Yuan
    channel: PaymentChannel
    source: str
    posted_at: dt.datetime
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_payment_id(obj: Payment) -> str:
        return obj.external_id

    @staticmethod
    def resolve_amount(obj: Payment) -> str:
        return yuan(obj.amount_fen)


class ChargeOut(Schema):
    """A fee as of a date (book.selectors.loan_position): paid by then, owed now within the
    all-in rate cap, and the rest held back until the days give the cap room."""

    charge_id: int
    kind: ChargeKind
    charged_on: dt.date
    amount: Yuan
    paid: Yuan
    waived: Yuan
    outstanding: Yuan = Field(description="owed as of the date, within the all-in rate cap")
    held_by_cap: Yuan = Field(description="not owed (yet): the all-in rate cap leaves no room")
    note: str

    @staticmethod
    def from_position(charge: Charge, result) -> ChargeOut:
        paid = result.charges_paid.get(charge.pk, 0)
        owed = result.charges_owed.get(charge.pk, 0)
        return ChargeOut(
            charge_id=charge.pk,
            kind=charge.kind,
            charged_on=charge.charged_on,
            amount=yuan(charge.amount_fen),
            paid=yuan(paid),
            waived=yuan(charge.waived_fen),
            outstanding=yuan(owed),
            held_by_cap=yuan(charge.amount_fen - charge.waived_fen - paid - owed),
            note=charge.note,
        )


class PaymentIn(Schema):
    payment_id: SafeText(64, min_length=1) = Field(description="the payment's unique ID (流水号)")
    paid_on: dt.date = Field(description="the day the money was received; not in the future")
    amount: AmountIn
    channel: PaymentChannel = Payment.Channel.OTHER


class PaymentPosted(Schema):
    created: bool = Field(description="false when this exact payment was already posted")
    payment: PaymentOut
    position: Position


class BorrowerRow(Schema):
    borrower_id: str
    kind: BorrowerKind
    name: str
    phone: str
    region: str

    @staticmethod
    def resolve_borrower_id(obj: Borrower) -> str:
        return obj.external_id

    @staticmethod
    def resolve_phone(obj: Borrower, context) -> str:
        return show_phone(context["request"].user, obj.phone)

    @staticmethod
    def resolve_region(obj: Borrower) -> str:
        return obj.region_path


class BorrowerPage(PageMeta):
    items: list[BorrowerRow]


class ContactOut(Schema):
    id: int = Field(description="for POST /borrowers/{borrower_id}/reveal (contact_id)")
    name: str
    relation: str
    phone: str
    address: str
    consent_to_contact: bool
    consent_to_sms: bool
    note: str

    @staticmethod
    def resolve_phone(obj: Contact, context) -> str:
        return show_phone(context["request"].user, obj.phone)


class Region(Schema):
    province: str
    county: str
    town: str
    village: str
    path: str

    @staticmethod
    def resolve_path(obj: Borrower) -> str:
        return obj.region_path


class BorrowerDetail(Schema):
    borrower_id: str
    kind: BorrowerKind
    name: str
    id_number: str = Field(
        description="always masked (5101**********1234): see POST /borrowers/{borrower_id}/reveal"
    )
    phone: str = Field(description="always masked (138****5678), as every number here")
    phone2: str
    address: str
    region: Region
    employer: str
    contacts: list[ContactOut]

    @staticmethod
    def resolve_borrower_id(obj: Borrower) -> str:
        return obj.external_id

    @staticmethod
    def resolve_id_number(obj: Borrower, context) -> str:
        return show_id_number(context["request"].user, obj.id_number)

    @staticmethod
    def resolve_phone(obj: Borrower, context) -> str:
        return show_phone(context["request"].user, obj.phone)

    @staticmethod
    def resolve_phone2(obj: Borrower, context) -> str:
        return show_phone(context["request"].user, obj.phone2)

    @staticmethod
    def resolve_region(obj: Borrower) -> Borrower:
        return obj


class LoanFilters(Schema):
    q: Blankable(SafeText(100)) = Field(
        None,
        description="loan ID, borrower name or ID, or (roles that may reveal them) a whole "
        "phone number, its last four digits, or a whole ID number",
    )
    status: Blankable(LoanStatus) = None
    county: Blankable(SafeText(50)) = None
    town: Blankable(SafeText(50)) = None
    method: Blankable(Method) = None
    overdue: bool | None = Field(
        None, description="only loans with (true) or without an overdue installment"
    )
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class BorrowerFilters(Schema):
    q: Blankable(SafeText(100)) = Field(
        None,
        description="name, borrower ID, or (roles that may reveal them) a whole phone number, "
        "its last four digits, or a whole ID number",
    )
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


# --- lookups --------------------------------------------------------------------------------


def _loan(user: User, loan_id: str) -> Loan:
    loan = selectors.loan_get(user=user, external_id=loan_id)
    if loan is None:
        raise not_found("loan")
    return loan


def _loan_only(user: User, loan_id: str) -> Loan:
    """The loan row alone (no prefetching), for endpoints that read one related table."""
    loan = loans_for(user).filter(external_id=loan_id).first()
    if loan is None:
        raise not_found("loan")
    return loan


def _borrower(user: User, borrower_id: str) -> Borrower:
    borrower = selectors.borrower_get(user=user, external_id=borrower_id)
    if borrower is None:
        raise not_found("borrower")
    return borrower


def _as_of_in_range(as_of: dt.date | None) -> dt.date | None:
    if as_of is None:
        return None
    today = local_today()
    if not add_years(today, -AS_OF_YEARS) <= as_of <= add_years(today, AS_OF_YEARS):
        raise ApiError(
            422,
            "as_of_out_of_range",
            f"as_of must be within {AS_OF_YEARS} years of today",
            field="as_of",
        )
    return as_of


# --- loans ----------------------------------------------------------------------------------


@loans.get("", response={200: LoanPage, **error_responses()}, summary="List loans")
def loan_list(request: HttpRequest, filters: Query[LoanFilters]):
    """The loans you may see, searched and filtered, 50 to a page by default."""
    qs = selectors.loan_list(
        user=_user(request),
        q=filters.q or "",
        status=filters.status or "",
        county=filters.county or "",
        town=filters.town or "",
        method=filters.method or "",
        overdue=filters.overdue,
    )
    return page_of(qs, filters.page, filters.page_size)


@loans.get("/{loan_id}", response={200: LoanDetail, **error_responses(404)}, summary="One loan")
def loan_detail(request: HttpRequest, loan_id: LoanId, as_of: dt.date | None = None):
    """Terms, assignment and position as of today or `as_of` (YYYY-MM-DD)."""
    user = _user(request)
    loan = _loan(user, loan_id)
    position = selectors.loan_position(loan, _as_of_in_range(as_of))
    state = loan_state(loan)
    case_id = (
        Case.objects.filter(loan=loan, status=Case.Status.OPEN).values_list("pk", flat=True).first()
    )
    return {
        "loan_id": loan.external_id,
        "borrower": loan.borrower,
        "terms": loan,
        "assignment": loan_holder(loan),
        "position": Position.from_position(position),
        "end_of_day": EodFigures.from_state(state, case_id) if state else None,
        "guarantors": list(loan.guarantors.all()),
        "arrangements": [ArrangementOut.from_plan(p) for p in loan_arrangements(loan)],
    }


@loans.get(
    "/{loan_id}/schedule",
    response={200: list[InstallmentOut], **error_responses(404)},
    summary="A loan's schedule",
)
def loan_schedule(request: HttpRequest, loan_id: LoanId, as_of: dt.date | None = None):
    """Installments with what is due and what has been paid of each as of today or `as_of`
    (YYYY-MM-DD): the loan's one balance, as the loan page and the end-of-day run show it."""
    loan = _loan(_user(request), loan_id)
    position = selectors.loan_position(loan, _as_of_in_range(as_of))
    rows = sorted(position.result.installments, key=lambda i: i.number)
    return [InstallmentOut.from_position(i) for i in rows]


@loans.get(
    "/{loan_id}/payoff",
    response={200: PayoffOut, **error_responses(404)},
    summary="A payoff quote",
)
def loan_payoff(request: HttpRequest, loan_id: LoanId, as_of: dt.date | None = None):
    """What settles the loan early on today or `as_of` (YYYY-MM-DD): overdue amounts, the
    principal not yet due, interest accrued to the date and the product's early-repayment
    fee, less credit held. The figure plans and settlements measure discounts against."""
    loan = _loan(_user(request), loan_id)
    return PayoffOut.from_quote(
        loan.external_id, selectors.payoff_quote(loan, _as_of_in_range(as_of))
    )


@loans.get(
    "/{loan_id}/payments",
    response={200: list[PaymentOut], **error_responses(404)},
    summary="A loan's payments",
)
def loan_payments(request: HttpRequest, loan_id: LoanId):
    """Payments with where each went (allocations), oldest first."""
    user = _user(request)
    loan = _loan_only(user, loan_id)
    return list(selectors.payment_list(user=user, loan=loan))


@loans.post(
    "/{loan_id}/payments",
    response={200: PaymentPosted, 201: PaymentPosted, **error_responses(400, 403, 404)},
    summary="Post a payment",
)
def loan_payment_post(request: HttpRequest, loan_id: LoanId, payload: PaymentIn):
    """Post a payment and allocate it. Idempotent on `payment_id`: 201 when posted, 200 when
    the same payment (same loan, date and amount) was already posted, 422 when the ID was used
    for a different one."""
    user = require(request, "payment.post", "post payments")
    loan = _loan_only(user, loan_id)
    post = dict(
        loan=loan,
        external_id=payload.payment_id,
        paid_on=payload.paid_on,
        amount_fen=amount_fen(payload.amount),
        channel=payload.channel,
        actor=user,
        source="api",
        ip=request_ip(request),
    )
    try:
        payment, created = payment_post(**post)
    except IntegrityError:
        # Two requests raced to post the same payment ID; the loser sees the winner's row
        # on a second try and answers as a repeat (or a conflict, if the details differ).
        payment, created = payment_post(**post)
    payment = selectors.payment_list(user=user).get(pk=payment.pk)
    loan = _loan(user, loan_id)
    body = {
        "created": created,
        "payment": payment,
        "position": Position.from_position(selectors.loan_position(loan)),
    }
    return Status(201 if created else 200, body)


@loans.get(
    "/{loan_id}/charges",
    response={200: list[ChargeOut], **error_responses(404)},
    summary="A loan's charges",
)
def loan_charges(request: HttpRequest, loan_id: LoanId, as_of: dt.date | None = None):
    """Fees charged to the loan (by today or `as_of`), with what has been paid and waived,
    what is owed within the all-in rate cap and what the cap holds back."""
    loan = _loan(_user(request), loan_id)
    position = selectors.loan_position(loan, _as_of_in_range(as_of))
    return [
        ChargeOut.from_position(c, position.result)
        for c in sorted(loan.charges.all(), key=lambda c: (c.charged_on, c.pk))
        if c.charged_on <= position.as_of
    ]


# --- borrowers ------------------------------------------------------------------------------


@borrowers.get("", response={200: BorrowerPage, **error_responses()}, summary="List borrowers")
def borrower_list(request: HttpRequest, filters: Query[BorrowerFilters]):
    """The borrowers you may see (those with a loan in your scope), searched."""
    qs = selectors.borrower_list(user=_user(request), q=filters.q or "")
    return page_of(qs, filters.page, filters.page_size)


@borrowers.get(
    "/{borrower_id}", response={200: BorrowerDetail, **error_responses(404)}, summary="One borrower"
)
def borrower_detail(request: HttpRequest, borrower_id: BorrowerId):
    """A borrower with contacts; ID and phone numbers masked unless your role may see them."""
    return _borrower(_user(request), borrower_id)


@borrowers.get(
    "/{borrower_id}/loans",
    response={200: list[LoanRow], **error_responses(404)},
    summary="A borrower's loans",
)
def borrower_loan_list(request: HttpRequest, borrower_id: BorrowerId):
    """The borrower's loans that you may see."""
    user = _user(request)
    borrower = _borrower(user, borrower_id)
    return list(selectors.borrower_loans(user=user, borrower=borrower).select_related("borrower"))


class RevealIn(Schema):
    field: Literal["id_number", "phone", "phone2"] = Field(
        description="which number: a borrower's id_number, phone or phone2; a contact's phone; "
        "a guarantor's phone or id_number"
    )
    contact_id: int | None = Field(None, description="reveal this contact's number")
    guarantor_id: int | None = Field(None, description="reveal this guarantor's number")


class RevealOut(Schema):
    field: str
    value: str = Field(description="the number in full (blank when none is on file)")


@borrowers.post(
    "/{borrower_id}/reveal",
    response={200: RevealOut, **error_responses(403, 404)},
    summary="Reveal a masked number",
)
def borrower_reveal(request: HttpRequest, borrower_id: BorrowerId, payload: RevealIn):
    """Reveal one ID or phone number of the borrower (or of a contact or guarantor) in full.

    A deliberate act, written to the audit trail (`pii.reveal`) with who, when, from where and
    which number. 403 when your role may not reveal that kind of number (pii.phone,
    pii.id_number; the auditor never may), 404 outside your scope.
    """
    try:
        value = pii_reveal(
            user=_user(request),
            borrower_id=borrower_id,
            field=payload.field,
            contact_id=payload.contact_id,
            guarantor_id=payload.guarantor_id,
            source="api",
            ip=request_ip(request),
        )
    except RevealRefused as exc:
        raise ApiError(403, "forbidden", str(exc)) from exc
    except Http404 as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
    return {"field": payload.field, "value": value}
