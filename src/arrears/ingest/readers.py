"""Reading loan tapes: CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX, English or Chinese headers.

A file becomes a `Table`: the headers as written, which column holds which field, and the
data rows as (spreadsheet row number, cells). Cells are str, or for XLSX int, Decimal or
date — never float: a float cell is turned into the Decimal of its shortest repr at once.
"""

from __future__ import annotations

import csv
import datetime as dt
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


@dataclass(frozen=True)
class ImportLimits:
    """How much an import file may hold (settings ARREARS_IMPORT_*; docs/deploy.md)."""

    max_bytes: int  # the file as uploaded or given
    max_rows: int  # data rows
    max_xlsx_expanded_bytes: int  # every part of a workbook, uncompressed
    max_line_chars: int = 1_000_000  # one line of a CSV file (and one cell)


def import_limits() -> ImportLimits:
    from django.conf import settings

    return ImportLimits(
        max_bytes=settings.ARREARS_IMPORT_MAX_BYTES,
        max_rows=settings.ARREARS_IMPORT_MAX_ROWS,
        max_xlsx_expanded_bytes=settings.ARREARS_IMPORT_MAX_XLSX_EXPANDED_BYTES,
    )


_BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 18


@dataclass
class _Scan:
    encoding: str
    lines: int
    bom: bool


def _classify(lines: list[bytes], first_no: int, found: dict[str, int]) -> None:
    """Note the first line that is UTF-8 with non-ASCII text and the first that is not UTF-8."""
    for offset, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            found.setdefault("bad", first_no + offset)
        else:
            found.setdefault("utf8", first_no + offset)
        if "bad" in found and "utf8" in found:
            return


def scan_csv(path: Path, limits: ImportLimits | None = None) -> _Scan:
    """Read the file once in pieces (memory flat in its size): count its lines, bound their
    length, and decide its encoding.

    GB18030 decodes almost any bytes, so "it decoded" proves nothing. UTF-8 is tried first,
    line by line: a file whose every non-ASCII line is UTF-8 is UTF-8 (a BOM says so too);
    a file with no UTF-8 line of non-ASCII text is GBK (read as GB18030, its superset); a
    file with both is mixed, and refused naming the first line that is not UTF-8 — reading
    it either way would store some names garbled (张三 as 寮犱笁).
    """
    limits = limits or import_limits()
    found: dict[str, int] = {}
    lines = 0
    with path.open("rb") as fh:
        bom = fh.read(3) == _BOM
        if not bom:
            fh.seek(0)
        carry = b""
        while chunk := fh.read(_CHUNK):
            data = carry + chunk
            parts = data.split(b"\n")
            carry = parts.pop()
            if len(carry) > limits.max_line_chars * 4:
                raise ImportFileError("line_too_long", line=lines + 1, max=limits.max_line_chars)
            if len(found) < 2:
                block = b"\n".join(parts)
                if not block.isascii():
                    try:
                        block.decode("utf-8")
                    except UnicodeDecodeError:
                        _classify(parts, lines + 1, found)
                    else:
                        found.setdefault("utf8", lines + 1)
            for part in parts:
                if len(part) > limits.max_line_chars * 4:
                    raise ImportFileError(
                        "line_too_long", line=lines + 1, max=limits.max_line_chars
                    )
            lines += len(parts)
        if carry:
            _classify([carry], lines + 1, found)
            lines += 1
    if "bad" not in found:
        return _Scan("utf-8", lines, bom)
    if bom or "utf8" in found:
        raise ImportFileError("file_mixed_encoding", line=found["bad"])
    return _Scan("gb18030", lines, bom)


def decode_csv_bytes(data: bytes) -> str:
    """Bytes in memory decoded by the same rule as files (UTF-8 first, GBK only when no line
    is UTF-8, mixed refused)."""
    found: dict[str, int] = {}
    bom = data.startswith(_BOM)
    body = data[3:] if bom else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    _classify(body.split(b"\n"), 1, found)
    if bom or "utf8" in found:
        raise ImportFileError("file_mixed_encoding", line=found.get("bad", 1))
    try:
        return body.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportFileError("file_encoding") from exc


