"""Reads of the loan book. Every function takes the requesting user and goes through scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from arrears.book import ledger
from arrears.book.models import Allocation, Borrower, Installment, Loan, Payment, split_of
from arrears.book.terms import loan_terms
from arrears.core.crypto import search_digests
from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.core.money import decimal_fen, div_half_up
from arrears.core.scoping import borrowers_for, loans_for, payments_for


@dataclass(frozen=True)
class LoanPosition:
    """A loan's figures as of a date, from the ledger rule (fen)."""

    as_of: dt.date
    dpd: int
    outstanding_principal: int
    overdue_principal: int
    overdue_interest: int
    penalty: int
    fees: int
    credit_balance: int
    next_due_on: dt.date | None
    result: ledger.LedgerResult

    @property
    def total_due(self) -> int:
        return self.overdue_principal + self.overdue_interest + self.penalty + self.fees


def loan_position(loan: Loan, as_of: dt.date | None = None) -> LoanPosition:
    """Replay the loan up to `as_of` (default today) and summarise it."""
    as_of = as_of or local_today()
    return _summarise(
        loan,
        as_of,
        installments=[
            ledger.InstallmentIn(i.id, i.number, i.due_on, i.principal_due_fen, i.interest_due_fen)
            for i in loan.installments.all()
        ],
        payments=[
            ledger.PaymentIn(p.id, p.external_id, p.paid_on, p.amount_fen, p.split)
            for p in loan.payments.all()
        ],
        charges=[
            ledger.ChargeIn(c.id, c.charged_on, c.amount_fen, c.waived_fen)
            for c in loan.charges.all()
        ],
        terms=loan_terms(loan),
    )


def loan_positions(as_of_by_loan: dict[int, dt.date]) -> dict[int, LoanPosition]:
    """Many loans' positions, each as of its own date: the loans, schedules, payments and
    charges read in four queries for all of them (batch work: plans' end of day)."""
    from collections import defaultdict

    from arrears.book.models import Charge, Product
    from arrears.book.terms import cap_on, legal_cap_periods, terms_for

    ids = sorted(as_of_by_loan)
    loans = {loan.pk: loan for loan in Loan.objects.select_related("product").filter(pk__in=ids)}
    insts: dict[int, list] = defaultdict(list)
    for r in Installment.objects.filter(loan_id__in=ids).values_list(
        "loan_id", "id", "number", "due_on", "principal_due_fen", "interest_due_fen"
    ):
        insts[r[0]].append(ledger.InstallmentIn(*r[1:]))
    pays: dict[int, list] = defaultdict(list)
    for r in Payment.objects.filter(loan_id__in=ids).values_list(
        "loan_id",
        "id",
        "external_id",
        "paid_on",
        "amount_fen",
        "split_principal_fen",
        "split_interest_fen",
        "split_penalty_fen",
    ):
        pays[r[0]].append(ledger.PaymentIn(*r[1:5], split_of(*r[5:])))
    chgs: dict[int, list] = defaultdict(list)
    for r in Charge.objects.filter(loan_id__in=ids).values_list(
        "loan_id", "id", "charged_on", "amount_fen", "waived_fen"
    ):
        chgs[r[0]].append(ledger.ChargeIn(*r[1:]))
    periods = legal_cap_periods(
        Product.objects.filter(pk__in={loan.product_id for loan in loans.values()})
    )
    out = {}
    for pk, loan in loans.items():
        p = loan.product
        terms = terms_for(
            penalty_rate=loan.penalty_rate,
            rate_cap=p.rate_cap,
            day_count=p.day_count,
            grace_days=p.grace_days,
            penalty_base=p.penalty_base,
            allocation_order=p.allocation_order,
            annual_rate=loan.annual_rate,
            legal_cap_ppm=cap_on(periods, p.pk, loan.disbursed_on),
        )
        out[pk] = _summarise(
            loan,
            as_of_by_loan[pk],
            installments=insts[pk],
            payments=pays[pk],
            charges=chgs[pk],
            terms=terms,
        )
    return out


