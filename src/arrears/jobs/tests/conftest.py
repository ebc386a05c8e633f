"""Fixtures of the jobs tests: two loans in the book and small payment files."""

from __future__ import annotations

import csv
import io

import pytest

PAYMENT_HEADERS = ("流水号", "贷款编号", "还款日期", "金额", "渠道")


def payments_csv(rows: list[tuple]) -> bytes:
    """A payments file as a bank exports it: Chinese headers, UTF-8 with a BOM."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(PAYMENT_HEADERS)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


GOOD_ROWS = [
    ("P1", "L0001", "2026-02-10", "1066.19", "现金"),
    ("P2", "L0002", "2026-02-10", "500.00", "代扣"),
]
BAD_ROWS = [
    ("P1", "L0001", "2026-02-10", "1066.19", "现金"),
    ("P2", "L0002", "2026-02-10", "五百元", "代扣"),
]


@pytest.fixture
def two_loans(db, tmp_path):
    """L0001 and L0002: 12,000.00 yuan at 12% a year, 12 months annuity from 2026-01-10."""
    from arrears.ingest.services import import_loans
    from arrears.ingest.tests.files import LOAN_HEADERS, loan_row, write_csv

    path = write_csv(tmp_path / "loans.csv", LOAN_HEADERS, [loan_row(1), loan_row(2)])
    report = import_loans(path=path)
    assert report.ok, report.errors
