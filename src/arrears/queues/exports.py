"""`arrears export queues --as-of DATE`: one row per queue entry (ingest.exports registry);
and the coverage page's per-person figures as CSV or XLSX (`coverage_export`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from arrears.ingest.exports import AS_OF_ARGUMENT, STREAM_CHUNK, Exporter

COLUMNS = (
    "user",
    "position",
    "case_id",
    "loan_id",
    "segment",
    "step",
    "channel",
    "priority",
    "amount_due",
    "probability",
    "minutes",
    "day",
)


def queue_rows(*, user=None, as_of: dt.date | None = None, **_) -> Iterator[tuple]:
    """The queues of day `as_of` (default today), person by person, position 1 first; a user
    exports the queues they may see (queues.selectors.queue_owner_q)."""
    from arrears.core.dates import local_today
    from arrears.core.money import fen_to_yuan
    from arrears.queues.models import QueueEntry
    from arrears.queues.selectors import queue_owner_q

    day = as_of or local_today()
    qs = QueueEntry.objects.filter(on=day)
    if user is not None:
        qs = qs.filter(queue_owner_q(user))
    for row in (
        qs.order_by("user__username", "position")
        .values_list(
            "user__username",
            "position",
            "case_id",
            "loan__external_id",
            "segment",
            "step",
            "channel",
            "priority",
            "amount_due_fen",
            "probability",
            "minutes",
            "on",
        )
        .iterator(chunk_size=STREAM_CHUNK)
    ):
        *head, amount, prob, minutes, on = row
        yield (*head, fen_to_yuan(amount), prob, minutes, on)


QUEUE_EXPORTER = Exporter(
    name="queues",
    help="the day's work queues: one row per entry, position 1 first",
    columns=COLUMNS,
    rows=queue_rows,
    arguments=(AS_OF_ARGUMENT,),
)


# --------------------------------------------------------------------------- the coverage page

COVERAGE_COLUMNS = (
    "day",
    "user",
    "name",
    "role",
    "team",
    "capacity",
    "entries",
    "done",
    "remaining",
    "left_out",
    "suspended",
    "absent",
)
COVERAGE_FORMATS = ("csv", "xlsx")


@dataclass
class CoverageExport:
    """A prepared coverage file: `chunks` yields its bytes; `rows` people are in it."""

    filename: str
    content_type: str
    rows: int
    chunks: Iterator[bytes]


def coverage_export(
    *,
    user,
    on: dt.date,
    team_id: int | None = None,
    fmt: str = "csv",
    source: str = "web",
    ip: str | None = None,
) -> CoverageExport:
    """The coverage page's rows and totals (queues.selectors.queue_coverage) as CSV or XLSX,
    through core.spreadsheets; audited as `queue.coverage_export`."""
    from django.db import transaction
    from django.utils.translation import gettext as _

    from arrears.core.audit import audit_record
    from arrears.core.services import file_chunks, table_csv_chunks, table_xlsx_file
    from arrears.core.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
    from arrears.queues.errors import QueueError
    from arrears.queues.selectors import may_oversee, queue_coverage

    if not may_oversee(user):
        raise QueueError(_("Your role does not oversee the queues."), code="forbidden")
    if fmt not in COVERAGE_FORMATS:
        raise QueueError(
            _("Choose one of: %(codes)s.") % {"codes": ", ".join(COVERAGE_FORMATS)},
            field="format",
        )
    coverage = queue_coverage(user=user, on=on, team_id=team_id)
    with transaction.atomic():
        audit_record(
            actor=user,
            event="queue.coverage_export",
            object_type="queues.QueueEntry",
            after={"format": fmt, "day": on, "team": team_id, "rows": len(coverage.rows)},
            source=source,
            ip=ip,
        )
    rows = [
        [
            on,
            r.username,
            r.name,
            r.role,
            r.team,
            r.capacity,
            r.entries,
            r.done,
            r.remaining,
            r.left_out,
            r.suspended,
            r.absent,
        ]
        for r in [*coverage.rows, coverage.totals]
    ]
    rows[-1][1] = "total"
    name = f"queue-coverage-{on:%Y%m%d}"
    if fmt == "csv":
        return CoverageExport(
            f"{name}.csv", CSV_CONTENT_TYPE, len(rows), table_csv_chunks(COVERAGE_COLUMNS, rows)
        )
    return CoverageExport(
        f"{name}.xlsx",
        XLSX_CONTENT_TYPE,
        len(rows),
        file_chunks(table_xlsx_file("coverage", COVERAGE_COLUMNS, rows)),
    )
