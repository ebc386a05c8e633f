"""Loan tape imports: formats, row errors, all-or-nothing, skip-invalid, idempotent re-import."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.book.models import Borrower, Contact, Guarantor, Installment, Loan, Product
from arrears.core.models import AuditEntry
from arrears.ingest.services import import_loans
from arrears.ingest.tests.files import LOAN_HEADERS, loan_row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args) -> tuple[str, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(*args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(exc.value)


def test_it_imports_a_loan_tape_with_borrowers_schedules_and_guarantors(tmp_path):
    path = write_csv(
        tmp_path / "loans.csv",
        LOAN_HEADERS,
        [
            loan_row(1, guarantor_name="李担保", guarantor_phone="13900001111"),
            loan_row(2, repayment_method="bullet", term_months="6", principal="5,000"),
        ],
    )

    out, err = run("import", "loans", str(path))

    assert err == ""
    assert "loans: 2 rows read, 2 valid, 0 rejected; created 2" in out
    loan = Loan.objects.select_related("borrower", "product").get(external_id="L0001")
    assert loan.principal_fen == 1_200_000
    assert loan.annual_rate == Decimal("0.12")
    assert loan.penalty_rate == Decimal("0.18")
    assert loan.product.code == "STD"
    assert loan.schedule_source == "generated"
    assert loan.installments.count() == 12
    assert sum(i.principal_due_fen for i in loan.installments.all()) == 1_200_000
    b = loan.borrower
    assert (b.external_id, b.name, b.phone) == ("B0001", "王1", "13800000001")
    assert (b.province, b.county, b.town, b.village) == ("四川省", "某县", "卧水镇", "马头冲村")
    g = Guarantor.objects.get(loan=loan)
    assert (g.name, g.phone) == ("李担保", "13900001111")
    c = Contact.objects.get(borrower=b)
    assert (c.name, c.relation, c.phone) == ("李担保", "guarantor", "13900001111")
    bullet = Loan.objects.get(external_id="L0002")
    assert bullet.principal_fen == 500_000
    assert bullet.installments.get().due_on == dt.date(2026, 7, 10)
    entry = AuditEntry.objects.get(event="import.loans")
    assert entry.object_id == "loans.csv"
    assert entry.after["created"] == 2
    assert entry.after["installments_created"] == 13


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_it_reads_chinese_headers_in_every_csv_encoding(tmp_path, encoding):
    path = write_csv(
        tmp_path / "贷款.csv",
        LOAN_HEADERS,
        [
            loan_row(
                1, repayment_method="等额本金", annual_rate="0.15", disbursed_on="2026年1月10日"
            )
        ],
        encoding=encoding,
        chinese=True,
    )

    run("import", "loans", str(path))

    loan = Loan.objects.select_related("borrower").get(external_id="L0001")
    assert loan.repayment_method == "equal_principal"
    assert loan.annual_rate == Decimal("0.15")
    assert loan.disbursed_on == dt.date(2026, 1, 10)
    assert loan.borrower.name == "王1"
    assert loan.borrower.village == "马头冲村"


def test_it_reads_xlsx_with_numeric_and_date_cells(tmp_path):
    row = loan_row(
        1,
        principal=12345.6,  # a float cell: must become exactly 12,345.60
        annual_rate=0.12,
        penalty_rate=None,
        disbursed_on=dt.datetime(2026, 1, 31),
        term_months=3,
        repayment_method="先息后本",
        phone=13800000001,
    )
    path = write_xlsx(tmp_path / "loans.xlsx", LOAN_HEADERS, [row], chinese=True)

    run("import", "loans", str(path))

    loan = Loan.objects.select_related("borrower").get(external_id="L0001")
    assert loan.principal_fen == 1_234_560
    assert loan.annual_rate == Decimal("0.12")
    assert loan.penalty_rate == Decimal("0.18")  # blank: 1.5 × the contract rate
    assert loan.borrower.phone == "13800000001"
    assert [i.due_on for i in loan.installments.all()] == [
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
    ]


def test_it_reports_every_problem_in_one_pass_and_writes_nothing(tmp_path):
    path = write_csv(
        tmp_path / "loans.csv",
        LOAN_HEADERS,
        [
            loan_row(1),
            loan_row(2, annual_rate="abc"),
            loan_row(3, disbursed_on="2026-02-30", principal="-5"),
            loan_row(4, id_number="510100198501010011", repayment_method="monthly"),
            loan_row(5, product="NOPE", borrower_name=""),
            loan_row(6, phone="12345", region="a/b/c/d/e", term_months="12.5"),
            loan_row(7, guarantor_phone="13900001111", principal="100.005"),
            loan_row(1, borrower_id="B0099"),
        ],
    )

    out, err, exc = run_failing("import", "loans", str(path))

    assert err.splitlines() == [
        "row 3, column annual_rate: not a rate ('abc')",
        "row 4, column principal: amount must be greater than zero ('-5')",
        "row 4, column disbursed_on: impossible date ('2026-02-30')",
        "row 5, column id_number: not a valid ID number: check digit does not match "
        "('510100198501010011')",
        "row 5, column repayment_method: unknown repayment method (annuity 等额本息, "
        "equal_principal 等额本金, interest_first 先息后本, bullet 到期一次还本付息) ('monthly')",
        "row 6, column borrower_name: a value is required",
        "row 6, column product: unknown product code ('NOPE')",
        "row 7, column phone: not a mainland mobile or landline number ('12345')",
        "row 7, column region: region must be a path 省/县/镇/村 of at most four parts, "
        "each up to 50 characters ('a/b/c/d/e')",
        "row 7, column term_months: not a whole number ('12.5')",
        "row 8, column principal: more than two decimal places ('100.005')",
        "row 8, column guarantor_phone: guarantor phone given without a guarantor name "
        "('13900001111')",
        "row 9, column loan_id: loan ID appears more than once in this file (first on row 2) "
        "('L0001')",
    ]
    assert exc.startswith("13 error(s) in ")
    assert exc.endswith("nothing was imported (fix the file, or use --skip-invalid)")
    assert "nothing written" in out
    assert not Loan.objects.exists()
    assert not Borrower.objects.exists()
    assert not Installment.objects.exists()
    assert not AuditEntry.objects.filter(event="import.loans").exists()


def test_chinese_headers_name_the_column_as_written(tmp_path):
    path = write_csv(
        tmp_path / "loans.csv",
        LOAN_HEADERS,
        [loan_row(1), loan_row(2, annual_rate="abc")],
        chinese=True,
    )

    _, err, _ = run_failing("import", "loans", str(path))

    assert err.splitlines() == ["row 3, column 年利率: not a rate ('abc')"]


def test_missing_required_columns_are_reported_on_the_header_row(tmp_path):
    headers = [h for h in LOAN_HEADERS if h not in ("principal", "disbursed_on")]
    path = write_csv(tmp_path / "loans.csv", headers, [loan_row(1, annual_rate="x")])

    _, err, _ = run_failing("import", "loans", str(path))

    assert err.splitlines() == [
        "row 1, column principal: required column is missing (name it principal or 贷款本金)",
        "row 1, column disbursed_on: required column is missing (name it disbursed_on or 放款日期)",
        "row 2, column annual_rate: not a rate ('x')",
    ]
    assert not Loan.objects.exists()


def test_a_future_disbursement_date_is_an_error(tmp_path):
    path = write_csv(tmp_path / "loans.csv", LOAN_HEADERS, [loan_row(1, disbursed_on="2099/1/1")])

    _, err, _ = run_failing("import", "loans", str(path))

    assert err.splitlines() == ["row 2, column disbursed_on: date is in the future ('2099-01-01')"]


def test_skip_invalid_imports_the_valid_rows_and_writes_the_rejected_ones(tmp_path):
    path = write_csv(
        tmp_path / "loans.csv",
        LOAN_HEADERS,
        [loan_row(1), loan_row(2, annual_rate="abc", term_months="0"), loan_row(3)],
        chinese=True,
    )

    _, err, exc = run_failing("import", "loans", str(path), "--skip-invalid")

    assert "row 3, column 年利率: not a rate ('abc')" in err
    assert "nothing was imported" not in exc
    assert sorted(Loan.objects.values_list("external_id", flat=True)) == ["L0001", "L0003"]
    error_file = tmp_path / "loans.errors.csv"
    with error_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][-1] == "reason"
    assert rows[0][0] == "贷款编号"
    assert len(rows) == 2
    assert rows[1][0] == "L0002"
    assert rows[1][-1] == (
        "column 年利率: not a rate ('abc'); column 期限: term must be 1 to 360 months ('0')"
    )


def test_skip_invalid_writes_the_error_file_where_asked(tmp_path):
    path = write_csv(tmp_path / "in.csv", LOAN_HEADERS, [loan_row(1, annual_rate="abc")])
    target = tmp_path / "rejected.csv"

    run_failing("import", "loans", str(path), "--skip-invalid", "--error-file", str(target))

    assert target.exists()
    assert not Loan.objects.exists()


def test_dry_run_validates_and_writes_nothing(tmp_path):
    path = write_csv(tmp_path / "loans.csv", LOAN_HEADERS, [loan_row(1), loan_row(2)])

    out, _ = run("import", "loans", str(path), "--dry-run")

    assert "2 valid" in out
    assert "dry run: nothing written" in out
    assert not Loan.objects.exists()
    assert not Product.objects.exists()  # not even the default product


def test_reimport_changes_nothing_but_may_update_contact_data(tmp_path):
    rows = [loan_row(1, guarantor_name="李担保"), loan_row(2)]
    path = write_csv(tmp_path / "loans.csv", LOAN_HEADERS, rows)
    run("import", "loans", str(path))
    before = list(Installment.objects.order_by("id").values_list("id", "due_on"))

    out, _ = run("import", "loans", str(path))

    assert "created 0, updated 0, unchanged 2" in out
    assert list(Installment.objects.order_by("id").values_list("id", "due_on")) == before
    assert Guarantor.objects.count() == 1
    assert Contact.objects.count() == 1

    rows[0] = loan_row(
        1,
        borrower_name="王一",
        phone="028-12345678",
        region="四川省/某县/新镇/新村",
        guarantor_name="李担保",
    )
    write_csv(path, LOAN_HEADERS, rows)
    out, _ = run("import", "loans", str(path))

    assert "created 0, updated 1, unchanged 2" in out
    b = Borrower.objects.get(external_id="B0001")
    assert (b.name, b.phone, b.town, b.village) == ("王一", "028-12345678", "新镇", "新村")
    assert Loan.objects.count() == 2


def test_a_changed_term_of_an_existing_loan_is_an_error_naming_the_loan(tmp_path):
    path = write_csv(tmp_path / "loans.csv", LOAN_HEADERS, [loan_row(1), loan_row(2)])
    run("import", "loans", str(path))
    write_csv(
        path,
        LOAN_HEADERS,
        [loan_row(1, principal="15000", term_months="24", borrower_name="改名"), loan_row(2)],
        chinese=True,
    )

    _, err, _ = run_failing("import", "loans", str(path))

    assert err.splitlines() == [
        "row 2, column 贷款本金: loan L0001 already exists with principal 12000.00; an import "
        "cannot change the terms of an existing loan ('15000.00')",
        "row 2, column 期限: loan L0001 already exists with term 12; an import cannot change "
        "the terms of an existing loan ('24')",
    ]
    loan = Loan.objects.select_related("borrower").get(external_id="L0001")
    assert loan.principal_fen == 1_200_000
    assert loan.borrower.name == "王1"  # the whole file was refused


def test_a_loan_under_another_borrower_is_an_error(tmp_path):
    path = write_csv(tmp_path / "loans.csv", LOAN_HEADERS, [loan_row(1)])
    run("import", "loans", str(path))
    write_csv(path, LOAN_HEADERS, [loan_row(1, borrower_id="B0777")])

    _, err, _ = run_failing("import", "loans", str(path))

    assert err.splitlines() == [
        "row 2, column borrower_id: loan L0001 already belongs to borrower B0001 ('B0777')"
    ]


def test_penalty_rate_defaults_to_the_products_then_one_and_a_half_times(tmp_path):
    Product.objects.create(code="FARM", name="农户贷", penalty_rate=Decimal("0.20"))
    path = write_csv(
        tmp_path / "loans.csv",
        LOAN_HEADERS,
        [
            loan_row(1, product="FARM", penalty_rate=""),
            loan_row(2, product="", penalty_rate="", annual_rate="0.1"),
        ],
    )

    run("import", "loans", str(path))

    assert Loan.objects.get(external_id="L0001").penalty_rate == Decimal("0.20")
    assert Loan.objects.get(external_id="L0002").penalty_rate == Decimal("0.15")


def test_one_borrower_with_two_loans_is_created_once(tmp_path):
    path = write_csv(
        tmp_path / "loans.csv",
        LOAN_HEADERS,
        [loan_row(1), loan_row(2, borrower_id="B0001", borrower_name="王1", id_number="")],
    )

    run("import", "loans", str(path))

    assert Borrower.objects.count() == 1
    assert Borrower.objects.get().loans.count() == 2


def test_the_service_returns_a_report_the_web_can_show(tmp_path):
    path = write_csv(tmp_path / "loans.csv", LOAN_HEADERS, [loan_row(1, annual_rate="abc")])

    report = import_loans(path=path)

    assert not report.ok
    assert [e.as_dict() for e in report.errors] == [
        {
            "row": 2,
            "column": "annual_rate",
            "code": "not_a_rate",
            "message": "not a rate",
            "value": "abc",
        }
    ]


def test_an_unreadable_file_is_a_command_error(tmp_path):
    path = tmp_path / "loans.pdf"
    path.write_bytes(b"%PDF")

    _, _, exc = run_failing("import", "loans", str(path))

    assert exc.endswith("unsupported file type '.pdf': use .csv or .xlsx")


def test_one_borrower_with_two_id_numbers_in_a_file_is_an_error(tmp_path):
    path = write_csv(
        tmp_path / "loans.csv",
        LOAN_HEADERS,
        [loan_row(1), loan_row(2, borrower_id="B0001")],
    )

    _, err, _ = run_failing("import", "loans", str(path))

    assert err.splitlines() == [
        "row 3, column id_number: borrower B0001 has a different ID number on row 2 "
        "('510100198501010023')"
    ]
