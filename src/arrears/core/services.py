"""Exporting the audit trail (CSV or XLSX) and checking its chain on request — both audited."""

from __future__ import annotations

import json
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
from arrears.core.spreadsheets import (
    XLSX_CONTENT_TYPE,
    csv_chunks,
    file_chunks,
    safe_text,
    xlsx_file,
)

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


# The one spreadsheet writer (core.spreadsheets) makes every text cell safe; these names stay
# for callers written before it.
spreadsheet_text = safe_text


def _rows(qs) -> Iterator[list]:
    for e in qs.iterator(chunk_size=STREAM_CHUNK):
        yield [
            e.id,
            local_time(e.at).isoformat(),
            e.actor_name,
            e.event,
            e.object_type,
            e.object_id,
            _json(e.before),
            _json(e.after),
            e.source,
            e.ip or "",
            e.prev_hash,
            e.hash,
        ]


def table_csv_chunks(header, rows) -> Iterator[bytes]:
    """A CSV file (UTF-8 with a BOM) of `header` and `rows`, through the safe writer."""
    return csv_chunks(header, rows)


def table_xlsx_file(title: str, header, rows) -> IO[bytes]:
    """An XLSX file of one sheet, through the safe writer (text never becomes a formula)."""
    return xlsx_file(header, rows, title=title)


def _csv_chunks(qs) -> Iterator[bytes]:
    return table_csv_chunks(EXPORT_COLUMNS, _rows(qs))


def _xlsx_file(qs) -> IO[bytes]:
    return table_xlsx_file("audit", EXPORT_COLUMNS, _rows(qs))


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
        XLSX_CONTENT_TYPE,
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
