"""Reading loan tapes: CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX, English or Chinese headers.

A file becomes a `Table`: the headers as written, which column holds which field, and the
data rows as (spreadsheet row number, cells). Cells are str, or for XLSX int, Decimal or
date — never float: a float cell is turned into the Decimal of its shortest repr at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from arrears.ingest.errors import ImportFileError


@dataclass(frozen=True)
class Field:
    """One field of a file kind: its canonical (English) name and the headers that mean it."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def names(self) -> str:
        return " or ".join((self.name, *self.aliases[:1]))


FIELDS: dict[str, tuple[Field, ...]] = {
    "loans": (
        Field("loan_id", ("贷款编号", "借据号", "借据编号", "合同编号"), True),
        Field("borrower_id", ("客户编号", "客户号"), True),
        Field("borrower_name", ("客户姓名", "姓名", "借款人"), True),
        Field("id_number", ("身份证号", "身份证号码", "证件号码")),
        Field("phone", ("手机号", "手机号码", "联系电话")),
        Field("address", ("地址", "住址", "家庭住址")),
        Field("region", ("地区", "区域", "所属地区")),
        Field("product", ("产品", "产品代码", "产品编号")),
        Field("principal", ("贷款本金", "本金", "放款金额", "贷款金额"), True),
        Field("annual_rate", ("年利率", "执行年利率"), True),
        Field("penalty_rate", ("罚息年利率", "罚息利率")),
        Field("disbursed_on", ("放款日期", "放款日"), True),
        Field("term_months", ("期限", "贷款期限", "期限(月)"), True),
        Field("repayment_method", ("还款方式",), True),
        Field("guarantor_name", ("担保人", "担保人姓名")),
        Field("guarantor_phone", ("担保人电话", "担保人手机号")),
        Field("guarantee_type", ("保证方式", "担保方式", "保证类型")),
    ),
    "schedule": (
        Field("loan_id", ("贷款编号", "借据号", "借据编号"), True),
        Field("installment_no", ("期数", "期次", "期号"), True),
        Field("due_on", ("到期日", "应还日期", "应还款日"), True),
        Field("principal_due", ("应还本金",), True),
        Field("interest_due", ("应还利息",), True),
    ),
    "payments": (
        Field("payment_id", ("流水号", "交易流水号", "还款流水号"), True),
        Field("loan_id", ("贷款编号", "借据号", "借据编号"), True),
        Field("paid_on", ("还款日期", "实还日期", "交易日期"), True),
        Field("amount", ("金额", "还款金额", "实还金额"), True),
        Field("channel", ("渠道", "还款渠道")),
    ),
    # Auto-debit attempts (代扣流水): a failure may carry the product's fee (ingest.deductions).
    "deductions": (
        Field("deduction_id", ("扣款流水号", "代扣流水号", "扣款编号", "deduction ID"), True),
        Field("loan_id", ("贷款编号", "借据号", "借据编号"), True),
        Field("attempted_on", ("扣款日期", "代扣日期", "交易日期", "date"), True),
        Field("amount", ("扣款金额", "代扣金额", "应扣金额", "金额"), True),
        Field("result", ("扣款结果", "结果", "代扣结果", "状态", "status"), True),
        Field("failure_reason", ("失败原因", "原因", "reason")),
    ),
}
KINDS = tuple(FIELDS)

_UNIT_SUFFIX = re.compile(r"[(（][^)）]*[)）]$")


def header_key(text: str) -> str:
    """Headers compare without case, spaces, BOM or a unit suffix: 'Loan ID', '贷款本金（元）'."""
    text = str(text or "").replace("\ufeff", "").strip()
    stripped = _UNIT_SUFFIX.sub("", text).strip()
    text = stripped or text
    return re.sub(r"[\s\-]+", "_", text).casefold()