def _csv_rows(
    path: Path, limits: ImportLimits
) -> tuple[list[str], Iterator[tuple[int, list[str]]], int]:
    scan = scan_csv(path, limits)
    total = max(scan.lines - 1, 0)
    if total > limits.max_rows:
        raise ImportFileError("too_many_rows", rows=total, max=limits.max_rows)
    fh = path.open(encoding=scan.encoding, errors="strict", newline="")
    try:
        if scan.bom:
            fh.read(1)
        first_line = fh.readline()
        delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
        headers = [h.strip() for h in next(csv.reader([first_line], delimiter=delimiter), [])]
    except UnicodeDecodeError as exc:
        fh.close()
        raise ImportFileError("file_encoding") from exc
    except BaseException:
        fh.close()
        raise
    if not any(headers):
        fh.close()
        raise ImportFileError("file_empty")
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_line_chars))
    reader = csv.reader(fh, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[str]]]:
        # csv's line_num counts physical lines; a quoted cell may span lines, so the number
        # shown is the line where the record ends, which is what a text editor shows too.
        # The header line was read before the reader started: add it back.
        count = 0
        try:
            for record in reader:
                count += 1
                if count > limits.max_rows:
                    raise ImportFileError("too_many_rows", rows=count, max=limits.max_rows)
                yield reader.line_num + 1, [c.strip() for c in record]
        except UnicodeDecodeError as exc:
            raise ImportFileError("file_encoding") from exc
        except csv.Error as exc:
            raise ImportFileError(
                "file_unreadable_csv", line=reader.line_num + 1, detail=str(exc)
            ) from exc
        finally:
            fh.close()

    return headers, rows(), total


def check_xlsx_size(path: Path, limits: ImportLimits) -> None:
    """Refuse a workbook that would expand past the limit, before any of it is parsed.

    An XLSX file is a zip: its directory states every part's uncompressed size, so a
    3.9 MB file whose sheet expands to 1 GB is refused by reading a few kilobytes.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            expanded = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError("file_unreadable", detail=str(exc) or type(exc).__name__) from exc
    if expanded > limits.max_xlsx_expanded_bytes:
        raise ImportFileError(
            "xlsx_too_large",
            size=_megabytes(expanded),
            max=_megabytes(limits.max_xlsx_expanded_bytes),
        )


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f} MB"


def _xlsx_rows(
    path: Path, limits: ImportLimits
) -> tuple[list[str], Iterator[tuple[int, list[Cell]]], int | None]:
    from openpyxl import load_workbook

    check_xlsx_size(path, limits)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        # The sheet's own <dimension> says how many rows it holds, before any row is read.
        declared = ws.max_row
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportFileError("file_unreadable", detail=str(exc) or type(exc).__name__) from exc
    if declared is not None and declared - 1 > limits.max_rows:
        wb.close()
        raise ImportFileError("too_many_rows", rows=declared - 1, max=limits.max_rows)
    # Read-only mode stops at the declared last row; a sheet whose <dimension> is wrong
    # would lose the rows past it without a word. Read every row (the limit still holds).
    ws.reset_dimensions()
    it = ws.iter_rows(values_only=True)
    try:
        first = next(it)
    except StopIteration as exc:
        wb.close()
        raise ImportFileError("file_empty") from exc
    except Exception as exc:
        wb.close()
        raise ImportFileError("file_unreadable", detail=str(exc) or type(exc).__name__) from exc
    headers = [cell_text(_xlsx_cell(v)).strip() for v in first]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        wb.close()
        raise ImportFileError("file_empty")
    total = declared - 1 if declared else None

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        try:
            for number, values in enumerate(it, start=2):
                if number - 1 > limits.max_rows:  # a sheet without a true <dimension>
                    raise ImportFileError("too_many_rows", rows=number - 1, max=limits.max_rows)
                yield number, [_xlsx_cell(v) for v in values]
        except ImportFileError:
            raise
        except Exception as exc:  # a damaged part found only while streaming
            raise ImportFileError("file_unreadable", detail=str(exc) or type(exc).__name__) from exc
        finally:
            wb.close()

    return headers, rows(), total


def read_table(path: str | Path, kind: str, limits: ImportLimits | None = None) -> Table:
    """Open a CSV or XLSX file of `kind`, checking its size before reading it.

    Rows are streamed: memory stays flat in the size of the file (the XLSX shared-string
    table excepted, which the expanded-size limit bounds).
    """
    path = Path(path)
    limits = limits or import_limits()
    if not path.is_file():
        raise ImportFileError("file_missing", path=str(path))
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise ImportFileError(
            "file_too_large", size=_megabytes(size), max=_megabytes(limits.max_bytes)
        )
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        headers, rows, total = _xlsx_rows(path, limits)
    elif suffix in {".csv", ".txt", ".tsv", ""}:
        headers, rows, total = _csv_rows(path, limits)
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
