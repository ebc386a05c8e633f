"""Schedule imports: replace generated schedules of loans without payments, checked per loan."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.book.models import Installment, Loan
from arrears.core.models import AuditEntry
from arrears.ingest.tests.files import (
    LOAN_HEADERS,
    PAYMENT_HEADERS,
    SCHEDULE_HEADERS,
    loan_row,
    write_csv,
)

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_failing(*args) -> list[str]:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(*args, "--no-progress", stdout=io.StringIO(), stderr=err)
    return err.getvalue().splitlines()


@pytest.fixture
def loans(tmp_path):
    path = write_csv(tmp_path / "loans.csv", LOAN_HEADERS, [loan_row(1), loan_row(2)])
    run("import", "loans", str(path))


def inst(loan, no, due, principal, interest) -> dict:
    return {
        "loan_id": loan,
        "installment_no": no,
        "due_on": due,
        "principal_due": principal,
        "interest_due": interest,
    }


def test_an_imported_schedule_replaces_the_generated_one(tmp_path, loans):
    path = write_csv(
        tmp_path / "schedule.csv",
        SCHEDULE_HEADERS,
        [
            inst("L0001", 2, "2026-03-10", "4000", "80"),
            inst("L0001", 1, "2026-02-10", "4000", "120.00"),
            inst("L0001", 3, "2026-04-10", "4000", "40"),
        ],
        chinese=True,
    )

    out = run("import", "schedule", str(path))

    assert "created 1" in out
    loan = Loan.objects.get(external_id="L0001")
    assert loan.schedule_source == "imported"
    assert list(
        loan.installments.values_list("number", "principal_due_fen", "interest_due_fen")
    ) == [
        (1, 400_000, 12_000),
        (2, 400_000, 8_000),
        (3, 400_000, 4_000),
    ]
    assert Loan.objects.get(external_id="L0002").installments.count() == 12
    assert AuditEntry.objects.get(event="import.schedule").after["installments_created"] == 3


def test_a_schedule_that_does_not_sum_to_the_principal_names_the_loan(tmp_path, loans):
    path = write_csv(
        tmp_path / "schedule.csv",
        SCHEDULE_HEADERS,
        [
            inst("L0001", 1, "2026-02-10", "4000", "120"),
            inst("L0001", 2, "2026-01-05", "7000", "80"),
            inst("L0001", 2, "2026-04-10", "0", "40"),
            inst("L9999", 1, "2026-02-10", "1", "0"),
        ],
    )

    errors = run_failing("import", "schedule", str(path))

    assert errors == [
        "row 2, column principal_due: principal of loan L0001 sums to 11000.00, not the loan "
        "principal 12000.00 ('11000.00')",
        "row 3, column due_on: due date is not after loan L0001 was disbursed (2026-01-10) "
        "('2026-01-05')",
        "row 3, column due_on: due dates of loan L0001 must increase with the installment "
        "number ('2026-01-05')",
        "row 4, column installment_no: installment 2 of loan L0001 appears more than once "
        "(first on row 3) ('2')",
        "row 5, column loan_id: no such loan ('L9999')",
    ]
    assert Loan.objects.get(external_id="L0001").installments.count() == 12


def test_a_loan_with_payments_keeps_its_schedule(tmp_path, loans):
    pay = write_csv(
        tmp_path / "p.csv",
        PAYMENT_HEADERS,
        [{"payment_id": "P1", "loan_id": "L0001", "paid_on": "2026-02-10", "amount": "100"}],
    )
    run("import", "payments", str(pay))
    path = write_csv(
        tmp_path / "schedule.csv", SCHEDULE_HEADERS, [inst("L0001", 1, "2026-02-10", "12000", "0")]
    )

    errors = run_failing("import", "schedule", str(path))

    assert errors == [
        "row 2, column loan_id: loan L0001 already has payments; its schedule cannot be "
        "replaced ('L0001')"
    ]
    assert Loan.objects.get(external_id="L0001").schedule_source == "generated"


def test_skip_invalid_rejects_all_rows_of_a_bad_loan(tmp_path, loans):
    path = write_csv(
        tmp_path / "schedule.csv",
        SCHEDULE_HEADERS,
        [
            inst("L0001", 1, "2026-07-10", "12000", "720"),
            inst("L0002", 1, "2026-02-10", "6000", "abc"),
            inst("L0002", 2, "2026-03-10", "6000", "60"),
        ],
    )

    with pytest.raises(CommandError):
        call_command(
            "import",
            "schedule",
            str(path),
            "--skip-invalid",
            "--no-progress",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )

    assert Loan.objects.get(external_id="L0001").installments.count() == 1
    assert Loan.objects.get(external_id="L0002").installments.count() == 12
    lines = (tmp_path / "schedule.errors.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines == [
        "loan_id,installment_no,due_on,principal_due,interest_due,reason",
        "L0002,1,2026-02-10,6000,abc,column interest_due: not an amount of money ('abc')",
        "L0002,2,2026-03-10,6000,60,rejected with the other rows of loan L0002 (see row 3)",
    ]
    assert Installment.objects.filter(loan__external_id="L0001").get().due_on.month == 7
