"""Page-specific reads the loan book's selectors do not cover. All start from core.scoping.

Personal numbers leave this module already masked for the requesting user (`Person`), so a
template never holds a raw ID number or phone it should not show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Count,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce

from arrears.book.models import Borrower, Loan
from arrears.book.selectors import borrower_search_q, loan_totals, on_book_q
from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.core.scoping import borrowers_for, loan_scope_q, loans_for, show_id_number, show_phone


@dataclass(frozen=True)
class CountyFigures:
    county: str
    loans: int
    principal: int
    outstanding: int
    overdue_loans: int


@dataclass(frozen=True)
class Dashboard:
    """Portfolio figures for the loans a user may see (fen)."""

    as_of: dt.date
    loans: int
    active_loans: int
    principal: int
    outstanding: int
    overdue_loans: int
    overdue_principal: int
    counties: list[CountyFigures]
    # Written off (核销) as of the date: out of the figures above, still owed.
    written_off_loans: int = 0
    written_off_outstanding: int = 0


def dashboard(*, user: User, today: dt.date | None = None) -> Dashboard:
    """Counts and sums over the user's scope, by aggregate queries (no per-loan work).

    Balances are the one balance as of `today` (book.selectors.loan_totals), the figures the
    end-of-day engine writes: money held as credit is not yet principal paid.
    """
    today = today or local_today()
    loans = loan_totals(loans_for(user), today)
    # Balances are the book's: a loan written off (核销) leaves them (book.selectors.on_book_q).
    book = on_book_q(today)
    off = Q(written_off_on__isnull=False, written_off_on__lte=today)
    totals = loans.aggregate(
        n=Count("id"),
        active=Count("id", filter=Q(status=Loan.Status.ACTIVE)),
        principal=Coalesce(Sum("principal_fen"), 0),
        overdue=Count("id", filter=Q(is_overdue=True) & book),
        left=Coalesce(Sum("outstanding_principal", filter=book), 0),
        late=Coalesce(Sum("overdue_principal", filter=book), 0),
        wo=Count("id", filter=off),
        wo_left=Coalesce(Sum("outstanding_principal", filter=off), 0),
    )
    by_county = {
        row["borrower__county"]: row
        for row in loans.values("borrower__county").annotate(
            n=Count("id"),
            principal=Coalesce(Sum("principal_fen"), 0),
            overdue=Count("id", filter=Q(is_overdue=True) & book),
            left=Coalesce(Sum("outstanding_principal", filter=book), 0),
        )
    }
    counties = [
        CountyFigures(
            county=county or "",
            loans=row["n"],
            principal=row["principal"],
            outstanding=row["left"],
            overdue_loans=row["overdue"],
        )
        for county, row in sorted(by_county.items(), key=lambda kv: kv[0] or "")
    ]
    return Dashboard(
        as_of=today,
        loans=totals["n"],
        active_loans=totals["active"],
        principal=totals["principal"],
        outstanding=totals["left"],
        overdue_loans=totals["overdue"],
        overdue_principal=totals["late"],
        counties=counties,
        written_off_loans=totals["wo"],
        written_off_outstanding=totals["wo_left"],
    )


def region_choices(*, user: User, county: str = "") -> tuple[list[str], list[str]]:
    """The counties, and the towns (of `county` if given), of the borrowers a user may see."""
    borrowers = borrowers_for(user)
    counties = sorted(
        c for c in borrowers.values_list("county", flat=True).distinct().order_by() if c
    )
    towns_qs = borrowers.filter(county=county) if county else borrowers
    towns = sorted(t for t in towns_qs.values_list("town", flat=True).distinct().order_by() if t)
    return counties, towns


def borrower_list(*, user: User, q: str = "", county: str = "") -> QuerySet[Borrower]:
    """The borrowers a user may see, searched by name, borrower ID or phone tail."""
    qs = borrowers_for(user)
    q = q.strip()
    if q:
        qs = qs.filter(borrower_search_q(user, q))
    if county:
        qs = qs.filter(county=county)
    return qs.annotate(loan_count=Count("loans", filter=loan_scope_q(user, "loans__"))).order_by(
        "external_id"
    )


@dataclass(frozen=True)
class Person:
    """A person on a page, with numbers already masked for the viewer."""

    name: str
    phone: str = ""
    phone2: str = ""
    id_number: str = ""
    relation: str = ""
    address: str = ""
    note: str = ""
    extra: str = ""


def borrower_person(user: User, borrower: Borrower) -> Person:
    return Person(
        name=borrower.name,
        phone=show_phone(user, borrower.phone),
        phone2=show_phone(user, borrower.phone2),
        id_number=show_id_number(user, borrower.id_number),
        address=borrower.address,
    )


def contact_people(user: User, borrower: Borrower) -> list[dict]:
    """The borrower's contacts with relation, consent flags and masked phones."""
    return [
        {
            "id": c.pk,
            "person": Person(
                name=c.name,
                phone=show_phone(user, c.phone),
                relation=c.get_relation_display(),
                address=c.address,
                note=c.note,
            ),
            "consent_to_contact": c.consent_to_contact,
            "consent_to_sms": c.consent_to_sms,
        }
        for c in borrower.contacts.all()
    ]


