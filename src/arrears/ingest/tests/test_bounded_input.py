"""Bounded input (issue 12): files too big to read, identifiers that break pages, amounts a
person never writes, mixed encodings and control characters — each refused with a clear
message, before anything is written."""

from __future__ import annotations

import re
import tracemalloc
import zipfile

import pytest

from arrears.book.models import Borrower, Loan, Payment
from arrears.ingest.errors import ImportFileError
from arrears.ingest.readers import ImportLimits, decode_csv_bytes, read_table
from arrears.ingest.services import import_loans, import_payments
from arrears.ingest.tests.files import LOAN_HEADERS, PAYMENT_HEADERS, loan_row, write_csv
from arrears.ingest.validators import FieldError, identifier, money_fen, positive_money
from arrears.testing import make_loan

SMALL = ImportLimits(max_bytes=10_000, max_rows=5, max_xlsx_expanded_bytes=50_000)


# --- file size, rows and zip bombs -------------------------------------------------------


def test_a_file_over_the_import_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(b"payment_id,loan_id,paid_on,amount\n" + b"x" * 20_000)
    with pytest.raises(ImportFileError, match=r"more than the 0.0 MB an import may be"):
        read_table(path, "payments", SMALL)


@pytest.mark.django_db
def test_the_import_limit_is_a_setting_of_its_own(tmp_path, settings):
    settings.ARREARS_IMPORT_MAX_BYTES = 100
    settings.ARREARS_DOCUMENT_MAX_BYTES = 10**9
    path = write_csv(tmp_path / "p.csv", PAYMENT_HEADERS, [{"payment_id": "P1"}] * 10)
    with pytest.raises(ImportFileError, match="an import may be"):
        import_payments(path=path)


