"""A report's dict as a file: JSON as it is; CSV, XLSX and PDF from its tables.

Every spreadsheet cell goes through core/spreadsheets.py (formula text neutralised) and the
PDF is set in the embedded Chinese font of core/pdf.py, so a report reads the same in every
format. Money columns hold the dict's amount strings, written as numbers in XLSX.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _g

from arrears.core import spreadsheets
from arrears.reports.registry import Column, Report, ReportRequest, Table


def as_json(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode() + b"\n"


def _cell(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind in ("money", "percent") and isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


def table_rows(table: Table) -> Iterable[list[Any]]:
    for row in table.rows:
        yield [_cell(c, row.get(c.key)) for c in table.columns]


def _csv_parts(report: Report, data: dict) -> tuple[Sequence[str], Iterable[Sequence[Any]]]:
    if report.csv is not None:
        return report.csv(data)
    tables = report.tables(data)
    # The tables one after another, each row led by its table's key, so one file holds all and
    # a spreadsheet filter on the first column picks one table.
    width = max((len(t.columns) for t in tables), default=0)
    header = ["table"] + [f"c{i + 1}" for i in range(width)]

    def rows():
        for t in tables:
            yield [t.key, *[str(c.label) for c in t.columns]]
            for row in table_rows(t):
                yield [t.key, *row]

    return header, rows()


def as_csv(report: Report, data: dict) -> bytes:
    header, rows = _csv_parts(report, data)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(spreadsheets.csv_row(header))
    for row in rows:
        writer.writerow(spreadsheets.csv_row(row))
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(report: Report, data: dict) -> bytes:
    """One sheet per table (header row of column labels)."""
    sheets = [
        (str(t.title), [str(c.label) for c in t.columns], table_rows(t))
        for t in report.tables(data)
    ]
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as out:
        spreadsheets.write_xlsx_sheets(sheets, out)
        out.seek(0)
        return out.read()


def as_pdf(report: Report, request: ReportRequest, data: dict) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import Align, XPos, YPos
    from fpdf.fonts import FontFace

    from arrears.core.pdf import FONT_FAMILY, cjk_font_path, wrap_text

    tables = report.tables(data)
    widest = max((len(t.columns) for t in tables), default=1)
    pdf = FPDF(orientation="landscape" if widest > 6 else "portrait", unit="mm", format="A4")
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_font(FONT_FAMILY, "", str(cjk_font_path()))
    pdf.set_title(str(report.label))
    pdf.set_creator("Arrears")
    pdf.set_lang("zh-CN")
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=16)
    pdf.cell(0, 10, str(report.label), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, size=9)
    for line in wrap_text(pdf, describe_request(report, request), pdf.epw):
        pdf.cell(0, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    for t in tables:
        pdf.set_font(FONT_FAMILY, size=11.5)
        pdf.cell(0, 8, str(t.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT_FAMILY, size=8.5)
        if t.note:
            for line in wrap_text(pdf, str(t.note), pdf.epw):
                pdf.cell(0, 4.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if not t.rows:
            pdf.cell(0, 6, _g("Nothing to show."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2)
            continue
        align = tuple(
            "RIGHT" if c.kind in ("int", "money", "percent") else "LEFT" for c in t.columns
        )
        with pdf.table(
            text_align=align,
            headings_style=FontFace(emphasis="", fill_color=(235, 235, 235)),
            line_height=5,
            width=pdf.epw,
        ) as table:
            table.row([str(c.label) for c in t.columns])
            for row in table_rows(t):
                table.row(["" if v is None else str(v) for v in row])
        pdf.ln(4)
    return bytes(pdf.output())


def describe_request(report: Report, request: ReportRequest) -> str:
    parts = [_g("As of %(day)s") % {"day": request.as_of.isoformat()}]
    if request.date_from and request.date_to:
        parts.append(
            _g("period %(start)s – %(end)s")
            % {"start": request.date_from.isoformat(), "end": request.date_to.isoformat()}
        )
    labels = {p.name: str(p.label) for p in report.params}
    for name, value in request.options.items():
        parts.append(f"{labels.get(name, name)}: {value}")
    return "; ".join(parts)


def report_file(report: Report, request: ReportRequest, data: dict, fmt: str) -> bytes:
    if fmt == "json":
        return as_json(data)
    if fmt == "csv":
        return as_csv(report, data)
    if fmt == "xlsx":
        return as_xlsx(report, data)
    if fmt == "pdf":
        return as_pdf(report, request, data)
    raise ValueError(fmt)


def file_name(report: Report, request: ReportRequest, fmt: str) -> str:
    return f"{report.name}-{request.as_of.isoformat()}.{fmt}"
