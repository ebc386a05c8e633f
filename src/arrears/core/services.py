"""Exporting the audit trail (CSV or XLSX) and checking its chain on request — both audited."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from arrears.core.audit import ChainReport, audit_record, audit_verify
from arrears.core.models import AuditEntry, User
from arrears.core.selectors import AuditFilters, audit_entries, local_time

EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_COLUMNS = (
    "id",
    "at",
    "actor",
    "event",
    "object_type",
    "object_id",
    "before",
    "after",
    "source",
    "ip",
    "prev_hash",
    "hash",
)
# One sheet of Excel holds 1,048,576 rows, the heading included.
XLSX_MAX_ROWS = 1_048_575
STREAM_CHUNK = 2000


class AuditExportError(ValueError):
    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class AuditExport:
    """A prepared export: `chunks` yields the file's bytes; `rows` entries are in it."""

    filename: str
    content_type: str
    rows: int
    chunks: Iterator[bytes]


def _json(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)


def spreadsheet_text(value: str) -> str:
    """`value` made safe for a CSV or XLSX cell.

    A spreadsheet runs a cell that starts with =, +, - or @ as a formula; the trail holds
    text typed by strangers (user names tried at sign-in), so such text is quoted.
    """
    if value and value[0] in "=+-@\t\r" and not (value[0] == "-" and value[1:2].isdigit()):
        return "'" + value
    return value


_cell = spreadsheet_text


def _rows(qs) -> Iterator[list[str]]:
    for e in qs.iterator(chunk_size=STREAM_CHUNK):
        yield [
            str(e.id),
            local_time(e.at).isoformat(),
            _cell(e.actor_name),
            _cell(e.event),
            _cell(e.object_type),
            _cell(e.object_id),
            _cell(_json(e.before)),
            _cell(_json(e.after)),
            _cell(e.source),
            e.ip or "",
            e.prev_hash,
            e.hash,
        ]


def table_csv_chunks(header, rows) -> Iterator[bytes]:
    """A CSV file (UTF-8 with a BOM, so Excel reads Chinese) of `header` and `rows` (lists of
    text already made safe with `spreadsheet_text`), yielded in pieces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        if n % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def table_xlsx_file(title: str, header, rows) -> IO[bytes]:
    """An XLSX file of one sheet: `header` and `rows`, every cell text (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title)
    ws.append(list(header))
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # never a formula, whatever the text
            cells.append(cell)
        ws.append(cells)
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    wb.save(out)
    out.seek(0)
    return out


def _csv_chunks(qs) -> Iterator[bytes]:
    return table_csv_chunks(EXPORT_COLUMNS, _rows(qs))


def _xlsx_file(qs) -> IO[bytes]:
    return table_xlsx_file("audit", EXPORT_COLUMNS, _rows(qs))


def file_chunks(fh: IO[bytes]) -> Iterator[bytes]:
    with fh:
        while chunk := fh.read(64 * 1024):
            yield chunk


def audit_export(
    *,
    user: User,
    filters: AuditFilters,
    fmt: str = "csv",
    source: str = "web",
    ip: str | None = None,
) -> AuditExport:
    """The filtered entries, oldest first, as CSV or XLSX; writes `audit.export`.

    The export covers the entries up to the newest one at the time of asking, so its own
    entry (written here, in the same transaction as the count) and anything appended while
    the file streams are not in it: the row count in the audit entry is exact.
    """
    if fmt not in EXPORT_FORMATS:
        raise AuditExportError("format", f"format must be one of {', '.join(EXPORT_FORMATS)}")
    qs = audit_entries(user=user, filters=filters)
    with transaction.atomic():
        up_to = AuditEntry.objects.aggregate(m=Max("id"))["m"] or 0
        qs = qs.filter(id__lte=up_to).order_by("id")
        count = qs.count()
        if fmt == "xlsx" and count > XLSX_MAX_ROWS:
            raise AuditExportError(
                "format",
                f"{count} entries do not fit one spreadsheet ({XLSX_MAX_ROWS} rows at most): "
                "narrow the filters or export CSV",
            )
        audit_record(
            actor=user,
            event="audit.export",
            object_type="audit",
            after={"format": fmt, "rows": count, "up_to_id": up_to, "filters": filters.as_dict()},
            source=source,
            ip=ip,
        )
    stamp = local_time(timezone.now()).strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        return AuditExport(f"audit-{stamp}.csv", "text/csv; charset=utf-8", count, _csv_chunks(qs))
    return AuditExport(
        f"audit-{stamp}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        count,
        file_chunks(_xlsx_file(qs)),
    )


def audit_verify_record(*, user: User, source: str = "web", ip: str | None = None) -> ChainReport:
    """Check the whole chain now and write the result as an `audit.verify` entry.

    The entry is the record an auditor (or the page, for a trail too long to check on every
    visit) reads back: who checked, when, and what was found.
    """
    report = audit_verify()
    audit_record(
        actor=user,
        event="audit.verify",
        object_type="audit",
        after={
            "ok": report.ok,
            "checked": report.checked,
            "first_bad_id": report.first_bad_id,
            "problem": report.problem,
        },
        source=source,
        ip=ip,
    )
    return report


@dataclass(frozen=True)
class ChainStatus:
    """What the audit page shows about the chain: a report, and whether it is fresh."""

    report: ChainReport | None
    live: bool
    checked_at: object = None  # datetime of the recorded check, when not live
    checked_by: str = ""


def audit_chain_status(*, live_max: int) -> ChainStatus:
    """Check the chain now when it is short enough; otherwise the last recorded check."""
    newest = AuditEntry.objects.aggregate(m=Max("id"))["m"] or 0
    if newest <= live_max:
        return ChainStatus(audit_verify(), live=True)
    last = AuditEntry.objects.filter(event="audit.verify").order_by("-id").first()
    if last is None or not isinstance(last.after, dict):
        return ChainStatus(None, live=False)
    a = last.after
    report = ChainReport(
        bool(a.get("ok")), int(a.get("checked") or 0), a.get("first_bad_id"), a.get("problem", "")
    )
    return ChainStatus(report, live=False, checked_at=last.at, checked_by=last.actor_name)
