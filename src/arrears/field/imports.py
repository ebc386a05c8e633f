"""`arrears import visits FILE`: a field team's visit sheet (外访记录表).

Columns (issue 15): visit_id, loan_id, visited_on, visited_at (optional time of day),
collector (the user who files it), participants (users separated by `;`), recording_ref,
outcome (met_borrower 见到本人, met_family 见到家属, not_home 不在家, not_found 未找到,
moved_away 已外出, refused 拒绝), notice_served (a notice number, or a boolean: the loan's
issued notice waiting to be served), notice_signed (boolean: signed, or refused to sign),
cash_principal, cash_interest, cash_penalty, receipt_no, intention_amount, intention_date,
whereabouts, needs_officials (boolean), note; optional address_found (boolean) and
person_met. Booleans: true/false, 1/0, 是/否, yes/no.

Same rules as the other imports (ingest/services.py, docs/imports.md): CSV or XLSX, English
or Chinese headers, every problem reported as `row N, column C: reason (value)`, nothing
written if any row is wrong (unless --skip-invalid), --dry-run writes nothing. Each row goes
through field.services.visit_record — the very checks of the phone page and the API,
compliance and the receipt split included — in file order by visit time, inside one
transaction with a savepoint per row; any row error rolls the whole file back. A visit sheet
is a team's week (tens of rows), so a row at a time through the one service is the right
trade: one rule, no second bulk copy of it. Idempotent by visit_id.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.db import transaction

from arrears.ingest.readers import Cell, Field, Table, cell_text

KIND = "visits"

FIELDS = (
    Field("visit_id", ("外访编号", "记录编号", "visit ID"), True),
    Field("loan_id", ("贷款编号", "借据号", "借据编号", "合同编号"), True),
    Field("visited_on", ("外访日期", "日期"), True),
    Field("visited_at", ("外访时间", "时间")),
    Field("collector", ("外访员", "填报人", "催收员")),
    Field("participants", ("外访人员", "参与人员", "同行人员")),
    Field("recording_ref", ("录音编号", "录像编号", "录音录像")),
    Field("outcome", ("外访结果", "结果"), True),
    Field("notice_served", ("送达通知书", "通知书送达", "催收通知书")),
    Field("notice_signed", ("通知书签收", "签收")),
    Field("cash_principal", ("收回本金", "现金本金")),
    Field("cash_interest", ("收回利息", "现金利息")),
    Field("cash_penalty", ("收回罚息", "现金罚息")),
    Field("receipt_no", ("收据号", "收据编号", "票据号")),
    Field("intention_amount", ("还款意向金额", "意向金额")),
    Field("intention_date", ("还款意向日期", "意向日期")),
    Field("whereabouts", ("去向", "下落")),
    Field("needs_officials", ("需村干部协助", "需协助")),
    Field("note", ("备注", "说明")),
    Field("address_found", ("找到地址", "地址找到")),
    Field("person_met", ("见到何人", "接触人")),
)

MESSAGES = {
    "visit_not_a_boolean": "not a yes/no (true/false, 1/0, 是/否)",
    "visit_not_a_time": "not a time of day (write 14:30)",
    "visit_unknown_outcome": (
        "unknown outcome (met_borrower 见到本人, met_family 见到家属, not_home 不在家, "
        "not_found 未找到, moved_away 已外出, refused 拒绝)"
    ),
    "visit_unknown_user": "no such user",
    "visit_duplicate": "visit ID appears more than once in this file (first on row {first})",
    "visit_invalid": "{detail}",
}

TRUE_WORDS = {"true", "1", "是", "yes", "y", "t", "已签收", "签收", "signed"}
FALSE_WORDS = {"false", "0", "否", "no", "n", "f", "拒签", "拒绝签收", "refused"}


def _field_error(code: str, **params):
    from arrears.ingest.validators import FieldError

    return FieldError(code, **params)


def boolean(value: Cell) -> bool:
    if isinstance(value, bool):
        return value
    key = cell_text(value).strip().casefold()
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise _field_error("visit_not_a_boolean")


def notice_served(value: Cell) -> str | bool:
    """A notice number (CN-2026-000012), or a yes/no."""
    if isinstance(value, bool):
        return value
    key = cell_text(value).strip()
    if key.casefold() in TRUE_WORDS:
        return True
    if key.casefold() in FALSE_WORDS:
        return False
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9\-_/]{0,19}", key):
        return key
    raise _field_error("visit_not_a_boolean")


def time_of_day(value: Cell) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    m = re.fullmatch(r"\s*(\d{1,2})[:：时](\d{2})(?:[:：分](\d{2}))?\s*秒?\s*", cell_text(value))
    if not m:
        raise _field_error("visit_not_a_time")
    try:
        return dt.time(int(m[1]), int(m[2]), int(m[3] or 0))
    except ValueError as exc:
        raise _field_error("visit_not_a_time") from exc


def outcome(value: Cell) -> str:
    from arrears.field.errors import VisitInvalid
    from arrears.field.services import outcome_of

    try:
        return outcome_of(cell_text(value))
    except VisitInvalid as exc:
        raise _field_error("visit_unknown_outcome") from exc


def _parsers() -> dict:
    from arrears.ingest.validators import date_, identifier, nonneg_money, positive_money, text

    return {
        "visit_id": identifier,
        "loan_id": identifier,
        "visited_on": date_,
        "visited_at": time_of_day,
        "collector": text(150),
        "participants": text(1000),
        "recording_ref": text(200),
        "outcome": outcome,
        "notice_served": notice_served,
        "notice_signed": boolean,
        "cash_principal": lambda v: nonneg_money(v, "payment"),
        "cash_interest": lambda v: nonneg_money(v, "payment"),
        "cash_penalty": lambda v: nonneg_money(v, "payment"),
        "receipt_no": identifier,
        "intention_amount": positive_money,
        "intention_date": date_,
        "whereabouts": text(300),
        "needs_officials": boolean,
        "note": text(5000),
        "address_found": boolean,
        "person_met": text(100),
    }


def register() -> None:
    """Add the `visits` kind to the ingest registries (called from FieldConfig.ready)."""
    from arrears.ingest import errors, readers, services, validators

    readers.FIELDS.setdefault(KIND, FIELDS)
    validators.PARSERS.setdefault(KIND, _parsers())
    for code, message in MESSAGES.items():
        errors.MESSAGES.setdefault(code, message)
    services.IMPORTERS.setdefault(KIND, import_visits)


# The column a service error is reported under, by the service's field name.
_COLUMN_OF = {
    "visit_id": "visit_id",
    "loan_id": "loan_id",
    "visited_on": "visited_on",
    "visited_at": "visited_at",
    "occurred_at": "visited_at",
    "collector": "collector",
    "participants": "participants",
    "recording_ref": "recording_ref",
    "outcome": "outcome",
    "notice_served": "notice_served",
    "notice_signed": "notice_signed",
    "cash_principal": "cash_principal",
    "cash_interest": "cash_interest",
    "cash_penalty": "cash_penalty",
    "receipt_no": "receipt_no",
    "intention_amount": "intention_amount",
    "intention_date": "intention_date",
    "whereabouts": "whereabouts",
    "note": "note",
}


# Who may import a visit sheet: whoever records visits (`arrears import --user`, the upload).
CAPABILITY = "case.work"


class _Rollback(Exception):
    pass


def import_visits(
    *,
    path: str | Path | None = None,
    table: Table | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    error_file: str | Path | None = None,
    actor=None,
    source: str = "cli",
    progress: bool = False,
):
    """Import a visit sheet; see the module docstring. Returns an ingest ImportReport."""
    from django.utils import translation

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


def _import(*, path, table, dry_run, skip_invalid, error_file, actor, source, progress):
    from arrears.book.models import Loan
    from arrears.core.audit import audit_record
    from arrears.core.models import User
    from arrears.field.errors import VisitInvalid
    from arrears.field.models import Visit
    from arrears.field.services import visit_record
    from arrears.ingest.errors import RowError
    from arrears.ingest.services import _open, _Run

    register()
    run = _Run(
        KIND,
        _open(KIND, path, table),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        progress=progress,
    )
    report = run.report

    def err(row_no: int, field: str, code: str, value: str = "", **params) -> None:
        run.error(RowError(row_no, run.col(field) or field, code, value, params))

    rows: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for row_no, v, ok, _cells in run.rows():
        if not ok:
            continue
        first = seen.get(v["visit_id"])
        if first is not None:
            err(row_no, "visit_id", "visit_duplicate", v["visit_id"], first=first)
            continue
        seen[v["visit_id"]] = row_no
        rows.append((row_no, v))

    loans = {
        loan.external_id: loan
        for loan in Loan.objects.select_related("borrower", "product").filter(
            external_id__in={v["loan_id"] for _n, v in rows}
        )
    }
    names: set[str] = set()
    for _n, v in rows:
        if v["collector"]:
            names.add(v["collector"])
        names.update(p.strip() for p in re.split(r"[;；,，]", v["participants"] or "") if p.strip())
    users = {u.username: u for u in User.objects.filter(username__in=names)}

    ready: list[tuple[int, dict, object, object, list]] = []
    for row_no, v in rows:
        loan = loans.get(v["loan_id"])
        if loan is None:
            err(row_no, "loan_id", "unknown_loan", v["loan_id"])
            continue
        collector = users.get(v["collector"]) if v["collector"] else actor
        if collector is None:
            err(row_no, "collector", "visit_unknown_user", v["collector"] or "")
            continue
        people = []
        bad = False
        for name in (p.strip() for p in re.split(r"[;；,，]", v["participants"] or "")):
            if not name:
                continue
            if name not in users:
                err(row_no, "participants", "visit_unknown_user", name)
                bad = True
                break
            people.append(users[name])
        if not bad:
            ready.append((row_no, v, loan, collector, people))

    existing = set(Visit.objects.filter(visit_id__in=list(seen)).values_list("visit_id", flat=True))
    created: list[str] = []
    ready.sort(key=lambda r: (r[1]["visited_on"], r[1]["visited_at"] or dt.time(12), r[0]))
    try:
        with transaction.atomic():
            for row_no, v, loan, collector, people in ready:
                served = v["notice_served"]
                signed = v["notice_signed"]
                try:
                    with transaction.atomic():
                        visit, made = visit_record(
                            visit_id=v["visit_id"],
                            loan=loan,
                            visited_on=v["visited_on"],
                            visited_at=v["visited_at"],
                            collector=collector,
                            participants=people,
                            recording_ref=v["recording_ref"] or "",
                            outcome=v["outcome"],
                            address_found=v["address_found"],
                            person_met=v["person_met"] or "",
                            notice_number=served if isinstance(served, str) else None,
                            notice_served=served is True or isinstance(served, str),
                            notice_signed=""
                            if signed is None
                            else ("signed" if signed else "refused"),
                            cash_principal_fen=v["cash_principal"] or 0,
                            cash_interest_fen=v["cash_interest"] or 0,
                            cash_penalty_fen=v["cash_penalty"] or 0,
                            receipt_no=v["receipt_no"] or "",
                            intention_amount_fen=v["intention_amount"],
                            intention_date=v["intention_date"],
                            whereabouts=v["whereabouts"] or "",
                            needs_officials=bool(v["needs_officials"]),
                            note=v["note"] or "",
                            actor=actor or collector,
                            source="import",
                        )
                except VisitInvalid as exc:
                    column = _COLUMN_OF.get(exc.field, "visit_id")
                    value = v.get(column)
                    err(
                        row_no,
                        column,
                        "visit_invalid",
                        "" if value is None else cell_text(value),
                        detail=exc.message,
                    )
                    continue
                if made:
                    created.append(visit.visit_id)
                else:
                    report.unchanged += 1
            report.created = len(created)
            report.valid = report.created + report.unchanged
            if not run.may_write():
                raise _Rollback
            audit_record(
                actor=actor,
                event="import.visits",
                object_type="import",
                object_id=report.source,
                after={
                    "rows": report.rows,
                    "created": report.created,
                    "unchanged": report.unchanged,
                    "rejected": len(report.rejected),
                    "visits": created,
                },
                source=source,
            )
            report.written = True
    except _Rollback:
        report.written = False
    report.counts["already_there"] = len(existing)
    return run.finish(error_file)


import_visits.capability = CAPABILITY
