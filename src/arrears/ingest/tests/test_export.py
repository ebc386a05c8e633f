"""Exports: the loan book and one schedule as CSV or XLSX, streamed, audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.core.models import AuditEntry
from arrears.ingest.exports import EXPORTERS, export_run
from arrears.ingest.tests.files import LOAN_HEADERS, PAYMENT_HEADERS, loan_row, write_csv
from arrears.testing import make_loan

pytestmark = pytest.mark.django_db

LOAN_COLUMNS = [
    "loan_id",
    "borrower_id",
    "principal",
    "outstanding_principal",
    "paid_principal",
    "paid_interest",
    "paid_penalty",
    "paid_fees",
    "credit_balance",
    "next_due_on",
]


@pytest.fixture
def book(tmp_path):
    """Two imported loans; L0001 paid its first installment, L0002 paid off with 10.00 over.

    The schedules are generated the bank way (interest on the remaining principal, issue 11):
    12,794.23 in all, month 6 is 994.46 + 71.73 (717,348 fen × 1%), the last 1,055.58 + 10.56.
    """
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    loans = write_csv(tmp_path / "loans.csv", LOAN_HEADERS, [loan_row(1), loan_row(2)])
    call_command("import", "loans", str(loans), "--no-progress", **quiet)
    payments = write_csv(
        tmp_path / "payments.csv",
        PAYMENT_HEADERS,
        [
            {"payment_id": "P1", "loan_id": "L0001", "paid_on": "2026-02-10", "amount": "1066.19"},
            {"payment_id": "P2", "loan_id": "L0002", "paid_on": "2026-02-10", "amount": "12804.23"},
        ],
    )
    call_command("import", "payments", str(payments), "--no-progress", **quiet)


def test_loans_export_to_stdout_has_the_columns_and_balances(book):
    out = io.StringIO()

    call_command("export", "loans", "--format", "csv", "--as-of", "2026-11-28", stdout=out)

    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == LOAN_COLUMNS
    assert rows[1][:9] == [
        "L0001",
        "B0001",
        "12000.00",
        "11053.81",
        "946.19",
        "120.00",
        "0.00",
        "0.00",
        "0.00",
    ]
    # L0002 paid everything up front: as of 2026-11-28 ten installments have been paid from
    # it, and the rest is credit held for the two still to fall due (plus the 10.00 over).
    assert rows[2] == [
        "L0002",
        "B0002",
        "12000.00",
        "2100.76",  # 1,045.18 + 1,055.58
        "9899.24",
        "762.66",
        "0.00",
        "0.00",
        "2142.33",  # 1,066.19 + 1,066.14 + 10.00
        "2026-12-10",
    ]
    entry = AuditEntry.objects.get(event="export.loans")
    assert entry.object_id == "stdout"
    assert entry.after == {"rows": 2, "format": "csv", "as_of": "2026-11-28"}


def test_next_due_on_is_the_earliest_unpaid_due_date_from_today(book):
    rows = {r[0]: r for r in EXPORTERS["loans"].rows(as_of=dt.date(2026, 2, 10))}
    assert rows["L0001"][-1] == dt.date(2026, 3, 10)  # the one due today is paid
    rows = {r[0]: r for r in EXPORTERS["loans"].rows(as_of=dt.date(2026, 12, 11))}
    assert rows["L0001"][-1] == dt.date(2027, 1, 10)  # earlier ones are overdue, not next
    # Held credit pays an installment only on its due date, so it is still the next one due.
    assert rows["L0002"][-1] == dt.date(2027, 1, 10)
    rows = {r[0]: r for r in EXPORTERS["loans"].rows(as_of=dt.date(2027, 1, 11))}
    assert rows["L0001"][-1] is None
    # After the last due date the prepaid loan is settled, with the 10.00 over as credit.
    assert rows["L0002"][3:9] == tuple(
        Decimal(v) for v in ("0.00", "12000.00", "794.23", "0.00", "0.00", "10.00")
    )


def test_loans_export_is_a_fixed_number_of_queries(book):
    make_loan()
    make_loan()
    with CaptureQueriesContext(connection) as ctx:
        list(EXPORTERS["loans"].rows())
    assert len(ctx.captured_queries) == 1


def test_loans_export_as_xlsx(book, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "book.xlsx"
    err = io.StringIO()

    call_command(
        "export",
        "loans",
        "--format",
        "xlsx",
        "--output",
        str(target),
        "--as-of",
        "2027-02-01",
        stderr=err,
    )

    assert "2 rows written" in err.getvalue()
    ws = load_workbook(target, read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == LOAN_COLUMNS
    assert rows[2][:9] == ("L0002", "B0002", 12000, 0, 12000, 794.23, 0, 0, 10)
    assert AuditEntry.objects.get(event="export.loans").after == {
        "rows": 2,
        "format": "xlsx",
        "as_of": "2027-02-01",
    }


def test_csv_to_a_file_has_a_bom_for_excel(book, tmp_path):
    target = tmp_path / "book.csv"

    call_command("export", "loans", "--output", str(target), stderr=io.StringIO())

    assert target.read_bytes().startswith(b"\xef\xbb\xbfloan_id,")


def test_xlsx_needs_an_output_file(book):
    with pytest.raises(CommandError, match="XLSX goes to a file"):
        call_command("export", "loans", "--format", "xlsx", stdout=io.StringIO())


def test_schedule_export_shows_what_was_paid_of_each_installment(book):
    out = io.StringIO()

    call_command("export", "schedule", "--loan", "L0001", "--format", "csv", stdout=out)

    lines = out.getvalue().splitlines()
    assert (
        lines[0] == "installment_no,due_on,principal_due,interest_due,principal_paid,interest_paid"
    )
    assert lines[1] == "1,2026-02-10,946.19,120.00,946.19,120.00"
    assert lines[2] == "2,2026-03-10,955.65,110.54,0.00,0.00"
    assert len(lines) == 13


def test_schedule_export_of_an_unknown_loan_is_an_error(book):
    with pytest.raises(CommandError, match="no such loan: L404"):
        call_command("export", "schedule", "--loan", "L404", stdout=io.StringIO())


def test_a_user_exports_only_what_they_may_see(book, people):
    tom = people["tom"]
    make_loan(external_id="TEAM1", team=tom.team)
    out = io.StringIO()

    export_run(name="loans", fmt="csv", stream=out, user=tom, actor=tom)

    assert [r[0] for r in csv.reader(io.StringIO(out.getvalue()))][1:] == ["TEAM1"]
    assert AuditEntry.objects.get(event="export.loans").actor == tom


def test_a_collector_may_not_export_from_the_cli(book, people):
    with pytest.raises(CommandError, match="may not export"):
        call_command("export", "loans", "--user", "carl", stdout=io.StringIO())


def test_amounts_are_decimal_yuan_never_float(book):
    for row in EXPORTERS["loans"].rows():
        assert all(isinstance(v, Decimal) for v in row[2:9])
