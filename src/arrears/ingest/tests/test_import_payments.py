"""Payment imports: posted through the ledger, idempotent by payment ID, every problem reported."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.book.models import Allocation, Loan, Payment
from arrears.core.models import AuditEntry
from arrears.ingest.exports import loan_rows
from arrears.ingest.services import import_payments
from arrears.ingest.tests.files import (
    LOAN_HEADERS,
    PAYMENT_HEADERS,
    loan_row,
    write_csv,
    write_xlsx,
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
def two_loans(tmp_path):
    """L0001 and L0002: 12,000.00 yuan, 12% a year, 12 months annuity from 2026-01-10."""
    path = write_csv(tmp_path / "loans.csv", LOAN_HEADERS, [loan_row(1), loan_row(2)])
    run("import", "loans", str(path))


def payment(pid: str, loan: str, paid_on: str, amount: str, channel: str = "") -> dict:
    return {
        "payment_id": pid,
        "loan_id": loan,
        "paid_on": paid_on,
        "amount": amount,
        "channel": channel,
    }


def test_imported_payments_are_allocated_to_the_fen(tmp_path, two_loans):
    path = write_csv(
        tmp_path / "payments.csv",
        PAYMENT_HEADERS,
        [
            payment("P1", "L0001", "2026-02-10", "1066.19", "现金"),
            # five days late: 2.39 penalty on the overdue 955.65 principal comes first
            payment("P2", "L0001", "2026/03/15", "1,066.19", "bank_transfer"),
            # the whole loan (12,794.23, interest on the remaining principal: issue 11) and
            # 10.00 more, paid on the first due date
            payment("P3", "L0002", "2026年2月10日", "12804.23", "代扣"),
        ],
        chinese=True,
    )

    out = run("import", "payments", str(path))

    assert "created 3" in out
    assert Payment.objects.get(external_id="P1").channel == "cash"
    assert Payment.objects.get(external_id="P3").channel == "auto_debit"
    rows = {r[0]: r for r in loan_rows(as_of=dt.date(2026, 3, 20))}
    assert [str(x) if x is not None else "" for x in rows["L0001"]] == [
        "L0001",
        "B0001",
        "12000.00",
        "10100.55",
        "1899.45",
        "230.54",
        "2.39",
        "0.00",
        "0.00",
        "2026-04-10",
    ]
    # L0002 paid everything on the first due date: two installments have been paid from it by
    # 2026-03-20 and the rest is held as credit until each installment falls due.
    assert [str(x) if x is not None else "" for x in rows["L0002"]] == [
        "L0002",
        "B0002",
        "12000.00",
        "10098.16",
        "1901.84",
        "230.54",
        "0.00",
        "0.00",
        "10671.85",
        "2026-04-10",
    ]
    later = {r[0]: r for r in loan_rows(as_of=dt.date(2027, 2, 1))}
    assert [str(x) if x is not None else "" for x in later["L0002"]] == [
        "L0002",
        "B0002",
        "12000.00",
        "0.00",
        "12000.00",
        "794.23",
        "0.00",
        "0.00",
        "10.00",
        "",
    ]
    assert Loan.objects.get(external_id="L0002").status == "paid_off"
    entry = AuditEntry.objects.get(event="import.payments")
    assert entry.after["created"] == 3
    assert entry.after["amount_fen"] == 106619 * 2 + 1280423


def test_a_payments_file_imported_twice_changes_nothing_the_second_time(tmp_path, two_loans):
    path = write_csv(
        tmp_path / "payments.csv",
        PAYMENT_HEADERS,
        [
            payment("P1", "L0001", "2026-02-10", "1066.19"),
            payment("P2", "L0002", "2026-02-10", "500"),
        ],
    )
    run("import", "payments", str(path))
    before = list(Allocation.objects.order_by("id").values_list("id", "amount_fen"))

    out = run("import", "payments", str(path))

    assert "created 0, updated 0, unchanged 2" in out
    assert Payment.objects.count() == 2
    assert list(Allocation.objects.order_by("id").values_list("id", "amount_fen")) == before


def test_the_same_payment_listed_twice_in_a_file_is_posted_once(tmp_path, two_loans):
    row = payment("P1", "L0001", "2026-02-10", "100")
    path = write_csv(tmp_path / "p.csv", PAYMENT_HEADERS, [row, row])

    out = run("import", "payments", str(path))

    assert "created 1, updated 0, unchanged 1" in out
    assert Payment.objects.count() == 1


def test_every_bad_payment_is_reported_and_nothing_is_posted(tmp_path, two_loans):
    path = write_csv(
        tmp_path / "payments.csv",
        PAYMENT_HEADERS,
        [
            payment("P1", "L0001", "2026-02-10", "100"),
            payment("P2", "L9999", "2026-02-10", "100"),
            payment("P3", "L0001", "2025-12-31", "100"),
            payment("P4", "L0001", "2099-01-01", "100"),
            payment("P5", "L0001", "2026-02-10", "0"),
            payment("P1", "L0001", "2026-02-10", "200"),
            payment("P6", "L0001", "2026-02-30", "100", "paypal"),
        ],
    )

    errors = run_failing("import", "payments", str(path))

    assert errors == [
        "row 3, column loan_id: no such loan ('L9999')",
        "row 4, column paid_on: payment date is before loan L0001 was disbursed (2026-01-10) "
        "('2025-12-31')",
        "row 5, column paid_on: date is in the future ('2099-01-01')",
        "row 6, column amount: amount must be greater than zero ('0')",
        "row 7, column payment_id: payment ID appears more than once in this file with a "
        "different loan, date or amount (first on row 2) ('P1')",
        "row 8, column paid_on: impossible date ('2026-02-30')",
        "row 8, column channel: unknown channel (cash 现金, bank_transfer 银行转账, "
        "auto_debit 代扣, agency 委外, court 法院, guarantor 担保人, other 其他) ('paypal')",
    ]
    assert not Payment.objects.exists()
    assert not AuditEntry.objects.filter(event="import.payments").exists()


def test_a_payment_id_reused_with_other_details_is_an_error(tmp_path, two_loans):
    path = write_csv(
        tmp_path / "p.csv", PAYMENT_HEADERS, [payment("P1", "L0001", "2026-02-10", "1066.19")]
    )
    run("import", "payments", str(path))
    write_csv(path, PAYMENT_HEADERS, [payment("P1", "L0001", "2026-02-10", "1000")], chinese=True)

    errors = run_failing("import", "payments", str(path))

    assert errors == [
        "row 2, column 流水号: payment ID was already imported with a different loan, date or "
        "amount (L0001, 2026-02-10, 1066.19) ('P1')"
    ]
    assert Payment.objects.get().amount_fen == 106619


def test_skip_invalid_posts_the_good_payments(tmp_path, two_loans):
    path = write_csv(
        tmp_path / "p.csv",
        PAYMENT_HEADERS,
        [payment("P1", "L0001", "2026-02-10", "100"), payment("P2", "L9999", "2026-02-10", "1")],
    )

    report = import_payments(path=path, skip_invalid=True)

    assert report.written
    assert report.created == 1
    assert list(report.rejected) == [3]
    assert Payment.objects.get().external_id == "P1"
    assert (tmp_path / "p.errors.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "payment_id,loan_id,paid_on,amount,channel,reason",
        "P2,L9999,2026-02-10,1,,column loan_id: no such loan ('L9999')",
    ]


def test_payments_from_xlsx(tmp_path, two_loans):
    path = write_xlsx(
        tmp_path / "p.xlsx",
        PAYMENT_HEADERS,
        [
            {
                "payment_id": 20260210001,
                "loan_id": "L0001",
                "paid_on": dt.datetime(2026, 2, 10),
                "amount": 1066.19,
                "channel": "cash",
            }
        ],
        chinese=True,
    )

    run("import", "payments", str(path))

    p = Payment.objects.get()
    assert (p.external_id, p.paid_on, p.amount_fen) == ("20260210001", dt.date(2026, 2, 10), 106619)


def test_rows_already_in_memory_import_like_a_file(two_loans):
    from arrears.ingest.readers import table_from_records

    table = table_from_records(
        "payments",
        ["流水号", "贷款编号", "还款日期", "金额"],
        [["W1", "L0001", "2026-02-10", "100.00"], ["W2", "L0404", "2026-02-10", "1"]],
    )

    report = import_payments(table=table, source="web")

    assert [str(e) for e in report.errors] == ["row 3, column 贷款编号: no such loan ('L0404')"]
    assert not report.written
    assert not Payment.objects.exists()
