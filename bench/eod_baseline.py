"""The straightforward per-loan ORM end-of-day: what the set-based engine is measured against.

For each loan: load it with the ORM, replay it with book.selectors.loan_position, classify it,
and save one snapshot row. Same figures, one loan at a time.
"""

from __future__ import annotations

import datetime as dt

from arrears.book.models import Loan
from arrears.book.selectors import loan_position
from arrears.core.dates import add_years
from arrears.eod.config import eod_config
from arrears.eod.models import LoanSnapshot


def _bucket(dpd: int, buckets) -> str:
    for label, upper in buckets:
        if upper is None or dpd <= upper:
            return label
    return buckets[-1][0]


def _class(dpd: int, cfg) -> str:
    if dpd > cfg.loss_dpd:
        return "loss"
    if dpd > cfg.doubtful_dpd:
        return "doubtful"
    if dpd > cfg.substandard_dpd:
        return "substandard"
    return "special_mention" if dpd > 0 else "normal"


def baseline_run(*, loan_ids: list[int], as_of: dt.date) -> int:
    """Snapshot these loans one by one through the ORM (no borrower rule); return the count."""
    cfg = eod_config()
    n = 0
    for loan in Loan.objects.filter(id__in=loan_ids).select_related("product").iterator():
        pos = loan_position(loan, as_of)
        anchor = max(i.due_on for i in pos.result.installments)
        last_paid = loan.payments.filter(paid_on__lte=as_of).order_by("-paid_on").first()
        if last_paid is not None and last_paid.paid_on > anchor:
            anchor = last_paid.paid_on
        deadline = add_years(anchor, cfg.limitation_years)
        LoanSnapshot.objects.update_or_create(
            as_of=as_of,
            loan=loan,
            defaults={
                "dpd": pos.dpd,
                "bucket": _bucket(pos.dpd, cfg.buckets),
                "classification": _class(pos.dpd, cfg),
                "overdue_principal_fen": pos.overdue_principal,
                "overdue_interest_fen": pos.overdue_interest,
                "penalty_fen": pos.penalty,
                "fees_fen": pos.fees,
                "outstanding_principal_fen": pos.outstanding_principal,
                "total_due_fen": pos.total_due,
                "limitation_deadline": deadline,
                "time_barred": as_of > deadline,
            },
        )
        n += 1
    return n