def _summarise(loan, as_of, *, installments, payments, charges, terms) -> LoanPosition:
    result = ledger.replay(
        installments=installments,
        payments=payments,
        charges=charges,
        terms=terms,
        as_of=as_of,
        disbursed_on=loan.disbursed_on,
    )
    due = result.due_as_of(as_of)
    upcoming = [
        i.due_on
        for i in result.installments
        if i.due_on > as_of and i.principal_left + i.interest_left > 0
    ]
    return LoanPosition(
        as_of=as_of,
        dpd=result.dpd(as_of, loan.product.arrears_tolerance_fen),
        outstanding_principal=sum(i.principal_left for i in result.installments),
        overdue_principal=sum(i.principal_left for i in due if i.due_on < as_of),
        overdue_interest=sum(i.interest_left for i in due if i.due_on < as_of),
        penalty=sum(max(i.penalty_left, 0) for i in result.installments),
        fees=result.fees_owed,
        credit_balance=result.credit_balance,
        next_due_on=min(upcoming) if upcoming else None,
        result=result,
    )


@dataclass(frozen=True)
class PayoffQuote:
    """What ends a loan early on a date (提前结清金额), fen: what is overdue (principal,
    interest, penalty and the fees the cap allows), what falls due that day, the principal
    not yet due, interest accrued on the running period to that day, and the product's
    early-repayment fee on the principal repaid early (within the all-in cap), less credit.

    Future interest that has not accrued is not owed to settle early, so a settlement's
    discount is measured against this figure (plans), never against the whole schedule.
    """

    as_of: dt.date
    overdue: int  # LoanPosition.total_due
    due_today: int  # principal and interest of installments due on the date, unpaid
    principal_not_due: int
    interest_accrued: int
    early_repayment_fee: int
    credit: int

    @property
    def total(self) -> int:
        return max(
            self.overdue
            + self.due_today
            + self.principal_not_due
            + self.interest_accrued
            + self.early_repayment_fee
            - self.credit,
            0,
        )


def payoff_quote(
    loan: Loan, as_of: dt.date | None = None, *, position: LoanPosition | None = None
) -> PayoffQuote:
    """The payoff quote of a loan as of a date (default today); pass `position` (the loan's
    LoanPosition as of the same date) to reuse a replay already made.

    Interest accrued on the running period (from the previous due date, or disbursement, to
    the installment's due date) is its scheduled interest × days elapsed / days in the
    period, rounded half-up: the schedule's own convention, pro rata, never more than it.
    """
    as_of = as_of or local_today()
    pos = position if position is not None and position.as_of == as_of else None
    pos = pos or loan_position(loan, as_of)
    insts = pos.result.installments
    due_today = sum(i.principal_left + i.interest_left for i in insts if i.due_on == as_of)
    ahead = [i for i in insts if i.due_on > as_of]
    principal_not_due = sum(i.principal_left for i in ahead)
    accrued = 0
    if ahead:
        running = ahead[0]
        earlier = [i.due_on for i in insts if i.due_on <= as_of]
        start = max(earlier) if earlier else loan.disbursed_on
        period = (running.due_on - start).days
        elapsed = min(max((as_of - start).days, 0), period)
        if period > 0:
            accrued = div_half_up(running.interest_due * elapsed, period)
        accrued = max(accrued - running.interest_paid, 0)
    fee = 0
    rate = loan.product.early_repayment_fee_rate
    if rate and principal_not_due:
        fee = decimal_fen(Decimal(principal_not_due) * rate)
        allowance = pos.result.fee_allowance
        if allowance is not None:
            # The fee is a fee: within the room the all-in cap leaves as of the date.
            taken = sum(pos.result.charges_paid.values()) + pos.fees
            fee = min(fee, max(allowance - taken, 0))
    return PayoffQuote(
        as_of=as_of,
        overdue=pos.total_due,
        due_today=due_today,
        principal_not_due=principal_not_due,
        interest_accrued=accrued,
        early_repayment_fee=fee,
        credit=pos.credit_balance,
    )


