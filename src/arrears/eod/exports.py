"""The daily snapshot as a file: one row per loan, amounts in yuan with two decimals."""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO, TextIO

from django.db import connection

from arrears.core import spreadsheets
from arrears.core.money import fen_to_yuan

HEADER = [
    "loan_id",
    "dpd",
    "bucket",
    "classification",
    "overdue_principal",
    "overdue_interest",
    "penalty",
    "fees",
    "outstanding_principal",
    "total_due",
    "limitation_deadline",
    "time_barred",
    # The day the loan was written off (核销), when on or before the snapshot's day: the
    # row's figures are then the loan's own (still owed), outside the book's totals
    # (docs/writeoff.md). Blank for a loan on the book.
    "written_off_on",
]
_SQL = (
    "SELECT l.external_id, s.dpd, s.bucket, s.classification, s.overdue_principal_fen,"
    " s.overdue_interest_fen, s.penalty_fen, s.fees_fen, s.outstanding_principal_fen,"
    " s.total_due_fen, s.limitation_deadline, s.time_barred,"
    " CASE WHEN l.written_off_on <= s.as_of THEN l.written_off_on END"
    " FROM eod_loansnapshot s JOIN book_loan l ON l.id = s.loan_id"
    " WHERE s.as_of = %s ORDER BY l.external_id"
)
_MONEY = slice(4, 10)


def snapshot_rows(as_of: dt.date):
    """The export rows of a day's snapshot, streamed (no whole-table list in memory)."""
    with connection.cursor() as cur:
        cur.execute(_SQL, [as_of])
        while True:
            batch = cur.fetchmany(10_000)
            if not batch:
                break
            for row in batch:
                row = list(row)
                row[_MONEY] = [fen_to_yuan(v) for v in row[_MONEY]]
                deadline = row[10]
                row[10] = deadline.isoformat() if hasattr(deadline, "isoformat") else deadline
                row[11] = bool(row[11])
                off = row[12]
                row[12] = off.isoformat() if hasattr(off, "isoformat") else (off or "")
                yield row


def export_snapshot(*, as_of: dt.date, fmt: str, out: TextIO | BinaryIO) -> int:
    """Write the snapshot of `as_of` as csv (text stream) or xlsx (binary stream); return rows.

    Through the one safe writer (core.spreadsheets): a loan ID never runs as a formula.
    """
    if fmt == "csv":

        def csv_rows():
            for row in snapshot_rows(as_of):
                row[_MONEY] = [f"{v:.2f}" for v in row[_MONEY]]
                yield row

        return spreadsheets.write_csv(HEADER, csv_rows(), out)
    if fmt == "xlsx":

        def xlsx_rows():
            for row in snapshot_rows(as_of):
                if row[10] is not None:
                    row[10] = dt.date.fromisoformat(row[10])
                yield row

        return spreadsheets.write_xlsx(
            HEADER, xlsx_rows(), out, title=f"snapshot {as_of.isoformat()}"
        )
    raise ValueError(f"unknown format {fmt!r} (csv or xlsx)")


def snapshot_export_rows(*, as_of: dt.date | None = None, user=None, **_):
    """Rows for `arrears export snapshot`: the day's snapshot, limited to the user's scope.

    Without --as-of, the latest completed run's day. Values are Decimal yuan, dates and
    booleans ('true'/'false' in CSV), ordered by loan ID.
    """
    from arrears.core.scoping import loans_for
    from arrears.eod.models import LoanSnapshot
    from arrears.eod.selectors import eod_latest_run
    from arrears.ingest.exports import ExportError

    if as_of is None:
        run = eod_latest_run()
        if run is None:
            raise ExportError("no end-of-day run yet: run `arrears eod` first or give --as-of")
        as_of = run.as_of
    qs = LoanSnapshot.objects.filter(as_of=as_of)
    if not qs.exists():
        from arrears.eod.retention import snapshot_days_kept

        raise ExportError(
            f"no snapshot of {as_of.isoformat()}: end-of-day did not run that day, or its daily"
            f" snapshot is gone (daily snapshots are kept {snapshot_days_kept()} days,"
            " month-ends for good)"
        )
    if user is not None:
        qs = qs.filter(loan_id__in=loans_for(user).values("id"))
    fields = (
        "loan__external_id",
        "dpd",
        "bucket",
        "classification",
        "overdue_principal_fen",
        "overdue_interest_fen",
        "penalty_fen",
        "fees_fen",
        "outstanding_principal_fen",
        "total_due_fen",
        "limitation_deadline",
        "time_barred",
        "loan__written_off_on",
    )
    for row in qs.order_by("loan__external_id").values_list(*fields).iterator(chunk_size=5000):
        yield (
            *row[:4],
            *(fen_to_yuan(v) for v in row[_MONEY]),
            row[10],
            "true" if row[11] else "false",
            row[12] if row[12] is not None and row[12] <= as_of else "",
        )


def register_snapshot_export() -> None:
    """Make `arrears export snapshot` available (called from EodConfig.ready)."""
    from arrears.ingest.exports import AS_OF_ARGUMENT, Exporter, register

    register(
        Exporter(
            name="snapshot",
            help="one day's end-of-day snapshot: DPD, bucket, class, balances, limitation",
            columns=tuple(HEADER),
            rows=snapshot_export_rows,
            arguments=(AS_OF_ARGUMENT,),
        )
    )
