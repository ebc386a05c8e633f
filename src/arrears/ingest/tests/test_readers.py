"""Reading files: encodings, delimiters, header aliases, row numbers as a spreadsheet shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arrears.ingest.errors import ImportFileError
from arrears.ingest.readers import decode_csv_bytes, header_key, read_table
from arrears.ingest.services import import_loans
from arrears.ingest.tests.files import LOAN_HEADERS, loan_row, write_csv


def test_headers_match_without_case_spaces_or_units():
    assert header_key("Loan ID") == header_key("loan_id")
    assert header_key("\ufeff贷款本金（元）") == header_key("贷款本金")
    assert header_key("期限(月)") == header_key("期限")


def test_gbk_and_bom_are_detected():
    assert decode_csv_bytes("贷款编号".encode("gbk")) == "贷款编号"
    assert decode_csv_bytes("贷款编号".encode("utf-8-sig")) == "贷款编号"
    with pytest.raises(ImportFileError, match="neither UTF-8 nor GBK"):
        decode_csv_bytes(b"\xff\xfe\xff")


def test_blank_rows_are_skipped_but_row_numbers_stay_true(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("payment_id,loan_id,paid_on,amount\nP1,L1,2026-01-01,1\n,,,\nP2,L1,x,1\n")

    table = read_table(path, "payments")

    assert [n for n, cells in table.rows if any(cells)] == [2, 4]


def test_tab_separated_text_is_read(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("流水号\t贷款编号\t还款日期\t金额\nP1\tL1\t2026-01-01\t1\n")

    table = read_table(path, "payments")

    assert table.columns == {"payment_id": 0, "loan_id": 1, "paid_on": 2, "amount": 3}
    assert list(table.rows) == [(2, ["P1", "L1", "2026-01-01", "1"])]


@pytest.mark.django_db
def test_a_column_named_twice_is_reported(tmp_path):
    report = import_loans(path=write_csv(tmp_path / "l.csv", [*LOAN_HEADERS, "贷款编号"], []))

    assert [str(e) for e in report.errors] == [
        "row 1, column 贷款编号: column loan_id appears more than once (also loan_id)"
    ]


def test_xlsx_cells_become_exact_values(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["payment_id", "loan_id", "paid_on", "amount"])
    ws.append([1001, "L1", dt.datetime(2026, 3, 1), 1066.19])
    ws.append([None, None, None, None])
    ws.append(["P3", "L1", "2026-03-02", 12])
    wb.save(tmp_path / "p.xlsx")

    rows = list(read_table(tmp_path / "p.xlsx", "payments").rows)

    assert rows[0] == (2, [1001, "L1", dt.date(2026, 3, 1), Decimal("1066.19")])
    assert rows[-1] == (4, ["P3", "L1", "2026-03-02", 12])


def test_a_damaged_xlsx_is_a_file_error(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a zip")

    with pytest.raises(ImportFileError, match="cannot read the spreadsheet"):
        read_table(path, "loans")


@pytest.mark.django_db
def test_the_progress_bar_does_not_change_the_result(tmp_path, capsys):
    path = write_csv(tmp_path / "l.csv", LOAN_HEADERS, [loan_row(1), loan_row(2)])

    report = import_loans(path=path, progress=True)

    assert report.created == 2
    assert "reading loans" in capsys.readouterr().err


@pytest.mark.django_db
def test_the_benchmark_tape_imports_cleanly_and_twice_changes_nothing(tmp_path):
    import importlib.util

    from django.conf import settings

    script = settings.PROJECT_DIR / "bench" / "import_loans.py"
    spec = importlib.util.spec_from_file_location("bench_import_loans", script)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    tape = tmp_path / "loans.csv"
    bench.write_tape(tape, 300)

    first = import_loans(path=tape)
    again = import_loans(path=tape)

    assert first.ok and first.created == 300
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 300)
