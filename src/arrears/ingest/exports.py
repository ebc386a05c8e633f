"""Exports for spreadsheet users: the loan book's balances and one loan's schedule.

Each export is an `Exporter` in EXPORTERS: its columns, a generator of rows (set-based
queries, streamed) and any extra command-line arguments. `arrears export NAME` writes any of
them as CSV or XLSX; to add one (e.g. `snapshot`), write a rows function and register it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from arrears.book.models import Allocation, Borrower, Installment, Loan
from arrears.book.selectors import installment_paid_as_of, loan_totals
from arrears.core import spreadsheets
from arrears.core.audit import audit_record
from arrears.core.dates import DateError, local_today, parse_date
from arrears.core.ids import mask_id_number, mask_phone
from arrears.core.models import User
from arrears.core.money import fen_to_yuan
from arrears.core.scoping import borrowers_for, loan_scope_q, loans_for, may_reveal

FORMATS = ("csv", "xlsx")
STREAM_CHUNK = 2000


class ExportError(ValueError):
    """An export that cannot run as asked (unknown loan, format the exporter lacks, …)."""


@dataclass(frozen=True)
class Exporter:
    """One named export: columns, a rows generator taking the parsed options, extra arguments."""

    name: str
    help: str
    columns: tuple[str, ...]
    rows: Callable[..., Iterator[tuple]]
    formats: tuple[str, ...] = FORMATS
    # Extra argparse arguments: ((flags…), kwargs). Options reach `rows` as keyword arguments.
    arguments: tuple[tuple[tuple[str, ...], dict], ...] = field(default_factory=tuple)
    # Columns holding personal numbers: (column, "phone" | "id_number"). export_run masks
    # them as the pages do, unless a user allowed to (pii.export) asks for them unmasked.
    pii: tuple[tuple[str, str], ...] = ()


def _base_loans(user: User | None):
    # The CLI operator (no user) exports the whole book; a user exports what they may see.
    return Loan.objects.all() if user is None else loans_for(user)


def loan_rows(*, user: User | None = None, as_of: dt.date | None = None, **_) -> Iterator[tuple]:
    """One row per loan with paid and outstanding amounts (yuan) and the next due date."""
    today = as_of or local_today()
    # The next installment not fully paid as of today. Credit held for a future installment
    # does not count as paid until its due date (book.ledger), so it still shows as next due.
    paid_today = (
        Allocation.objects.filter(
            installment=OuterRef("pk"),
            effective_on__lte=today,
            component__in=("principal", "interest"),
        )
        .values("installment")
        .annotate(s=Sum("amount_fen"))
        .values("s")[:1]
    )
    next_due = (
        Installment.objects.filter(loan=OuterRef("pk"), due_on__gte=today)
        .annotate(paid=Coalesce(Subquery(paid_today), 0))
        .filter(paid__lt=F("principal_due_fen") + F("interest_due_fen"))
        .order_by("due_on")
        .values("due_on")[:1]
    )
    qs = (
        loan_totals(_base_loans(user), as_of=today)
        .annotate(next_due_on=Subquery(next_due))
        .order_by("external_id")
        .values_list(
            "external_id",
            "borrower__external_id",
            "principal_fen",
            "paid_principal",
            "paid_interest",
            "paid_penalty",
            "paid_fees",
            "credit_as_of",
            "next_due_on",
        )
    )
    for loan_id, borrower_id, principal, p_paid, i_paid, pen, fees, credit, due in qs.iterator(
        chunk_size=STREAM_CHUNK
    ):
        yield (
            loan_id,
            borrower_id,
            fen_to_yuan(principal),
            fen_to_yuan(principal - p_paid),
            fen_to_yuan(p_paid),
            fen_to_yuan(i_paid),
            fen_to_yuan(pen),
            fen_to_yuan(fees),
            fen_to_yuan(credit),
            due,
        )


def schedule_rows(
    *, loan: str | None = None, user: User | None = None, as_of: dt.date | None = None, **_
) -> Iterator[tuple]:
    """One loan's installments with what has been paid of each (yuan)."""
    if not loan:
        raise ExportError("--loan LOAN_ID is required for the schedule export")
    loan_pk = _base_loans(user).filter(external_id=loan).values_list("pk", flat=True).first()
    if loan_pk is None:
        raise ExportError(f"no such loan: {loan}")
    for number, due_on, p_due, i_due, p_paid, i_paid in installment_paid_as_of(
        loan_pk, as_of
    ).values_list(
        "number",
        "due_on",
        "principal_due_fen",
        "interest_due_fen",
        "principal_paid_as_of",
        "interest_paid_as_of",
    ):
        yield (
            number,
            due_on,
            fen_to_yuan(p_due),
            fen_to_yuan(i_due),
            fen_to_yuan(p_paid),
            fen_to_yuan(i_paid),
        )


def _as_of_arg(text: str) -> dt.date:
    import argparse

    try:
        return parse_date(text)
    except DateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


# Figures are as of a date (default today): paid means allocated on or before it.
AS_OF_ARGUMENT = (
    ("--as-of",),
    {"dest": "as_of", "type": _as_of_arg, "help": "figures as of this date (default today)"},
)


