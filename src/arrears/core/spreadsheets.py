"""The one writer of every CSV and XLSX file Arrears produces.

Every export, report and error file goes through here so that no cell can attack the person
who opens it (OWASP "CSV injection"): a spreadsheet runs a cell whose text starts with `=`,
`+`, `-` or `@` as a formula (some also after leading blanks, and a tab or carriage return
starts one in older Excel and LibreOffice), so such **text** gets a leading apostrophe, which
Excel and LibreOffice show as plain text. Real numbers are written as numbers (an XLSX
numeric cell; in CSV the plain digits), so a negative balance stays a number.

XLSX cannot hold most control characters (openpyxl raises IllegalCharacterError on a NUL):
they are replaced by U+FFFD in both formats, so one bad byte in the book never stops an export.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any, TextIO

# Characters a spreadsheet reads as the start of a formula. The full-width forms are included
# because some spreadsheet applications fold them to ASCII when a cell is edited.
FORMULA_PREFIXES = "=+-@＝＋－＠"
# Tab and carriage return at the very start also start a formula in some readers.
CONTROL_PREFIXES = "\t\r"
# What XLSX (XML 1.0) cannot hold: C0 controls other than tab, line feed and carriage return.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
REPLACEMENT = "\ufffd"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_text(value: str) -> str:
    """Text made harmless in a spreadsheet cell: no illegal characters, never a formula."""
    value = ILLEGAL_CHARACTERS.sub(REPLACEMENT, value)
    if not value:
        return value
    if value[0] in CONTROL_PREFIXES or value.lstrip()[:1] in tuple(FORMULA_PREFIXES):
        return "'" + value
    return value


def cell_value(value: Any) -> Any:
    """A Python value as it goes into a cell: numbers and dates stay typed, all else is
    safe text. Booleans are written `true`/`false`; None is an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        # Arrears never carries money as float; a float here is a ratio or a count.
        return Decimal(repr(value))
    if isinstance(value, dt.datetime | dt.date):
        return value
    return safe_text(str(value))


def _csv_text(value: Any) -> str:
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def csv_row(row: Iterable[Any]) -> list[str]:
    """One row as the CSV writer writes it (for callers that keep their own csv.writer)."""
    return [_csv_text(v) for v in row]


def write_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    out: TextIO,
) -> int:
    """Write `header` and `rows` to a text stream; returns the number of data rows.

    Lines end in CRLF (RFC 4180): Python's csv quotes a cell holding a line break only when
    the break is part of the line terminator, so with a bare LF a lone CR would split a row.
    """
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_row(header))
    count = 0
    for row in rows:
        writer.writerow(csv_row(row))
        count += 1
    return count


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = True
) -> Iterator[bytes]:
    """A CSV file (UTF-8, with a BOM so Excel reads Chinese) yielded in pieces, for streaming."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    writer.writerow(csv_row(header))
    for n, row in enumerate(rows, start=1):
        writer.writerow(csv_row(row))
        if n % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def write_xlsx(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    out: str | IO[bytes] | Any,
    *,
    title: str = "Sheet1",
    date_format: str = "yyyy-mm-dd",
    money_format: str = "0.00",
) -> int:
    """Write one sheet to `out` (a path or a binary file) in write-only (streaming) mode.

    Text cells are stored as strings (type `s`), never as formulas; Decimal cells are
    numbers shown with two decimals, int cells plain numbers, dates as dates.
    Returns the number of data rows.
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    count = _append_sheet(wb, title, header, rows, date_format, money_format)
    wb.save(out)
    return count


def write_xlsx_sheets(
    sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
    out: str | IO[bytes] | Any,
    *,
    date_format: str = "yyyy-mm-dd",
    money_format: str = "0.00",
) -> int:
    """Write several sheets (title, header, rows) to one workbook, cells as in write_xlsx.
    Titles are made unique (Excel refuses two sheets of one name). Returns the rows written."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    count = 0
    used: set[str] = set()
    for title, header, rows in sheets:
        name = safe_title(title)
        n = 2
        while name.lower() in used:
            suffix = f" ({n})"
            name = safe_title(title)[: 31 - len(suffix)] + suffix
            n += 1
        used.add(name.lower())
        count += _append_sheet(wb, name, header, rows, date_format, money_format)
    if not used:
        wb.create_sheet(title="Sheet1")
    wb.save(out)
    return count


def _append_sheet(wb, title, header, rows, date_format, money_format) -> int:
    from openpyxl.cell import WriteOnlyCell

    ws = wb.create_sheet(title=safe_title(title))
    ws.append([_text_cell(ws, WriteOnlyCell, h) for h in header])
    count = 0
    for row in rows:
        cells = []
        for raw in row:
            value = cell_value(raw)
            if value is None:
                cells.append(None)
            elif isinstance(value, str):
                cells.append(_text_cell(ws, WriteOnlyCell, value))
            else:
                cell = WriteOnlyCell(ws, value=value)
                if isinstance(value, Decimal):
                    cell.number_format = money_format
                elif isinstance(value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                elif isinstance(value, dt.date):
                    cell.number_format = date_format
                cells.append(cell)
        ws.append(cells)
        count += 1
    return count


def _text_cell(ws, cell_class, value: Any):
    cell = cell_class(ws, value=safe_text(str(value)))
    cell.data_type = "s"  # a string, whatever it looks like: openpyxl never makes it a formula
    return cell


def safe_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", ILLEGAL_CHARACTERS.sub("", title)).strip()
    return (cleaned or "Sheet1")[:31]


def xlsx_file(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1"
) -> IO[bytes]:
    """An XLSX file in a spooled temporary file (memory up to 16 MB, then disk), rewound."""
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    write_xlsx(header, rows, out, title=title)
    out.seek(0)
    return out


def file_chunks(fh: IO[bytes]) -> Iterator[bytes]:
    """Read a file in 64 KB pieces (for a streaming response), closing it at the end."""
    with fh:
        while chunk := fh.read(64 * 1024):
            yield chunk
