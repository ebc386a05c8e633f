"""The end-of-day run: snapshot, current state, reruns, back-dated runs, export and command."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from arrears.book.services import payment_post
from arrears.cases.models import Case
from arrears.eod.exports import export_snapshot
from arrears.eod.models import EodRun, LoanSnapshot, PreDue
from arrears.eod.selectors import borrower_states, loan_snapshots, loan_state, pre_due_list
from arrears.eod.services import eod_run
from arrears.testing import make_borrower, make_loan

D = dt.date
pytestmark = pytest.mark.django_db

SNAP_FIELDS = [
    "as_of",
    "loan_id",
    "dpd",
    "bucket",
    "classification",
    "overdue_principal_fen",
    "overdue_interest_fen",
    "penalty_fen",
    "fees_fen",
    "outstanding_principal_fen",
    "total_due_fen",
    "limitation_deadline",
    "time_barred",
]


def snapshot(as_of):
    return list(
        LoanSnapshot.objects.filter(as_of=as_of).order_by("loan_id").values_list(*SNAP_FIELDS)
    )


@pytest.fixture
def book():
    borrower = make_borrower()
    late = make_loan(
        external_id="L-LATE",
        borrower=borrower,
        method="bullet",
        term_months=6,
        disbursed_on=D(2026, 1, 10),
    )
    current = make_loan(external_id="L-CURRENT", disbursed_on=D(2026, 10, 30))
    return late, current


def test_a_run_writes_one_snapshot_row_per_loan_and_records_itself(book):
    late, current = book
    run = eod_run(as_of=D(2026, 11, 28))
    assert run.status == EodRun.Status.DONE
    assert (run.loans, run.delinquent, run.newly_delinquent, run.cases_opened) == (2, 1, 1, 1)
    assert {"load", "compute", "write", "cases"} <= set(run.timings)  # + other apps' phases
    row = LoanSnapshot.objects.get(as_of=D(2026, 11, 28), loan=late)
    assert (row.dpd, row.bucket, row.classification, row.penalty_fen) == (
        141,
        "M5",
        "substandard",
        70_500,
    )
    assert row.limitation_deadline == D(2029, 7, 10)
    assert run.pre_due == 1
    assert PreDue.objects.get().loan_id == current.pk
    assert list(pre_due_list()) == [PreDue.objects.get()]


def test_rerunning_the_same_day_gives_identical_rows(book):
    eod_run(as_of=D(2026, 11, 28))
    first = snapshot(D(2026, 11, 28))
    eod_run(as_of=D(2026, 11, 28))
    assert snapshot(D(2026, 11, 28)) == first
    assert LoanSnapshot.objects.count() == 2
    assert Case.objects.count() == 1


def test_the_current_state_is_the_latest_day(book):
    late, _ = book
    assert loan_state(late) is None
    eod_run(as_of=D(2026, 11, 27))
    eod_run(as_of=D(2026, 11, 28))
    eod_run(as_of=D(2026, 8, 1))  # back-dated: history, not the current state
    state = loan_state(late)
    assert (state.as_of, state.dpd) == (D(2026, 11, 28), 141)
    assert [s.dpd for s in borrower_states(late.borrower)] == [141]
    assert [s.as_of for s in loan_snapshots(late)] == [
        D(2026, 8, 1),
        D(2026, 11, 27),
        D(2026, 11, 28),
    ]


def test_a_back_dated_run_recomputes_from_history_and_leaves_cases_alone(book):
    late, _ = book
    eod_run(as_of=D(2026, 11, 28))
    payment_post(
        loan=late, external_id="P1", paid_on=D(2026, 7, 20), amount_fen=1_000, source="import"
    )
    run = eod_run(as_of=D(2026, 7, 15))
    row = LoanSnapshot.objects.get(as_of=D(2026, 7, 15), loan=late)
    assert (row.dpd, row.penalty_fen) == (5, 2_500)  # the 07-20 payment is not seen yet
    assert (run.cases_opened, run.cases_closed) == (0, 0)
    case = Case.objects.get()
    assert (case.bucket, case.dpd) == ("M5", 141)


def test_export_writes_yuan_with_two_decimals_as_csv_and_xlsx(book):
    eod_run(as_of=D(2026, 11, 28))
    out = io.StringIO()
    assert export_snapshot(as_of=D(2026, 11, 28), fmt="csv", out=out) == 2
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "loan_id,dpd,bucket,classification,overdue_principal,overdue_interest,penalty,fees,"
        "outstanding_principal,total_due,limitation_deadline,time_barred,written_off_on"
    )
    assert lines[2] == (
        "L-LATE,141,M5,substandard,10000.00,600.00,705.00,0.00,10000.00,11305.00,2029-07-10,false,"
    )
    binary = io.BytesIO()
    export_snapshot(as_of=D(2026, 11, 28), fmt="xlsx", out=binary)
    ws = load_workbook(io.BytesIO(binary.getvalue())).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[2][0] == "L-LATE" and float(rows[2][6]) == 705.0


def test_the_command_prints_a_summary(book):
    out = io.StringIO()
    call_command("eod", "--as-of", "2026-11-28", stdout=out)
    text = out.getvalue()
    assert "End of day 2026-11-28" in text
    assert "cases opened 1" in text
    assert "M5" in text and "11,305.00" in text


def test_the_command_refuses_an_impossible_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("eod", "--as-of", "2026-02-30")


def test_a_failed_run_is_recorded_and_changes_nothing(book, monkeypatch):
    from arrears.eod import services

    def boom(**kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "cases_sync", boom)
    with pytest.raises(RuntimeError):
        eod_run(as_of=D(2026, 11, 28))
    assert LoanSnapshot.objects.count() == 0
    run = EodRun.objects.get()
    assert run.status == EodRun.Status.FAILED and "disk full" in run.error


def test_arrears_export_snapshot_writes_the_days_rows_scoped_to_the_user(book, people):
    late, current = book
    eod_run(as_of=D(2026, 11, 28))
    out = io.StringIO()

    call_command("export", "snapshot", "--as-of", "2026-11-28", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].split(",")[:4] == ["loan_id", "dpd", "bucket", "classification"]
    late_row = next(r for r in lines if r.startswith("L-LATE,")).split(",")
    # Bullet 10,000.00 due 2026-07-10 at 18% penalty, 12% contract rate: 600.00 interest,
    # 141 days of penalty on 10,000.00 = 705.00.
    assert late_row[1:10] == [
        "141",
        "M5",
        "substandard",
        "10000.00",
        "600.00",
        "705.00",
        "0.00",
        "10000.00",
        "11305.00",
    ]
    assert late_row[10:] == ["2029-07-10", "false", ""]

    # A collector who has neither loan assigned exports an empty sheet.
    scoped = io.StringIO()
    call_command("export", "snapshot", "--as-of", "2026-11-28", "--user", "mia", stdout=scoped)
    assert len(scoped.getvalue().splitlines()) == 3
    from arrears.eod.exports import snapshot_export_rows

    assert list(snapshot_export_rows(as_of=D(2026, 11, 28), user=people["carl"])) == []


def test_export_snapshot_without_a_run_says_so():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no end-of-day run yet"):
        call_command("export", "snapshot", stdout=io.StringIO())
