"""A written-off loan leaves the end-of-day figures that count as the book, keeps its own
snapshot row (accrual runs on, off-balance, within the cap) and its case stays open."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.cases.models import Case
from arrears.eod.models import LoanSnapshot
from arrears.eod.services import eod_run
from arrears.testing import make_loan
from arrears.writeoff.services import writeoff_decide, writeoff_propose
from arrears.writeoff.tests.conftest import TODAY, D

pytestmark = pytest.mark.django_db


def test_a_written_off_loan_leaves_the_book_but_not_the_snapshot(people, loan, settings):
    settings.ARREARS_EOD_CHANGE_MARGIN_SECONDS = 0
    settings.ARREARS_EOD_INCREMENTAL_MAX_SHARE = 1.0  # a tiny book: never fall back to full
    make_loan(external_id="L-CURRENT", disbursed_on=D(2026, 11, 1), term_months=12)
    before = eod_run(as_of=TODAY)
    assert before.summary["book"]["loans"] == 2
    assert before.summary["written_off"]["loans"] == 0
    proposal = writeoff_propose(
        actor=people["mia"], loan_ids=["L-WO"], reason_code="other", reason="无力偿还", today=TODAY
    )
    writeoff_decide(proposal, actor=people["alice"], approve=True, today=TODAY)
    day = TODAY + dt.timedelta(days=1)
    run = eod_run(as_of=day)
    assert run.mode == "incremental"
    book, wo = run.summary["book"], run.summary["written_off"]
    assert (run.summary["loans"], book["loans"], wo["loans"]) == (2, 1, 1)
    assert (book["delinquent"], wo["delinquent"]) == (0, 1)
    # 144 days overdue on 2026-12-01: M5 (121–150).
    assert wo["by_bucket"]["M5"] == {"loans": 1, "principal": 1_000_000, "total_due": 1_132_000}
    assert book["by_bucket"]["M5"]["loans"] == 0
    assert wo["by_class"] == {"substandard": 1}
    # The loan's own row goes on: penalty 720.00 (5.00 a day), as if nothing happened.
    snap = LoanSnapshot.objects.get(as_of=day, loan=loan)
    assert (snap.dpd, snap.penalty_fen, snap.total_due_fen) == (144, 72_000, 1_132_000)
    # 账销案存: the case opened at end of day stays open and follows the DPD.
    case = Case.objects.get(loan=loan)
    assert (case.status, case.dpd) == ("open", 144)
    # Run again in full: the same figures.
    again = eod_run(as_of=day, full=True)
    assert again.summary["book"] == book and again.summary["written_off"] == wo


def test_a_day_before_the_write_off_still_counts_the_loan_in_the_book(people, loan):
    proposal = writeoff_propose(
        actor=people["mia"], loan_ids=["L-WO"], reason_code="other", reason="无力偿还", today=TODAY
    )
    writeoff_decide(proposal, actor=people["alice"], approve=True, today=TODAY)
    run = eod_run(as_of=TODAY - dt.timedelta(days=1))
    assert (run.summary["book"]["loans"], run.summary["written_off"]["loans"]) == (1, 0)
    run = eod_run(as_of=TODAY)
    assert (run.summary["book"]["loans"], run.summary["written_off"]["loans"]) == (0, 1)


def test_the_snapshot_export_and_the_dashboard_tell_the_book_from_the_written_off(people, loan):
    import io

    from arrears.eod.exports import export_snapshot, snapshot_export_rows
    from arrears.web.selectors import dashboard

    make_loan(external_id="L-CURRENT", disbursed_on=D(2026, 11, 1), term_months=12)
    proposal = writeoff_propose(
        actor=people["mia"], loan_ids=["L-WO"], reason_code="other", reason="无力偿还", today=TODAY
    )
    writeoff_decide(proposal, actor=people["alice"], approve=True, today=TODAY)
    eod_run(as_of=TODAY - dt.timedelta(days=1))
    eod_run(as_of=TODAY)
    out = io.StringIO()
    export_snapshot(as_of=TODAY, fmt="csv", out=out)
    rows = {line.split(",")[0]: line.split(",") for line in out.getvalue().splitlines()[1:]}
    assert rows["L-WO"][9:] == ["11315.00", "2029-07-10", "false", "2026-11-30"]
    assert rows["L-CURRENT"][-1] == ""
    before = {r[0]: r[-1] for r in snapshot_export_rows(as_of=TODAY - dt.timedelta(days=1))}
    assert before == {"L-CURRENT": "", "L-WO": ""}
    # The overview's balances are the book's: L-CURRENT's 10,000.00 alone; L-WO beside.
    figures = dashboard(user=people["mia"], today=TODAY)
    assert (figures.loans, figures.outstanding, figures.overdue_loans) == (2, 1_000_000, 0)
    assert (figures.written_off_loans, figures.written_off_outstanding) == (1, 1_000_000)
    assert (
        dashboard(user=people["mia"], today=TODAY - dt.timedelta(days=1)).outstanding == 2_000_000
    )
