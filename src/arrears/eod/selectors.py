"""Reads of end-of-day results for the loan page, the borrower page and the API.

The caller has already scoped the loan or borrower (book.selectors.loan_get / borrower_get
go through core.scoping); these only read that loan's or borrower's rows.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from arrears.book.models import Borrower, Loan
from arrears.eod.models import EodRun, LoanSnapshot, LoanState, PreDue


def loan_state(loan: Loan) -> LoanState | None:
    """The loan's figures from the latest end-of-day run (None before any run saw it)."""
    return LoanState.objects.filter(loan_id=loan.pk).first()


def borrower_states(borrower: Borrower) -> QuerySet[LoanState]:
    """The latest figures of each of a borrower's loans."""
    return LoanState.objects.filter(loan__borrower_id=borrower.pk).order_by("loan_id")


def loan_snapshots(loan: Loan, *, since: dt.date | None = None) -> QuerySet[LoanSnapshot]:
    """A loan's daily history (DPD, bucket, balances), oldest first."""
    qs = LoanSnapshot.objects.filter(loan_id=loan.pk)
    if since is not None:
        qs = qs.filter(as_of__gte=since)
    return qs.order_by("as_of")


def eod_latest_run() -> EodRun | None:
    """The latest completed run (its as-of date is the date of the figures shown)."""
    return EodRun.objects.filter(status=EodRun.Status.DONE).order_by("-as_of", "-id").first()


def pre_due_list(*, as_of: dt.date | None = None, loans: QuerySet[Loan] | None = None):
    """Installments falling due soon (到期调度) from the run of `as_of` (default: latest),
    limited to `loans` (a scoped queryset) when given.

    `amount_due_fen` is net of the credit the loan holds (engine.pre_due_net_of_credit): a
    prepaid installment is not listed, a part-prepaid one shows what is left to pay. This is
    the one pre-due figure; pages and reminders read it here."""
    if as_of is None:
        run = eod_latest_run()
        if run is None:
            return PreDue.objects.none()
        as_of = run.as_of
    qs = PreDue.objects.filter(as_of=as_of)
    if loans is not None:
        qs = qs.filter(loan_id__in=loans.values("pk"))
    return qs.order_by("due_on", "loan_id")
