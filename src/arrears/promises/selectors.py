"""Reads of promises to pay. Anything a user asks for goes through their scope (cases_for)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, QuerySet

from arrears.book.models import WAIVER_CHANNELS, Borrower, Loan, Payment
from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.core.scoping import cases_for
from arrears.promises.judging import judge_promise
from arrears.promises.models import Promise

DEFAULT_MAX_DAYS = 30
DEFAULT_LOOKBACK_DAYS = 31
COUNTED = ("kept", "partly_kept", "broken", "pending")
# The page's badge style per status (web/arrears.css).
BADGES = {
    "pending": "badge-active",
    "kept": "badge-paid",
    "partly_kept": "badge-due",
    "broken": "badge-overdue",
    "superseded": "badge-written_off",
}


def max_days() -> int:
    """How far ahead a promised date may lie (ARREARS_PROMISE_MAX_DAYS, default 30).

    A longer arrangement is a repayment plan (plans app), with its approval limits.
    """
    return int(getattr(settings, "ARREARS_PROMISE_MAX_DAYS", DEFAULT_MAX_DAYS))


def lookback_days() -> int:
    """How long after its deadline a judged promise is judged again at end-of-day
    (ARREARS_PROMISE_LOOKBACK_DAYS, default 31): a payment imported late but dated inside
    the promise's window still turns it kept."""
    return int(getattr(settings, "ARREARS_PROMISE_LOOKBACK_DAYS", DEFAULT_LOOKBACK_DAYS))


def promise_counts(borrower: Borrower) -> dict[str, int]:
    """Promises of the borrower (all loans) by status: kept, partly_kept, broken, pending.

    Superseded promises are not counted: they were replaced before they could be judged.
    """
    counts = dict.fromkeys(COUNTED, 0)
    rows = (
        Promise.objects.filter(borrower_id=borrower.pk, status__in=COUNTED)
        .values("status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def promises_for(user: User) -> QuerySet[Promise]:
    """Promises on the cases the user may see."""
    return Promise.objects.filter(case_id__in=cases_for(user).values("id"))


def with_details(qs: QuerySet[Promise]) -> QuerySet[Promise]:
    return qs.select_related(
        "case", "loan", "loan__product", "created_by", "fee_charge", "activity"
    ).order_by("-created_on", "-id")


def promise_get(user: User, pk: int) -> Promise | None:
    """The promise, or None when it does not exist or lies outside the user's scope."""
    return with_details(promises_for(user)).filter(pk=pk).first()


def case_for(user: User, pk: int):
    """The case when the user may see it, else None (the same for a missing one)."""
    return cases_for(user).select_related("loan", "loan__product", "borrower").filter(pk=pk).first()


def deadline(promise: Promise) -> dt.date:
    """The last day payments count: the promised date + the product's grace days."""
    return promise.promised_on + dt.timedelta(days=promise.loan.product.promise_grace_days)


def _payments(loan_id: int, since: dt.date, until: dt.date) -> list[tuple[dt.date, int]]:
    return list(
        Payment.objects.filter(loan_id=loan_id, paid_on__gte=since, paid_on__lte=until)
        .exclude(channel__in=WAIVER_CHANNELS)
        .values_list("paid_on", "amount_fen")
    )


@dataclass(frozen=True)
class LiveJudgement:
    """What the payments known now say about a promise (the page's "paid so far").

    The stored status changes only at end-of-day; this is shown beside it.
    """

    paid_fen: int
    status: str
    deadline: dt.date


def live_judgement(promise: Promise, *, today: dt.date | None = None) -> LiveJudgement:
    """Judge one promise now from the loan's payments (the same rule as end-of-day)."""
    today = today or local_today()
    product = promise.loan.product
    end = deadline(promise)
    as_of = max(today, promise.created_on)
    pays = _payments(promise.loan_id, promise.created_on, min(end, as_of))
    status = judge_promise(
        amount_fen=promise.amount_fen,
        created_on=promise.created_on,
        promised_on=promise.promised_on,
        payments=pays,
        as_of=as_of,
        tolerance_fen=product.promise_tolerance_fen,
        grace_days=product.promise_grace_days,
    )
    return LiveJudgement(sum(a for _, a in pays), status, end)


def case_promises(user: User, case, *, today: dt.date | None = None) -> list[Promise]:
    """The case's promises, newest first, each with `.live` (a LiveJudgement, pending ones),
    `.deadline` and `.badge`."""
    promises = list(with_details(promises_for(user).filter(case_id=case.pk)))
    for p in promises:
        p.deadline = deadline(p)
        p.badge = BADGES.get(p.status, "")
        p.live = live_judgement(p, today=today) if p.status == Promise.Status.PENDING else None
    return promises


def loan_full_balance(loan: Loan, as_of: dt.date) -> int:
    """Everything that would end the loan on `as_of` (fen): principal not yet paid (due or
    not), interest not yet paid (due or not), penalty to the date and fees, less credit held.

    A promise larger than this is not a promise anyone can keep.
    """
    from arrears.book.selectors import loan_position

    pos = loan_position(loan, as_of)
    interest = sum(i.interest_left for i in pos.result.installments)
    return pos.outstanding_principal + interest + pos.penalty + pos.fees - pos.credit_balance
