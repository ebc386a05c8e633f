"""Who is on the credit hold list (停止供货: the origination system refuses them new credit).

A borrower is held for any of these reasons, each read set-based from the book:

- `open_delinquency`: a collection case open on one of their loans, or a loan past due at the
  latest end-of-day (DPD > 0);
- `broken_plan`: a repayment plan they broke, on a loan not yet paid off;
- `written_off`: a loan written off (Loan.status written_off);
- `negative_credit`: flagged for negative credit reporting after a broken promise.
"""

from __future__ import annotations

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

REASONS = ("open_delinquency", "broken_plan", "written_off", "negative_credit")
REASON_LABELS = {
    "open_delinquency": _("Open delinquency"),
    "broken_plan": _("Broken repayment plan"),
    "written_off": _("Written-off loan"),
    "negative_credit": _("Negative credit flag after broken promises"),
}


def with_reasons(borrowers: QuerySet) -> QuerySet:
    """`borrowers` annotated with one boolean per reason (EXISTS subqueries)."""
    from arrears.book.models import Loan
    from arrears.cases.models import Case
    from arrears.eod.models import LoanState
    from arrears.plans.models import Plan

    open_case = Case.objects.filter(borrower_id=OuterRef("pk"), status=Case.Status.OPEN)
    past_due = LoanState.objects.filter(
        loan__borrower_id=OuterRef("pk"), dpd__gt=0, loan__status=Loan.Status.ACTIVE
    )
    broken = Plan.objects.filter(borrower_id=OuterRef("pk"), status=Plan.Status.BROKEN).exclude(
        loan__status=Loan.Status.PAID_OFF
    )
    written_off = Loan.objects.filter(borrower_id=OuterRef("pk"), status=Loan.Status.WRITTEN_OFF)
    return borrowers.annotate(
        open_delinquency=ExpressionWrapper(
            Exists(open_case) | Exists(past_due), output_field=BooleanField()
        ),
        broken_plan=Exists(broken),
        written_off=Exists(written_off),
        negative_credit=ExpressionWrapper(
            Q(negative_credit_on__isnull=False), output_field=BooleanField()
        ),
    )


def held(borrowers: QuerySet) -> QuerySet:
    """Those of `borrowers` held for at least one reason, with the reasons annotated."""
    return with_reasons(borrowers).filter(
        Q(open_delinquency=True)
        | Q(broken_plan=True)
        | Q(written_off=True)
        | Q(negative_credit=True)
    )


def reasons_of(row: dict) -> list[str]:
    return [r for r in REASONS if row.get(r)]
