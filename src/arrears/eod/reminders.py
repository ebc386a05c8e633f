"""Pre-due reminders (到期提醒): the installments falling due in the next days, for those who
remind borrowers before a loan goes overdue. Read from the latest end-of-day run's pre-due
list (eod.models.PreDue), scoped to the loans the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, QuerySet

from arrears.core.models import User
from arrears.core.scoping import loan_scope_q
from arrears.eod.config import eod_config
from arrears.eod.models import PreDue
from arrears.eod.selectors import eod_latest_run, pre_due_list


def pre_due_amount(qs: QuerySet[PreDue]) -> QuerySet[PreDue]:
    """The amount a reminder asks for, as `amount_fen`: the one place it is read.

    The run's figure for the installment, already net of the credit the loan holds
    (eod.selectors.pre_due_list: a prepaid installment is not listed at all)."""
    return qs.annotate(amount_fen=F("amount_due_fen"))


@dataclass(frozen=True)
class PreDueList:
    """Installments falling due from the run's date to `until`, with the run they come from."""

    as_of: dt.date | None
    days: int
    until: dt.date | None
    rows: QuerySet[PreDue]


def pre_due_max_days() -> int:
    """How far ahead end-of-day lists installments (ARREARS_EOD_PRE_DUE_DAYS)."""
    return eod_config().pre_due_days


def pre_due_for(user: User, *, days: int | None = None) -> PreDueList:
    """The installments falling due within `days` (default and at most the run's horizon)
    of the latest end-of-day run, on loans in the user's scope, soonest first."""
    horizon = pre_due_max_days()
    days = horizon if days is None else max(0, min(days, horizon))
    run = eod_latest_run()
    if run is None:
        return PreDueList(None, days, None, PreDue.objects.none())
    until = run.as_of + dt.timedelta(days=days)
    qs = (
        pre_due_list(as_of=run.as_of)
        .filter(due_on__lte=until)
        .filter(loan_scope_q(user, "loan__"))
        .select_related("loan", "loan__borrower", "loan__collector")
        .order_by("due_on", "loan__external_id", "installment_number")
    )
    return PreDueList(run.as_of, days, until, pre_due_amount(qs))