def borrower_search_q(user: User, q: str, prefix: str = "") -> Q:
    """Match a borrower by name, borrower ID or, for roles that may reveal them, a whole phone
    number, a phone's last four digits or a whole ID number.

    The numbers are encrypted, so they are matched through their blind indexes (exact, on the
    normalised number: '+86 138 0013 8000' finds 13800138000). A role that may not reveal a
    kind of number must not be able to confirm one by searching.
    """
    match = Q(**{f"{prefix}name__icontains": q}) | Q(**{f"{prefix}external_id__icontains": q})
    if user.can("pii.phone"):
        found = search_digests("phone", q)
        if "full" in found:
            match |= Q(**{f"{prefix}phone_digest": found["full"]})
            match |= Q(**{f"{prefix}phone2_digest": found["full"]})
        if "tail4" in found:
            match |= Q(**{f"{prefix}phone_tail": found["tail4"]})
            match |= Q(**{f"{prefix}phone2_tail": found["tail4"]})
    if user.can("pii.id_number"):
        found = search_digests("id_number", q)
        if "full" in found:
            match |= Q(**{f"{prefix}id_number_digest": found["full"]})
    return match


def loan_list(
    *,
    user: User,
    q: str = "",
    status: str = "",
    county: str = "",
    town: str = "",
    method: str = "",
    overdue: bool | None = None,
    as_of: dt.date | None = None,
) -> QuerySet[Loan]:
    """The loans a user may see, searched and filtered, with borrower and product joined."""
    qs = loans_for(user).select_related("borrower", "product")
    if q:
        q = q.strip()
        qs = qs.filter(Q(external_id__icontains=q) | borrower_search_q(user, q, "borrower__"))
    if status:
        qs = qs.filter(status=status)
    if county:
        qs = qs.filter(borrower__county=county)
    if town:
        qs = qs.filter(borrower__town=town)
    if method:
        qs = qs.filter(repayment_method=method)
    if overdue is not None:
        late = late_installments(as_of or local_today())
        qs = (
            qs.filter(pk__in=late.values("loan_id"))
            if overdue
            else qs.exclude(pk__in=late.values("loan_id"))
        )
    return qs.order_by("external_id")


def loan_get(*, user: User, external_id: str) -> Loan | None:
    """One loan by its loan ID, if the user may see it."""
    return (
        loans_for(user)
        .select_related(
            "borrower", "product", "team", "collector", "field_agent", "legal_officer", "agency"
        )
        .prefetch_related("installments", "payments", "charges", "guarantors", "collateral")
        .filter(external_id=external_id)
        .first()
    )


def borrower_list(*, user: User, q: str = "") -> QuerySet[Borrower]:
    """The borrowers a user may see, searched by name, borrower ID or phone tail."""
    qs = borrowers_for(user)
    if q:
        q = q.strip()
        qs = qs.filter(borrower_search_q(user, q))
    return qs.order_by("external_id")


def borrower_get(*, user: User, external_id: str) -> Borrower | None:
    return borrowers_for(user).prefetch_related("contacts").filter(external_id=external_id).first()


def borrower_loans(*, user: User, borrower: Borrower) -> QuerySet[Loan]:
    return (
        loans_for(user)
        .filter(borrower=borrower)
        .select_related("product")
        .prefetch_related("guarantors")
    )


def payment_list(*, user: User, loan: Loan | None = None) -> QuerySet[Payment]:
    qs = payments_for(user).select_related("loan")
    if loan is not None:
        qs = qs.filter(loan=loan)
    return qs.prefetch_related("allocations__installment", "allocations__charge")


def on_book_q(as_of: dt.date, prefix: str = "") -> Q:
    """The loans that count as the book as of a date: not written off on or before it.

    A written-off loan (核销, docs/writeoff.md) keeps its own balance here and in the
    end-of-day snapshot — the borrower still owes it — but leaves the book's totals; sum
    balances over `loan_totals(qs.filter(on_book_q(d)), d)` for book figures.
    """
    return Q(**{f"{prefix}written_off_on__isnull": True}) | Q(
        **{f"{prefix}written_off_on__gt": as_of}
    )