def guarantor_people(user: User, loans: list[Loan]) -> list[dict]:
    """Guarantors of `loans` (already scoped), with masked phones and ID numbers."""
    return [
        {
            "id": g.pk,
            "loan": loan,
            "person": Person(
                name=g.name,
                phone=show_phone(user, g.phone),
                id_number=show_id_number(user, g.id_number),
                address=g.address,
                relation=g.get_kind_display(),
            ),
            "limit_fen": g.limit_fen,
        }
        for loan in loans
        for g in loan.guarantors.all()
    ]


def apply_reveal(
    context: dict, *, field: str, value: str, contact_id: int | None, guarantor_id: int | None
) -> None:
    """Put one number, just revealed (book.pii.pii_reveal), in full on the borrower page."""
    from dataclasses import replace

    if contact_id is None and guarantor_id is None:
        context["person"] = replace(context["person"], **{field: value})
        context["revealed"] = {field}
        return
    rows, wanted = (
        (context["contacts"], contact_id)
        if contact_id is not None
        else (context["guarantors"], guarantor_id)
    )
    for row in rows:
        if row["id"] == wanted:
            row["person"] = replace(row["person"], **{field: value})
            row["revealed"] = {field}


@dataclass(frozen=True)
class ScheduleRow:
    """One installment as of the page's date: due, paid, penalty accrued and its state."""

    number: int
    due_on: dt.date
    principal_due: int
    interest_due: int
    principal_paid: int
    interest_paid: int
    penalty_accrued: int
    penalty_paid: int
    state: str  # paid | overdue | due | upcoming

    @property
    def left(self) -> int:
        return self.principal_due - self.principal_paid + self.interest_due - self.interest_paid


@dataclass
class LoanPage:
    """Everything the loan page shows, read through the user's scope."""

    loan: Loan
    position: object  # book.selectors.LoanPosition
    schedule: list[ScheduleRow]
    payments: list
    charges: list
    guarantors: list[dict]
    collateral: list
    state: object = None  # eod.models.LoanState: the latest end-of-day figures, if any
    case: object = None  # cases.models.Case: the open (or latest) collection case
    bucket_history: list = None
    arrangements: list = None  # plans.models.Plan accepted on this loan
    payoff: object = None  # book.selectors.PayoffQuote as of the page's date


def loan_page(*, user: User, external_id: str, today: dt.date | None = None) -> LoanPage | None:
    """The loan with its position as of today, or None when the user may not see it."""
    from arrears.book.selectors import loan_get, loan_position, payment_list, payoff_quote

    loan = loan_get(user=user, external_id=external_id)
    if loan is None:
        return None
    from arrears.cases.models import Case
    from arrears.eod.selectors import loan_state
    from arrears.plans.selectors import loan_arrangements

    # The latest case is also who works the loan (cases.assignment_selectors.loan_holder).
    case = (
        Case.objects.filter(loan=loan)
        .select_related("team", "collector", "field_agent", "legal_officer", "agency")
        .order_by("-opened_on", "-id")
        .first()
    )
    today = today or local_today()
    position = loan_position(loan, today)
    # The schedule as of today, from the same replay as the position: money held as credit
    # for a later due date shows as credit balance, not yet as paid on that installment.
    schedule = []
    for i in position.result.installments:
        left = i.principal_left + i.interest_left
        if left == 0:
            state = "paid"
        elif i.due_on < today:
            state = "overdue"
        elif i.due_on == today:
            state = "due"
        else:
            state = "upcoming"
        schedule.append(
            ScheduleRow(
                number=i.number,
                due_on=i.due_on,
                principal_due=i.principal_due,
                interest_due=i.interest_due,
                principal_paid=i.principal_paid,
                interest_paid=i.interest_paid,
                penalty_accrued=i.penalty_accrued,
                penalty_paid=i.penalty_paid,
                state=state,
            )
        )
    return LoanPage(
        loan=loan,
        position=position,
        schedule=schedule,
        payments=list(payment_list(user=user, loan=loan).order_by("-paid_on", "-external_id")),
        charges=list(loan.charges.all()),
        guarantors=guarantor_people(user, [loan]),
        collateral=list(loan.collateral.all()),
        state=loan_state(loan),
        case=case,
        bucket_history=list(case.bucket_history.order_by("-as_of")[:12]) if case else [],
        arrangements=loan_arrangements(loan),
        payoff=payoff_quote(loan, today, position=position),
    )
