"""Auto-debit attempts: a failed one charges the product's fee (扣款失败费) once, on its day."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.book.models import Charge, Loan
from arrears.core.models import AuditEntry
from arrears.eod.models import LoanSnapshot
from arrears.eod.services import eod_run
from arrears.ingest.deductions import import_deductions
from arrears.ingest.tests.files import write_csv, write_xlsx
from arrears.testing import make_loan, make_product

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 11, 28)
ZH = ("扣款流水号", "贷款编号", "扣款日期", "扣款金额", "扣款结果", "失败原因")
EN = ("deduction_id", "loan_id", "attempted_on", "amount", "result", "failure_reason")


def rows(*items: tuple, headers=ZH) -> list[dict]:
    return [dict(zip(headers, item, strict=True)) for item in items]


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
def fee_product():
    return make_product(code="FEE15", failed_deduction_fee_fen=1_500)


@pytest.fixture
def loan(fee_product):
    """10,000.00 at 12% for six months from 2026-01-10, one installment due 2026-07-10."""
    return make_loan(
        external_id="L0001",
        product=fee_product,
        method="bullet",
        term_months=6,
        disbursed_on=D(2026, 1, 10),
    )


def test_a_failed_debit_charges_exactly_the_products_fee_on_its_day(tmp_path, loan):
    path = write_csv(
        tmp_path / "deductions.csv",
        ZH,
        rows(
            ("K1", "L0001", "2026-07-10", "10600.00", "失败", "余额不足"),
            ("K2", "L0001", "2026/07/20", "10,600.00", "成功", ""),
        ),
    )
    before = Loan.objects.get(pk=loan.pk).ledger_changed_at

    out = run("import", "deductions", str(path))

    assert "fees charged 1" in out
    charge = Charge.objects.get()
    assert (charge.loan_id, charge.kind, charge.amount_fen, charge.charged_on) == (
        loan.pk,
        "failed_deduction",
        1_500,
        D(2026, 7, 10),
    )
    assert charge.external_ref == "deduction:K1"
    assert charge.note == "扣款失败 K1: 余额不足"
    # The successful attempt posts nothing: its money comes with the payments file.
    assert not loan.payments.exists()
    # Replayed and marked changed for the incremental end-of-day.
    assert Loan.objects.get(pk=loan.pk).ledger_changed_at > before
    entry = AuditEntry.objects.get(event="import.deductions")
    assert entry.after["charges"] == [charge.pk]
    assert (entry.after["succeeded"], entry.after["failed"], entry.after["fees_fen"]) == (
        1,
        1,
        1_500,
    )


def test_importing_the_file_again_adds_nothing(tmp_path, loan):
    path = write_csv(
        tmp_path / "deductions.csv",
        ZH,
        rows(("K1", "L0001", "2026-07-10", "10600.00", "failed", "余额不足")),
    )
    first = import_deductions(path=path, today=TODAY)
    again = import_deductions(path=path, today=TODAY)

    assert (first.created, again.created, again.unchanged) == (1, 0, 1)
    assert list(Charge.objects.values_list("amount_fen", flat=True)) == [1_500]


def test_one_fee_per_loan_and_day_however_often_the_bank_retries(tmp_path, loan):
    morning = write_csv(
        tmp_path / "morning.csv",
        ZH,
        rows(
            ("K1", "L0001", "2026-07-10", "10600.00", "失败", "余额不足"),
            ("K2", "L0001", "2026-07-10", "10600.00", "失败", "余额不足"),
        ),
    )
    evening = write_csv(
        tmp_path / "evening.csv",
        ZH,
        rows(
            ("K3", "L0001", "2026-07-10", "10600.00", "失败", "余额不足"),
            ("K4", "L0001", "2026-07-11", "10600.00", "失败", "账户冻结"),
        ),
    )

    import_deductions(path=morning, today=TODAY)
    report = import_deductions(path=evening, today=TODAY)

    assert report.counts["fee_already_charged_that_day"] == 1
    assert list(Charge.objects.values_list("charged_on", "amount_fen", "external_ref")) == [
        (D(2026, 7, 10), 1_500, "deduction:K1"),
        (D(2026, 7, 11), 1_500, "deduction:K4"),
    ]


def test_a_product_without_a_fee_adds_nothing(tmp_path):
    make_loan(external_id="L0009", product=make_product(code="NOFEE"))
    path = write_xlsx(
        tmp_path / "deductions.xlsx",
        EN,
        rows(("K1", "L0009", D(2026, 2, 10), "888.49", "failed", "insufficient funds"), headers=EN),
    )

    report = import_deductions(path=path, today=TODAY)

    assert report.ok and report.written
    assert report.counts["failed_without_fee"] == 1
    assert not Charge.objects.exists()


def test_row_errors_name_row_field_and_reason_and_change_nothing(tmp_path, loan):
    path = write_csv(
        tmp_path / "deductions.csv",
        ZH,
        rows(
            ("K1", "L0001", "2026-07-10", "10600.00", "失败", "余额不足"),
            ("K2", "L9999", "2026-07-10", "10600.00", "失败", ""),
            ("K3", "L0001", "2026-02-30", "10600.00", "失败", ""),
            ("K4", "L0001", "2026-07-11", "10600.00", "待定", ""),
            ("K5", "L0001", "2026-07-12", "-5.00", "失败", ""),
            ("K1", "L0001", "2026-07-13", "10600.00", "失败", "余额不足"),
            ("K6", "L0001", "2025-12-31", "10600.00", "失败", ""),
        ),
    )

    lines = run_failing("import", "deductions", str(path))

    assert lines == [
        "row 3, column 贷款编号: no such loan ('L9999')",
        "row 4, column 扣款日期: impossible date ('2026-02-30')",
        "row 5, column 扣款结果: unknown result (success 成功, failed 失败) ('待定')",
        "row 6, column 扣款金额: amount must be greater than zero ('-5.00')",
        "row 7, column 扣款流水号: deduction ID appears more than once in this file with a "
        "different loan, date, amount or result (first on row 2) ('K1')",
        "row 8, column 扣款日期: deduction date is before loan L0001 was disbursed (2026-01-10) "
        "('2025-12-31')",
    ]
    assert not Charge.objects.exists()
    assert not AuditEntry.objects.filter(event="import.deductions").exists()


def test_a_deduction_imported_as_failed_cannot_come_back_as_another(tmp_path, loan):
    first = write_csv(
        tmp_path / "a.csv", ZH, rows(("K1", "L0001", "2026-07-10", "10600.00", "失败", ""))
    )
    second = write_csv(
        tmp_path / "b.csv", ZH, rows(("K1", "L0001", "2026-07-10", "10600.00", "成功", ""))
    )
    import_deductions(path=first, today=TODAY)

    report = import_deductions(path=second, today=TODAY)

    assert [str(e) for e in report.errors] == [
        "row 2, column 扣款流水号: deduction ID was already imported as a failed attempt on "
        "loan L0001 on 2026-07-10, and its fee charged ('K1')"
    ]
    assert Charge.objects.count() == 1


def test_skip_invalid_charges_the_good_rows_and_writes_the_bad_ones_out(tmp_path, loan):
    path = write_csv(
        tmp_path / "deductions.csv",
        ZH,
        rows(
            ("K1", "L0001", "2026-07-10", "10600.00", "失败", "余额不足"),
            ("K2", "L0001", "2099-07-10", "10600.00", "失败", ""),
        ),
    )

    report = import_deductions(path=path, skip_invalid=True, today=TODAY)

    assert report.written and report.created == 1
    assert (
        report.error_file.read_text("utf-8-sig")
        .splitlines()[1]
        .endswith("column 扣款日期: date is in the future ('2099-07-10')")
    )


def test_the_end_of_day_snapshot_shows_the_fee_in_fees_and_total_due(tmp_path, loan):
    path = write_csv(
        tmp_path / "deductions.csv",
        ZH,
        rows(("K1", "L0001", "2026-07-10", "10600.00", "失败", "余额不足")),
    )
    import_deductions(path=path, today=TODAY)

    eod_run(as_of=D(2026, 7, 11))

    snap = LoanSnapshot.objects.get(loan_id=loan.pk, as_of=D(2026, 7, 11))
    assert snap.fees_fen == 1_500
    # principal 10,000.00 + interest 600.00 + one day's penalty 5.00 + the fee 15.00
    assert snap.total_due_fen == 1_000_000 + 60_000 + 500 + 1_500
