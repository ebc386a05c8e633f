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


def loan_restart_events(loan: Loan, *, as_of: dt.date, config=None) -> list:
    """Every restart event the registry holds for the loan up to `as_of`, as
    eod.limitation.Event values (with the sources' labels), oldest first."""
    from django.db import connection

    from arrears.eod import limitation
    from arrears.eod.config import eod_config

    config = config or eod_config()
    sql = limitation.events_sql(as_of, config.restart_kinds, with_ref=True)
    if sql is None:
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT event_date, kind, actor, reached_on, revive_only, ref"
            f" FROM ({sql}) AS ev WHERE loan_id = %s",
            [loan.pk],
        )
        rows = cur.fetchall()

    def day(value):
        if value is None or isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value)[:10])

    events = [
        limitation.Event(
            kind=kind,
            event_date=day(event_date),
            actor=actor,
            reached_on=day(reached_on),
            ref=ref or "",
            revive_only=bool(revive_only),
        )
        for event_date, kind, actor, reached_on, revive_only, ref in rows
    ]
    return sorted(events, key=lambda e: (e.event_date, e.kind, e.ref))


def loan_limitation(loan: Loan, *, as_of: dt.date, config=None):
    """The loan's limitation as of `as_of` with the story behind it (eod.limitation.evaluate):
    which events interrupted, which did nothing after expiry, and a revival and its cause.
    None when the loan has no schedule. The figure equals the end-of-day engine's."""
    from arrears.book.models import Installment
    from arrears.eod import limitation
    from arrears.eod.config import eod_config

    config = config or eod_config()
    last_due = (
        Installment.objects.filter(loan_id=loan.pk)
        .order_by("-due_on")
        .values_list("due_on", flat=True)
    ).first()
    if last_due is None:
        return None
    events = [
        e
        for e in loan_restart_events(loan, as_of=as_of, config=config)
        if e.kind in config.restart_kinds
    ]
    state = loan_state(loan)
    owes = True if state is None else (state.outstanding_principal_fen + state.total_due_fen > 0)
    return limitation.evaluate(
        last_due=last_due,
        events=events,
        as_of=as_of,
        years=config.limitation_years,
        calendar=limitation.Calendar(
            holidays=frozenset(config.holidays), workdays=frozenset(config.workdays)
        ),
        owes=owes,
    )