def test_a_csv_with_more_rows_than_the_limit_is_refused_naming_it(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("payment_id,loan_id,paid_on,amount\n" + "P,L,2026-01-01,1\n" * 6)
    with pytest.raises(ImportFileError, match=r"6 rows or more, more than the 5"):
        read_table(path, "payments", SMALL)


def _bomb(path, rows: int):
    """A tiny XLSX whose sheet expands to many times its size (as the tester's 1 GB one)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["payment_id", "loan_id", "paid_on", "amount"])
    wb.save(path)
    # Rewrite the sheet with many identical rows: compresses to almost nothing.
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    row = "<row><c t='inlineStr'><is><t>{}</t></is></c></row>".format("A" * 200)
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace("</sheetData>", row * rows + "</sheetData>")
    sheet = re.sub(r"<dimension[^>]*/>", "", sheet)  # as some generators write it
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def test_a_workbook_that_expands_past_the_limit_is_refused_before_it_is_parsed(tmp_path):
    path = _bomb(tmp_path / "bomb.xlsx", rows=2_000)
    assert path.stat().st_size < 10_000  # small on disk…
    tracemalloc.start()
    with pytest.raises(ImportFileError, match=r"expands to 0.\d MB when opened, more than the"):
        read_table(path, "payments", SMALL)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 2_000_000  # …and refused from its zip directory, not by reading it


def test_a_sheet_with_too_many_rows_is_refused_even_without_a_dimension(tmp_path):
    path = _bomb(tmp_path / "rows.xlsx", rows=20)
    table = read_table(path, "payments", ImportLimits(10**6, 5, 10**7))
    with pytest.raises(ImportFileError, match="more than the 5"):
        list(table.rows)


def test_a_sheet_whose_dimension_lies_is_read_to_its_last_row(tmp_path):
    path = _bomb(tmp_path / "lies.xlsx", rows=3)
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        "<sheetData>", '<dimension ref="A1:D1"/><sheetData>'
    ).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert len(list(read_table(path, "payments").rows)) == 3
    with pytest.raises(ImportFileError, match="more than the 2"):
        list(read_table(path, "payments", ImportLimits(10**6, 2, 10**7)).rows)


def test_reading_a_large_csv_keeps_memory_flat(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w") as fh:
        fh.write("payment_id,loan_id,paid_on,amount\n")
        for n in range(200_000):
            fh.write(f"P{n},L1,2026-01-01,100.00\n")
    assert path.stat().st_size > 5_000_000
    tracemalloc.start()
    table = read_table(path, "payments", ImportLimits(10**8, 10**6, 10**8))
    count = sum(1 for _ in table.rows)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 200_000
    assert peak < path.stat().st_size  # a read of the whole file would take more than it


# --- encodings -------------------------------------------------------------------------------


def test_one_gbk_line_in_a_utf8_file_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "l.csv"
    path.write_bytes(
        "loan_id,borrower_name\nL1,张三\n".encode() + "L2,李四\n".encode("gbk") + b"L3,x\n"
    )
    with pytest.raises(ImportFileError, match="line 3 is not UTF-8"):
        read_table(path, "loans")


def test_a_whole_gbk_file_is_still_read_as_gbk(tmp_path):
    path = tmp_path / "l.csv"
    path.write_bytes("贷款编号,客户姓名,地区\nL1,张三,四川省/某县\n".encode("gbk"))
    table = read_table(path, "loans")
    assert list(table.rows) == [(2, ["L1", "张三", "四川省/某县"])]
    assert decode_csv_bytes("张三".encode("gbk")) == "张三"
    with pytest.raises(ImportFileError, match="line 2 is not UTF-8"):
        decode_csv_bytes("张三\n".encode() + "李四".encode("gbk"))


@pytest.mark.django_db
def test_a_mixed_file_writes_nothing(tmp_path):
    path = tmp_path / "l.csv"
    good = write_csv(tmp_path / "g.csv", LOAN_HEADERS, [loan_row(1)]).read_bytes()
    path.write_bytes(
        good + "L0002,B2,王二".encode("gbk") + b",,,,,,12000,12%,,2026-01-10,12,annuity,,\n"
    )
    with pytest.raises(ImportFileError, match="line 3"):
        import_loans(path=path)
    assert not Borrower.objects.exists()


# --- identifiers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["ID/WITH/SLASH", "..", ".", "a\\b", "=1+1", "+1", "-1", "@x", "L\x001", "L\t1", "x" * 65],
)
def test_an_identifier_that_would_break_a_url_or_a_file_is_refused(value):
    with pytest.raises(FieldError) as exc:
        identifier(value)
    assert exc.value.code in {"bad_identifier", "too_long"}


@pytest.mark.parametrize("value", ["L0001", "借据-2026-001", "L.1", "A B", 1001])
def test_ordinary_identifiers_pass(value):
    assert identifier(value) == str(value)


@pytest.mark.django_db
def test_a_loan_with_a_slash_is_a_row_error_and_the_loan_list_still_works(tmp_path, client, people):
    path = write_csv(
        tmp_path / "l.csv",
        LOAN_HEADERS,
        [loan_row(1, loan_id="ID/WITH/SLASH"), loan_row(2, loan_id="..")],
    )
    report = import_loans(path=path)
    assert [str(e).split(": ")[0] for e in report.errors] == [
        "row 2, column loan_id",
        "row 3, column loan_id",
    ]
    assert "not a usable ID" in str(report.errors[0])
    assert not Loan.objects.exists()


@pytest.mark.django_db
def test_pages_listing_an_old_odd_id_do_not_break(client, people):
    """IDs stored before the rule (or by another door) still get working links."""
    from arrears.testing import PASSWORD

    odd = [make_loan(external_id=x) for x in ("ID/WITH/SLASH", "..", "a?b#c", "~x")]
    client.post("/login/", {"username": "alice", "password": PASSWORD})
    page = client.get("/loans/")
    assert page.status_code == 200
    for loan in odd:
        url = loan_url(loan.external_id)
        assert f'href="{url}"' in page.content.decode()
        assert "/.." not in url and url.count("/") == 3
        detail = client.get(url)
        assert detail.status_code == 200 and detail.context["loan"].pk == loan.pk
        bp = client.get(borrower_url(loan.borrower.external_id))
        assert bp.status_code == 200


def loan_url(external_id):
    from django.urls import reverse

    return reverse("web:loan_detail", args=[external_id])


def borrower_url(external_id):
    from django.urls import reverse

    return reverse("web:borrower_detail", args=[external_id])


# --- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,fen",
    [
        ("12000", 1_200_000),
        ("12,000.00", 1_200_000),
        ("1,234,567.5", 123_456_750),
        ("¥12000", 1_200_000),
        ("12000元", 1_200_000),
        ("１２，０００．５０", 1_200_050),
        ("RMB 100", 10_000),
    ],
)
def test_amounts_as_people_write_them(value, fen):
    assert money_fen(value) == fen


@pytest.mark.parametrize(
    "value",
    ["1e20", "1e3", "1_000", "1,00,0.5", "12,00", "1.2.3", "NaN", "Infinity", "0x10", "1 000"],
)
def test_amounts_nobody_writes_are_refused(value):
    with pytest.raises(FieldError) as exc:
        money_fen(value)
    assert exc.value.code == "not_an_amount"


@pytest.mark.django_db
def test_each_amount_field_has_an_upper_bound(settings, tmp_path):
    settings.ARREARS_IMPORT_MAX_PRINCIPAL_YUAN = 1_000_000
    with pytest.raises(FieldError) as exc:
        positive_money("9000000000000000", "principal")
    assert exc.value.code == "amount_too_large"
    path = write_csv(
        tmp_path / "l.csv",
        LOAN_HEADERS,
        [loan_row(1, principal="9,000,000,000,000,000"), loan_row(2, principal="1e20")],
    )
    report = import_loans(path=path)
    assert [str(e) for e in report.errors] == [
        "row 2, column principal: amount is more than the 1,000,000 yuan an import accepts "
        "here ('9,000,000,000,000,000')",
        "row 3, column principal: not an amount of money ('1e20')",
    ]
    assert not Loan.objects.exists()


@pytest.mark.django_db
def test_a_huge_spreadsheet_number_is_a_row_error_not_a_crash(tmp_path):
    from arrears.ingest.tests.files import write_xlsx

    make_loan(external_id="L1")
    path = write_xlsx(
        tmp_path / "p.xlsx",
        PAYMENT_HEADERS,
        [{"payment_id": "P1", "loan_id": "L1", "paid_on": "2026-02-10", "amount": 1e20}],
    )
    report = import_payments(path=path)
    assert [e.code for e in report.errors] == ["amount_too_large"]
    assert not Payment.objects.exists()


# --- control characters ----------------------------------------------------------------------


@pytest.mark.django_db
def test_control_characters_are_refused_at_the_door(tmp_path):
    path = write_csv(
        tmp_path / "l.csv",
        LOAN_HEADERS,
        [loan_row(1, borrower_name="张\x00三"), loan_row(2, address="村\u202e组")],
    )
    report = import_loans(path=path)
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (2, "borrower_name", "control_characters"),
        (3, "address", "control_characters"),
    ]
    assert not Borrower.objects.exists()
