"""`arrears import agency-payments FILE`: the payments agencies report (回款核对).

Columns: `payment_id` (the agency's 流水号), `loan_id`, `paid_on`, `amount`, `agency` (the
agency's name) and `reference` (the bank or channel reference, optional). Same rules as the
other imports (docs/imports.md): CSV or XLSX, English or Chinese headers, every problem a row
error naming row, column and reason, nothing written if any row is wrong (unless
--skip-invalid), --dry-run counts. Idempotent: a payment ID the agency reported before with
the same figures is `unchanged`; with other figures it is a row error.

Each new row is matched against the lender's own payments (services.match_reports); exact
matches are confirmed at once, the others are listed for a manager (docs/agencies.md).
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils import translation

from arrears.ingest.readers import Field

KIND = "agency-payments"

FIELDS = (
    Field("payment_id", ("流水号", "回款流水号", "交易流水号"), True),
    Field("loan_id", ("贷款编号", "借据号", "借据编号"), True),
    Field("paid_on", ("还款日期", "回款日期", "交易日期"), True),
    Field("amount", ("金额", "回款金额", "还款金额"), True),
    Field("agency", ("委外机构", "机构", "机构名称"), True),
    Field("reference", ("参考号", "银行流水号", "凭证号")),
)

MESSAGES = {
    "unknown_agency": "no such agency",
    "not_your_agency": "an agency user imports only their own agency's payments",
    "not_placed": "loan {loan} was not placed with {agency} on {day}",
    "reported_differently": (
        "payment {id} was reported before with other figures ({loan}, {day}, {amount})"
    ),
    "duplicate_agency_payment": "payment {id} is listed twice (first on row {first})",
}


def _parsers() -> dict:
    from arrears.ingest.validators import date_, identifier, positive_money, text

    return {
        "payment_id": identifier,
        "loan_id": identifier,
        "paid_on": date_,
        "amount": positive_money,
        "agency": text(200),
        "reference": text(64),
    }


def register() -> None:
    """Add the `agency-payments` kind to the ingest registries (AgenciesConfig.ready)."""
    from arrears.ingest import errors, readers, services, validators

    readers.FIELDS.setdefault(KIND, FIELDS)
    validators.PARSERS.setdefault(KIND, _parsers())
    for code, text in MESSAGES.items():
        errors.MESSAGES.setdefault(code, text)
    services.IMPORTERS.setdefault(KIND, import_agency_payments)
    try:
        from django.utils.translation import gettext_lazy as _

        from arrears.jobs.imports import UploadKind, upload_kind_register

        upload_kind_register(
            UploadKind(KIND, _("Agency payments (reconciliation)"), "agency.report")
        )
    except ImportError:  # pragma: no cover - the jobs app is always installed
        pass


def import_agency_payments(
    *,
    path: str | Path | None = None,
    table=None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    error_file: str | Path | None = None,
    actor=None,
    source: str = "cli",
    progress: bool = False,
):
    """Import reported agency payments; see the module docstring. `created` = new reports,
    `unchanged` = reported before with the same figures; counts: confirmed, to_check."""
    with translation.override("en"):
        return _import(
            path=path,
            table=table,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            error_file=error_file,
            actor=actor,
            source=source,
            progress=progress,
        )


import_agency_payments.capability = "agency.report"


def _import(*, path, table, dry_run, skip_invalid, error_file, actor, source, progress):
    from arrears.agencies import services as svc
    from arrears.agencies.errors import AgencyForbidden
    from arrears.agencies.models import AgencyPayment
    from arrears.book.models import Loan
    from arrears.core.audit import audit_record
    from arrears.core.dates import local_today
    from arrears.core.models import Agency
    from arrears.core.money import format_yuan
    from arrears.core.roles import Role
    from arrears.ingest.errors import RowError
    from arrears.ingest.services import _lookup, _open, _Run

    run = _Run(
        KIND,
        _open(KIND, path, table),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        progress=progress,
    )
    report = run.report
    if actor is not None and (actor.is_read_only or not actor.can(svc.REPORT)):
        raise AgencyForbidden(translation.gettext("Your role may not report agency payments."))
    rows = [(row_no, v) for row_no, v, ok, _cells in run.rows() if ok]
    today = local_today()
    agencies = {a.name: a for a in Agency.objects.filter(name__in={v["agency"] for _, v in rows})}
    loans = {
        ext: Loan(pk=d["id"], external_id=ext)
        for ext, d in _lookup(
            Loan.objects.all(), "external_id", (v["loan_id"] for _, v in rows), ("id",)
        ).items()
    }
    loan_pks = {ln.pk for ln in loans.values()}
    old = {
        (r["agency_id"], r["payment_id"]): r
        for r in AgencyPayment.objects.filter(
            agency__in=agencies.values(), payment_id__in={v["payment_id"] for _, v in rows}
        ).values(
            "agency_id",
            "payment_id",
            "loan_id",
            "paid_on",
            "amount_fen",
            "reference",
            "loan__external_id",
        )
    }
    placements: dict[int, dict] = {}
    for a in agencies.values():
        placements[a.pk] = svc.placement_covering(a.pk, loan_pks)
    seen: dict[tuple, int] = {}
    new: dict[int, list] = {}
    for row_no, v in rows:
        agency = agencies.get(v["agency"])
        if agency is None:
            run.error(RowError(row_no, run.col("agency"), "unknown_agency", v["agency"]))
            continue
        if actor is not None and actor.role == Role.AGENCY and actor.agency_id != agency.pk:
            run.error(RowError(row_no, run.col("agency"), "not_your_agency", v["agency"]))
            continue
        loan = loans.get(v["loan_id"])
        if loan is None:
            run.error(RowError(row_no, run.col("loan_id"), "unknown_loan", v["loan_id"]))
            continue
        if v["paid_on"] > today:
            run.error(RowError(row_no, run.col("paid_on"), "date_in_future", str(v["paid_on"])))
            continue
        key = (agency.pk, v["payment_id"])
        first = seen.get(key)
        if first is not None:
            run.error(
                RowError(
                    row_no,
                    run.col("payment_id"),
                    "duplicate_agency_payment",
                    v["payment_id"],
                    {"id": v["payment_id"], "first": first},
                )
            )
            continue
        seen[key] = row_no
        reference = v.get("reference") or ""
        before = old.get(key)
        if before is not None:
            if (
                before["loan_id"],
                before["paid_on"],
                before["amount_fen"],
                before["reference"],
            ) == (
                loan.pk,
                v["paid_on"],
                v["amount"],
                reference,
            ):
                report.valid += 1
                report.unchanged += 1
                continue
            run.error(
                RowError(
                    row_no,
                    run.col("payment_id"),
                    "reported_differently",
                    v["payment_id"],
                    {
                        "id": v["payment_id"],
                        "loan": before["loan__external_id"],
                        "day": before["paid_on"],
                        "amount": format_yuan(before["amount_fen"]),
                    },
                )
            )
            continue
        if svc.covering(placements[agency.pk].get(loan.pk, []), v["paid_on"]) is None:
            run.error(
                RowError(
                    row_no,
                    run.col("loan_id"),
                    "not_placed",
                    v["loan_id"],
                    {"loan": v["loan_id"], "agency": agency.name, "day": v["paid_on"]},
                )
            )
            continue
        report.valid += 1
        new.setdefault(agency.pk, []).append(
            svc.ReportRow(row_no, v["payment_id"], loan, v["paid_on"], v["amount"], reference)
        )
    report.created = sum(len(r) for r in new.values())
    if run.may_write() and new:
        by_pk = {a.pk: a for a in agencies.values()}
        with transaction.atomic():
            for agency_pk, agency_rows in new.items():
                svc.reports_record(
                    agency=by_pk[agency_pk],
                    rows=agency_rows,
                    placements=placements[agency_pk],
                    actor=actor,
                    source="import",
                )
            audit_record(
                actor=actor,
                event="import.agency_payments",
                object_type="import",
                object_id=report.source,
                after={
                    "rows": report.rows,
                    "created": report.created,
                    "unchanged": report.unchanged,
                    "rejected": len(report.rejected),
                },
                source=source,
            )
        ids = [(pk, r.payment_id) for pk, rs in new.items() for r in rs]
        statuses = AgencyPayment.objects.filter(
            agency_id__in=new.keys(), payment_id__in=[i for _, i in ids]
        ).values_list("status", flat=True)
        report.counts["confirmed"] = sum(1 for s in statuses if s == "confirmed")
        report.counts["to_check"] = sum(1 for s in statuses if s == "pending")
        report.written = True
    elif run.may_write():
        report.written = True
    return run.finish(error_file)