def _alias_map(kind: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in FIELDS[kind]:
        for name in (f.name, *f.aliases):
            out[header_key(name)] = f.name
    return out


Cell = str | int | Decimal | dt.date


@dataclass
class Table:
    """A file's header and rows, with each known field's column index and header as written."""

    kind: str
    headers: list[str]
    rows: Iterable[tuple[int, Sequence[Cell]]]
    columns: dict[str, int] = field(default_factory=dict)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # (field, hdr, other)
    total: int | None = None  # data rows, when known up front (for the progress bar)
    path: Path | None = None

    def __post_init__(self) -> None:
        aliases = _alias_map(self.kind)
        for index, header in enumerate(self.headers):
            name = aliases.get(header_key(header))
            if name is None:
                continue  # columns we do not know are carried along, not refused
            if name in self.columns:
                self.duplicates.append((name, header, self.headers[self.columns[name]]))
                continue
            self.columns[name] = index

    @property
    def missing(self) -> list[Field]:
        return [f for f in FIELDS[self.kind] if f.required and f.name not in self.columns]

    def header(self, name: str) -> str:
        """The column header for a field, as written in the file (canonical name if absent)."""
        index = self.columns.get(name)
        return self.headers[index] if index is not None else name


def cell_text(value: Cell | None) -> str:
    """A cell as the text a user would recognise in an error message or error file."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_cell(value) -> Cell:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        # openpyxl gives numbers as float; the shortest repr is what the user typed (12345.6),
        # and Decimal(repr) keeps it exact from here on. Whole numbers become int (IDs, terms).
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return Decimal(repr(value))
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    if isinstance(value, int | dt.date):
        return value
    return str(value).strip()


def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GBK (read as GB18030, its superset)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportFileError("file_encoding") from exc


def _csv_rows(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]], int]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration as exc:
        raise ImportFileError("file_empty") from exc
    if not any(headers):
        raise ImportFileError("file_empty")
    total = max(text.count("\n") - 1, 0)

    def rows() -> Iterator[tuple[int, list[str]]]:
        # csv's line_num counts physical lines; a quoted cell may span lines, so the number
        # shown is the line where the record ends, which is what a text editor shows too.
        for record in reader:
            yield reader.line_num, [c.strip() for c in record]

    return headers, rows(), total


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Cell]]], int | None]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportFileError("file_unreadable", detail=str(exc) or type(exc).__name__) from exc
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    try:
        first = next(it)
    except StopIteration as exc:
        wb.close()
        raise ImportFileError("file_empty") from exc
    headers = [cell_text(_xlsx_cell(v)).strip() for v in first]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        wb.close()
        raise ImportFileError("file_empty")
    total = ws.max_row - 1 if ws.max_row else None

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        try:
            for number, values in enumerate(it, start=2):
                yield number, [_xlsx_cell(v) for v in values]
        finally:
            wb.close()

    return headers, rows(), total


def read_table(path: str | Path, kind: str) -> Table:
    """Open a CSV or XLSX file of `kind` (loans, schedule, payments)."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError("file_missing", path=str(path))
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        headers, rows, total = _xlsx_rows(path)
    elif suffix in {".csv", ".txt", ".tsv", ""}:
        headers, rows, total = _csv_rows(decode_csv_bytes(path.read_bytes()))
    else:
        raise ImportFileError("file_format", suffix=suffix)
    return Table(kind=kind, headers=headers, rows=rows, total=total, path=path)


def table_from_records(kind: str, headers: Sequence[str], records: Iterable[Sequence]) -> Table:
    """A Table from rows already in memory (web upload, API), numbered as a spreadsheet would."""
    records = list(records)
    rows = [
        (n, [cell_text(c) if c is not None else "" for c in r]) for n, r in enumerate(records, 2)
    ]
    return Table(kind=kind, headers=list(headers), rows=rows, total=len(rows))


def is_blank_row(cells: Sequence[Cell]) -> bool:
    return all(c == "" or c is None for c in cells)