def borrower_rows(*, user: User | None = None, **_) -> Iterator[tuple]:
    """One row per borrower: identity, numbers (masked by export_run), region, loan count."""
    qs = (
        (Borrower.objects.all() if user is None else borrowers_for(user))
        .annotate(
            loan_count=Count(
                "loans", filter=None if user is None else loan_scope_q(user, "loans__")
            )
        )
        .order_by("external_id")
        .values_list(
            "external_id",
            "name",
            "kind",
            "id_number",
            "phone",
            "phone2",
            "province",
            "county",
            "town",
            "village",
            "address",
            "loan_count",
        )
    )
    yield from qs.iterator(chunk_size=STREAM_CHUNK)


EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    """Add an export under its name (another app may call this from its AppConfig.ready)."""
    EXPORTERS[exporter.name] = exporter
    return exporter


register(
    Exporter(
        name="loans",
        help="every loan: principal, outstanding, paid by component, credit, next due date",
        columns=(
            "loan_id",
            "borrower_id",
            "principal",
            "outstanding_principal",
            "paid_principal",
            "paid_interest",
            "paid_penalty",
            "paid_fees",
            "credit_balance",
            "next_due_on",
        ),
        rows=loan_rows,
        arguments=(AS_OF_ARGUMENT,),
    )
)
register(
    Exporter(
        name="schedule",
        help="one loan's schedule with amounts paid",
        columns=(
            "installment_no",
            "due_on",
            "principal_due",
            "interest_due",
            "principal_paid",
            "interest_paid",
        ),
        rows=schedule_rows,
        arguments=((("--loan",), {"help": "loan ID (schedule export)"}), AS_OF_ARGUMENT),
    )
)


register(
    Exporter(
        name="borrowers",
        help="every borrower: name, ID and phone numbers (masked), region, loans",
        columns=(
            "borrower_id",
            "name",
            "kind",
            "id_number",
            "phone",
            "phone2",
            "province",
            "county",
            "town",
            "village",
            "address",
            "loans",
        ),
        rows=borrower_rows,
        pii=(("id_number", "id_number"), ("phone", "phone"), ("phone2", "phone")),
    )
)

UNMASKED_CAPABILITY = "pii.export"


def _check_unmasked(exporter: Exporter, user: User | None) -> None:
    """An unmasked export needs a named user holding pii.export and may reveal every kind of
    number the export carries."""
    if user is None:
        raise ExportError(
            "an unmasked export needs a named user (--user NAME) whose role may export "
            "personal numbers"
        )
    kinds = sorted({kind for _, kind in exporter.pii})
    if not user.can(UNMASKED_CAPABILITY) or not all(may_reveal(user, k) for k in kinds):
        raise ExportError(
            f"user {user.username} ({user.role}) may not export personal numbers unmasked"
        )


def _masked(exporter: Exporter, rows: Iterator[tuple]) -> Iterator[tuple]:
    maskers = {"phone": mask_phone, "id_number": mask_id_number}
    plan = [(exporter.columns.index(col), maskers[kind]) for col, kind in exporter.pii]
    for row in rows:
        row = list(row)
        for i, mask in plan:
            row[i] = mask(row[i] or "")
        yield tuple(row)


def write_csv(columns: tuple[str, ...], rows: Iterator[tuple], out: TextIO) -> int:
    """CSV through the one safe writer (core.spreadsheets): text never runs as a formula."""
    return spreadsheets.write_csv(columns, rows, out)


def write_xlsx(columns: tuple[str, ...], rows: Iterator[tuple], path: Path, title: str) -> int:
    """XLSX through the one safe writer: exact numbers (0.00), dates, text cells as text."""
    return spreadsheets.write_xlsx(columns, rows, path, title=title)


def export_run(
    *,
    name: str,
    fmt: str = "csv",
    output: str | Path | None = None,
    stream: TextIO | None = None,
    actor: User | None = None,
    user: User | None = None,
    source: str = "cli",
    unmasked: bool = False,
    **options,
) -> int:
    """Write export `name` as CSV (to `output`, or to `stream`) or XLSX (to `output`); audit it.

    Personal numbers are masked (5101**********1234, 138****5678) for every exporter, the
    CLI operator without --user included; `unmasked` needs `user` to hold pii.export (and
    to be allowed to reveal each kind of number), and the audit entry says so.
    Returns the number of data rows written.
    """
    exporter = EXPORTERS.get(name)
    if exporter is None:
        raise ExportError(f"unknown export {name!r} (one of {', '.join(sorted(EXPORTERS))})")
    if fmt not in exporter.formats:
        raise ExportError(f"the {name} export is written as {' or '.join(exporter.formats)}")
    if fmt == "xlsx" and output is None:
        raise ExportError("XLSX goes to a file: give --output PATH")
    if output is None and stream is None:
        raise ExportError("give an output path or a stream")
    if unmasked and exporter.pii:
        _check_unmasked(exporter, user)
    rows = exporter.rows(user=user, **options)
    if exporter.pii and not unmasked:
        rows = _masked(exporter, rows)
    if fmt == "xlsx":
        count = write_xlsx(exporter.columns, rows, Path(output), name)
    elif output is not None:
        # With a BOM, Excel opens the Chinese text correctly; our importer reads it too.
        with Path(output).open("w", encoding="utf-8-sig", newline="") as fh:
            count = write_csv(exporter.columns, rows, fh)
    else:
        count = write_csv(exporter.columns, rows, stream)
    audit_record(
        actor=actor,
        event=f"export.{name}",
        object_type="export",
        object_id=str(output) if output else "stdout",
        after={
            "rows": count,
            "format": fmt,
            **({"personal_numbers": "unmasked" if unmasked else "masked"} if exporter.pii else {}),
            **{k: v for k, v in options.items() if v is not None},
        },
        source=source,
    )
    return count
