"""Every import, fed random bytes, encodings, huge numbers and odd identifiers, answers with a
file error or row errors — never a crash, and never a partial write (issue 12)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.activities.models import Activity
from arrears.book.models import Borrower, Charge, Installment, Loan, Payment
from arrears.cases.models import Case
from arrears.core.spreadsheets import ILLEGAL_CHARACTERS
from arrears.ingest import readers
from arrears.ingest.errors import ImportFileError
from arrears.testing import make_borrower

pytestmark = pytest.mark.django_db

ODD = [
    "",
    "L-FUZZ",
    "ID/WITH/SLASH",
    "..",
    '=HYPERLINK("http://x")',
    "-1+cmd|' /C calc'!A0",
    "@SUM(1)",
    "1e20",
    "1e3",
    "1_000",
    "1,00,0.5",
    "9" * 40,
    "-5",
    "0",
    "0.001",
    "2026-02-30",
    "2026-02-10",
    "2026-02-10 10:00",
    "１２，０００．５０",
    "¥12,000.00元",
    "张\x00三",
    "村\u202e组",
    "NaN",
    "Infinity",
    "12%",
    "1e999999999%",
    "annuity",
    "12",
    "success",
    "failed",
    "cash",
    "right_party_contact",
    "13800138000",
    "四川省/某县/卧水镇/马头冲村",
    "x" * 400,
]
CELL = st.one_of(
    st.sampled_from(ODD),
    st.text(max_size=20),
    st.integers(-(10**30), 10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
NUMBER = st.one_of(
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(ODD),
)
KINDS = ("loans", "schedule", "payments", "deductions", "activities")
MODELS = (Borrower, Loan, Installment, Payment, Charge, Activity, Case)


@pytest.fixture
def book():
    from arrears.activities.tests.conftest import bullet, open_case

    loan = bullet("L-FUZZ", make_borrower())
    open_case(loan)
    return loan


def _counts():
    return [m.objects.count() for m in MODELS]


def _importer(kind: str):
    from arrears.activities.imports import import_activities
    from arrears.ingest.deductions import import_deductions
    from arrears.ingest.services import import_loans, import_payments, import_schedule

    return {
        "loans": import_loans,
        "schedule": import_schedule,
        "payments": import_payments,
        "deductions": import_deductions,
        "activities": import_activities,
    }[kind]


def _headers(kind: str) -> list[str]:
    from arrears.activities.imports import register

    register()
    return [f.name for f in readers.FIELDS[kind]]


# A right row of each kind (in the order of readers.FIELDS), for mutations of one or two cells.
TEMPLATES = {
    "loans": [
        "L-NEW",
        "B-NEW",
        "王五",
        "",
        "13800138000",
        "卧水镇",
        "四川省/某县",
        "",
        "12000",
        "12%",
        "",
        "2026-01-10",
        "12",
        "annuity",
        "",
        "",
    ],
    "schedule": ["L-FUZZ", "1", "2026-07-10", "10000", "600"],
    "payments": ["P-NEW", "L-FUZZ", "2026-02-10", "100.00", "cash"],
    "deductions": ["D-NEW", "L-FUZZ", "2026-02-10", "100", "failed", "余额不足"],
    "activities": ["C-NEW", "L-FUZZ", "2026-07-15 10:00", "no_answer"],
}


def _write(path: Path, kind: str, data) -> Path:
    fmt, payload = data
    headers = _headers(kind)
    if fmt == "mutated":
        template = TEMPLATES[kind] + [""] * (len(headers) - len(TEMPLATES[kind]))
        rows = []
        for n, changes in enumerate(payload):
            row = list(template)
            row[0] = f"{row[0]}{n}"
            for index, value in changes:
                row[index % len(headers)] = value
            rows.append(row)
        payload, fmt = rows, "utf-8"
    if fmt == "bytes":
        path = path.with_suffix(".csv")
        path.write_bytes(payload)
        return path
    rows = [[row[i % len(row)] if row else "" for i in range(len(headers))] for row in payload]
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.append(headers)
        for row in rows:
            ws.append([ILLEGAL_CHARACTERS.sub("", v) if isinstance(v, str) else v for v in row])
        path = path.with_suffix(".xlsx")
        wb.save(path)
        return path
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows([[str(v) for v in row] for row in rows])
    path = path.with_suffix(".csv")
    path.write_bytes(buf.getvalue().encode(fmt, errors="replace"))
    return path


FILES = st.one_of(
    st.tuples(st.just("bytes"), st.binary(max_size=400)),
    st.tuples(
        st.sampled_from(["utf-8", "utf-8-sig", "gbk"]),
        st.lists(st.lists(CELL, min_size=1, max_size=16), max_size=4),
    ),
    st.tuples(st.just("xlsx"), st.lists(st.lists(NUMBER, min_size=1, max_size=16), max_size=3)),
    st.tuples(
        st.just("mutated"),
        st.lists(
            st.lists(
                st.tuples(st.integers(0, 15), st.one_of(st.sampled_from(ODD), CELL)), max_size=2
            ),
            min_size=1,
            max_size=3,
        ),
    ),
)


@pytest.mark.parametrize("kind", KINDS)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=FILES, skip=st.booleans())
def test_an_import_of_anything_answers_with_errors_never_a_crash(book, kind, data, skip):
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp) / "fuzz", kind, data)
        before = _counts()
        try:
            kwargs = {"path": path, "skip_invalid": skip}
            if kind in ("loans", "payments"):
                kwargs["today"] = dt.date(2026, 11, 28)
            report = _importer(kind)(**kwargs)
        except ImportFileError:
            assert _counts() == before  # the file as a whole refused: nothing written
            return
        if report.errors and not skip:
            assert _counts() == before  # all or nothing
        for err in report.errors:
            assert str(err).startswith(f"row {err.row}, column ")
