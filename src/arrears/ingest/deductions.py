"""`arrears import deductions FILE`: auto-debit attempts (代扣流水) and the failed-debit fee.

A deduction file lists the auto-debit attempts a bank or payment processor made: ID
(扣款流水号), loan, date, amount attempted, result (成功/失败) and the failure reason
(失败原因, e.g. 余额不足). Same rules as the other imports (ingest/services.py,
docs/imports.md): CSV or XLSX, every problem a row error, all or nothing unless
--skip-invalid, and idempotent.

- A **failed** attempt on a loan whose product has a fee (Product.failed_deduction_fee_fen,
  扣款失败费) adds one book Charge of kind `failed_deduction`, dated the attempt date, with
  `external_ref = "deduction:<ID>"`; the loan's ledger is replayed (which marks it changed
  for the incremental end-of-day). At most one fee per loan and day: a processor that retries
  three times a day does not make three fees, and a day that already has a failed-deduction
  fee (imported or charged by hand) gets no second one.
- A **successful** attempt is counted and posts nothing: the money itself comes in through
  `arrears import payments`, so posting it here as well would count it twice.
- Importing the file again adds nothing: the charge's external_ref is unique.

A failed debit does not set the borrower's negative-credit flag: the product's
`negative_credit_on_broken_promise` is about a broken promise (the debtor's own word), not
a bank's refusal, which may be the bank's or the account's fault (docs/imports.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction

from arrears.book.models import Charge, Loan
from arrears.book.services import loans_replay
from arrears.core.audit import audit_record
from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.ingest.bulk import LOOKUP_CHUNK, chunked
from arrears.ingest.errors import RowError
from arrears.ingest.readers import Table
from arrears.ingest.services import ImportReport, _lookup, _open, _Run

KIND = "deductions"
REF_PREFIX = "deduction:"
NOTE_MAX = 200


def external_ref(deduction_id: str) -> str:
    """The Charge.external_ref of the fee a failed deduction carried."""
    return f"{REF_PREFIX}{deduction_id}"


def register() -> None:
    """Add the `deductions` kind to the import command (called from IngestConfig.ready)."""
    from arrears.ingest import services

    services.IMPORTERS.setdefault(KIND, import_deductions)


def import_deductions(
    *,
    path: str | Path | None = None,
    table: Table | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    error_file: str | Path | None = None,
    actor: User | None = None,
    source: str = "cli",
    progress: bool = False,
    today: dt.date | None = None,
) -> ImportReport:
    """Import auto-debit attempts; failed ones charge the product's fee (module docstring)."""
    run = _Run(
        KIND,
        _open(KIND, path, table),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        progress=progress,
    )
    today = today or local_today()
    report = run.report

    # 1. Rows, and deduction IDs repeated in the file.
    rows: list[tuple[int, dict]] = []
    seen: dict[str, tuple[int, tuple]] = {}
    repeats = 0
    for row_no, v, ok, _cells in run.rows():
        if not ok:
            continue
        key = (v["loan_id"], v["attempted_on"], v["amount"], v["result"])
        first = seen.get(v["deduction_id"])
        if first is None:
            seen[v["deduction_id"]] = (row_no, key)
            rows.append((row_no, v))
        elif first[1] == key:
            repeats += 1  # the same attempt listed twice: counted once
        else:
            run.error(
                RowError(
                    row_no,
                    run.col("deduction_id"),
                    "duplicate_deduction",
                    v["deduction_id"],
                    {"first": first[0]},
                )
            )

    # 2. Against the book: loans, their products' fees, fees already charged.
    loans = _lookup(
        Loan.objects.all(),
        "external_id",
        (v["loan_id"] for _, v in rows),
        ("id", "disbursed_on", "product__failed_deduction_fee_fen"),
    )
    imported = _lookup(
        Charge.objects.exclude(external_ref=""),
        "external_ref",
        (external_ref(v["deduction_id"]) for _, v in rows),
        ("loan__external_id", "charged_on"),
    )
    charged_days: set[tuple[int, dt.date]] = set()
    dates = [v["attempted_on"] for _, v in rows]
    if dates:
        for batch in chunked(sorted({x["id"] for x in loans.values()}), LOOKUP_CHUNK):
            charged_days.update(
                Charge.objects.filter(
                    loan_id__in=batch,
                    kind=Charge.Kind.FAILED_DEDUCTION,
                    charged_on__gte=min(dates),
                    charged_on__lte=max(dates),
                ).values_list("loan_id", "charged_on")
            )

    valid: list[tuple[int, dict]] = []
    for row_no, v in rows:
        loan = loans.get(v["loan_id"])
        if loan is None:
            run.error(RowError(row_no, run.col("loan_id"), "unknown_loan", v["loan_id"]))
        elif v["attempted_on"] < loan["disbursed_on"]:
            run.error(
                RowError(
                    row_no,
                    run.col("attempted_on"),
                    "deduction_before_disbursement",
                    str(v["attempted_on"]),
                    {"loan": v["loan_id"], "disbursed": loan["disbursed_on"]},
                )
            )
        if v["attempted_on"] > today:
            run.error(
                RowError(row_no, run.col("attempted_on"), "date_in_future", str(v["attempted_on"]))
            )
        old = imported.get(external_ref(v["deduction_id"]))
        if old is not None and (old["loan__external_id"], old["charged_on"], v["result"]) != (
            v["loan_id"],
            v["attempted_on"],
            False,
        ):
            run.error(
                RowError(
                    row_no,
                    run.col("deduction_id"),
                    "deduction_conflict",
                    v["deduction_id"],
                    {"loan": old["loan__external_id"], "attempted_on": old["charged_on"]},
                )
            )
        if not run.is_rejected(row_no):
            valid.append((row_no, v))

    # 3. What each valid row does: count it, or charge the fee (one per loan and day).
    counts = {
        "succeeded": 0,
        "failed": 0,
        "fees_charged": 0,
        "fees_fen": 0,
        "failed_without_fee": 0,
        "fee_already_charged_that_day": 0,
    }
    new: list[tuple[dict, dict]] = []  # (row values, loan)
    for _row_no, v in sorted(valid, key=lambda r: (r[1]["loan_id"], r[1]["attempted_on"], r[0])):
        if v["result"]:
            counts["succeeded"] += 1
            continue
        counts["failed"] += 1
        loan = loans[v["loan_id"]]
        if external_ref(v["deduction_id"]) in imported:
            report.unchanged += 1  # imported before: its fee is on the book
            continue
        if loan["product__failed_deduction_fee_fen"] <= 0:
            counts["failed_without_fee"] += 1
            continue
        day = (loan["id"], v["attempted_on"])
        if day in charged_days:
            counts["fee_already_charged_that_day"] += 1
            continue
        charged_days.add(day)
        new.append((v, loan))
    counts["fees_charged"] = len(new)
    counts["fees_fen"] = sum(loan["product__failed_deduction_fee_fen"] for _, loan in new)
    report.counts.update(counts)
    report.unchanged += repeats
    report.valid = len(valid) + repeats
    report.created = len(new)

    if run.may_write():
        with transaction.atomic():
            charges = Charge.objects.bulk_create(
                [_charge(v, loan) for v, loan in new], batch_size=1000
            )
            ids = [c.pk for c in charges if c.pk is not None]
            if len(ids) != len(charges):  # a backend that does not return keys from bulk inserts
                ids = list(
                    Charge.objects.filter(
                        external_ref__in=[external_ref(v["deduction_id"]) for v, _ in new]
                    )
                    .order_by("id")
                    .values_list("id", flat=True)
                )
            affected = {loan["id"] for _, loan in new}
            if affected:
                loans_replay(affected)
            report.counts["loans_replayed"] = len(affected)
            audit_record(
                actor=actor,
                event="import.deductions",
                object_type="import",
                object_id=report.source,
                after={
                    "rows": report.rows,
                    "created": report.created,
                    "unchanged": report.unchanged,
                    "rejected": len(report.rejected),
                    **report.counts,
                    "charges": ids,
                },
                source=source,
            )
        report.written = True
    return run.finish(error_file)


def _charge(v: dict, loan: dict) -> Charge:
    note = f"扣款失败 {v['deduction_id']}"
    if v["failure_reason"]:
        note += f": {v['failure_reason']}"
    return Charge(
        loan_id=loan["id"],
        kind=Charge.Kind.FAILED_DEDUCTION,
        charged_on=v["attempted_on"],
        amount_fen=loan["product__failed_deduction_fee_fen"],
        note=note[:NOTE_MAX],
        external_ref=external_ref(v["deduction_id"]),
    )