def loan_totals(qs: QuerySet[Loan], as_of: dt.date | None = None) -> QuerySet[Loan]:
    """The one balance of many loans as of a date (default today), set-based.

    Every list, total and export reads a loan's balance here (one loan's full position, with
    penalty and the capped fees: loan_position; both equal the end-of-day engine's).
    Annotates paid_principal, paid_interest, paid_penalty, paid_fees, credit_as_of,
    outstanding_principal, overdue_principal, overdue_interest and is_overdue (DPD > 0).

    Paid means allocated with `effective_on` on or before the date: money held as credit for
    an installment not yet due is still credit, as on the loan page (book.ledger), so a loan
    prepaid beyond what it owes shows its principal outstanding and the credit beside it —
    never the stored paid columns, which count the credit as already applied.
    """
    as_of = as_of or local_today()
    allocs = Allocation.objects.filter(loan=OuterRef("pk"), effective_on__lte=as_of).values("loan")

    def paid(component: str, overdue: bool = False):
        sub = allocs.filter(component=component)
        if overdue:
            sub = sub.filter(installment__due_on__lt=as_of)
        sub = sub.annotate(s=Sum("amount_fen")).values("s")[:1]
        return Coalesce(Subquery(sub), 0)

    def due(field: str, overdue: bool = False):
        sub = Installment.objects.filter(loan=OuterRef("pk"))
        if overdue:
            sub = sub.filter(due_on__lt=as_of)
        sub = sub.values("loan").annotate(s=Sum(field)).values("s")[:1]
        return Coalesce(Subquery(sub), 0)

    paid_in = (
        Payment.objects.filter(loan=OuterRef("pk"), paid_on__lte=as_of)
        .values("loan")
        .annotate(s=Sum("amount_fen"))
        .values("s")[:1]
    )
    applied = allocs.exclude(component="credit").annotate(s=Sum("amount_fen")).values("s")[:1]
    return qs.annotate(
        paid_principal=paid("principal"),
        paid_interest=paid("interest"),
        paid_penalty=paid("penalty"),
        paid_fees=paid("fee"),
        credit_as_of=Coalesce(Subquery(paid_in), 0) - Coalesce(Subquery(applied), 0),
        outstanding_principal=due("principal_due_fen") - paid("principal"),
        overdue_principal=due("principal_due_fen", True) - paid("principal", True),
        overdue_interest=due("interest_due_fen", True) - paid("interest", True),
        is_overdue=Exists(late_installments(as_of).filter(loan=OuterRef("pk"))),
    )


def late_installments(as_of: dt.date) -> QuerySet[Installment]:
    """Installments due before `as_of` with more principal and interest unpaid as of that day
    than the product's arrears tolerance (what makes DPD > 0, as the engine counts it)."""
    paid = (
        Allocation.objects.filter(
            installment=OuterRef("pk"),
            effective_on__lte=as_of,
            component__in=("principal", "interest"),
        )
        .values("installment")
        .annotate(s=Sum("amount_fen"))
        .values("s")[:1]
    )
    return (
        Installment.objects.filter(due_on__lt=as_of)
        .annotate(paid_as_of=Coalesce(Subquery(paid), 0))
        .filter(
            paid_as_of__lt=F("principal_due_fen")
            + F("interest_due_fen")
            - F("loan__product__arrears_tolerance_fen")
        )
    )


def installment_paid_as_of(loan_id: int, as_of: dt.date | None = None) -> QuerySet:
    """A loan's installments with principal and interest paid as of a date (default today)."""
    as_of = as_of or local_today()
    allocs = Allocation.objects.filter(installment=OuterRef("pk"), effective_on__lte=as_of).values(
        "installment"
    )

    def paid(component: str):
        sub = allocs.filter(component=component).annotate(s=Sum("amount_fen")).values("s")[:1]
        return Coalesce(Subquery(sub), 0)

    return (
        Installment.objects.filter(loan_id=loan_id)
        .annotate(principal_paid_as_of=paid("principal"), interest_paid_as_of=paid("interest"))
        .order_by("number")
    )
