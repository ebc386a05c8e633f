"""`arrears import activities FILE`: call records from a dialer or a spreadsheet.

Same rules as the other imports (ingest/services.py, docs/imports.md): CSV (UTF-8, BOM, GBK) or
XLSX, English or Chinese headers, every problem reported as `row N, column C: reason (value)`,
nothing written if any row is wrong (unless --skip-invalid), and idempotent by the call ID
(stored as the activity's `import_key`: the same file twice adds nothing).

Each row goes through the checks of `activities.services.activity_log` (the same helpers) and
the act-time compliance check of the case's rule pack: the rows of one borrower are judged in
time order, each against the attempts already in the database *and* the earlier rows of the
file, so a file cannot carry a 4th connected call of a day past the rule. A refused row is a
row error naming the rule id. The valid rows are then written in bulk with one audit entry.

The kind registers itself with the ingest registries (readers.FIELDS, validators.PARSERS,
errors.MESSAGES, services.IMPORTERS) from ActivitiesConfig.ready().
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from arrears.activities import services as svc
from arrears.activities.errors import TIME_RULE_KINDS, ActivityInvalid
from arrears.activities.facts import base_facts, borrower_attempts
from arrears.activities.models import (
    CONNECTED_OUTCOMES,
    Activity,
    Channel,
    DefaultReason,
    Direction,
    Outcome,
    Purpose,
    Source,
)
from arrears.compliance import rules
from arrears.ingest.readers import Cell, Field, Table, cell_text

KIND = "activities"

FIELDS = (
    Field("call_id", ("通话编号", "呼叫编号", "话单编号", "通话ID", "记录编号", "call ID"), True),
    Field("loan_id", ("贷款编号", "借据号", "借据编号", "合同编号"), True),
    Field("occurred_at", ("时间", "通话时间", "呼叫时间", "开始时间", "联系时间"), True),
    Field("outcome", ("结果", "通话结果", "催收结果", "联系结果"), True),
    Field("channel", ("渠道", "联系方式", "方式")),
    Field("direction", ("方向", "呼叫方向", "呼叫类型")),
    Field("number", ("号码", "电话", "电话号码", "被叫号码", "联系电话")),
    Field("contact", ("联系人", "联系对象", "对象")),
    Field("duration_seconds", ("时长", "通话时长", "duration")),
    Field("reason", ("逾期原因", "原因", "default_reason")),
    Field("purpose", ("目的", "联系目的")),
    Field("note", ("备注", "摘要", "说明")),
    Field("participants", ("外访人数", "人数")),
    Field("recording_ref", ("录音编号", "录像编号", "录音录像", "recording")),
    Field("agent", ("坐席", "催收员", "坐席账号", "agent username", "username")),
)

MESSAGES = {
    "activity_not_a_datetime": (
        "not a date and time (write 2026-11-28 14:30, 2026/11/28 14:30:05 or "
        "2026-11-28T14:30+08:00)"
    ),
    "activity_unknown_outcome": (
        "unknown outcome (right_party_contact 本人接通, third_party 第三方接听, no_answer 无人接听, "
        "busy 忙线, wrong_number 错号, number_invalid 空号, promise_to_pay 承诺还款, refusal 拒绝还款, "
        "dispute_raised 提出异议, claims_paid 声称已还, hardship 经济困难, reported_deceased 报告死亡, "
        "moved_away 已搬离, other 其他)"
    ),
    "activity_unknown_channel": (
        "unknown channel (call 电话, sms 短信, letter 信函, visit 外访, email 邮件, other 其他)"
    ),
    "activity_unknown_direction": "unknown direction (outbound 呼出, inbound 呼入)",
    "activity_unknown_reason": (
        "unknown reason for the default (negligence 疏忽, dispute 争议, lack_of_funds 资金困难, "
        "willful 恶意拖欠, deceased 死亡, unreachable 失联, fraud 欺诈, other 其他)"
    ),
    "activity_unknown_purpose": "unknown purpose (collect 催收, locate 查找, complaint 投诉)",
    "activity_not_a_duration": "not a duration (seconds, or m:ss / h:mm:ss)",
    "activity_duplicate": (
        "call ID appears more than once in this file with different values (first on row {first})"
    ),
    "activity_conflict": (
        "call ID was already imported with different values ({loan}, {occurred_at}, {outcome})"
    ),
    "activity_no_case": (
        "loan {loan} has no open case, nor one closed in the last {days} days, to log it on"
    ),
    "activity_unknown_agent": "no such user",
    "activity_agent_may_not": "user {user} ({role}) may not record activities",
    "activity_unknown_contact": (
        "no contact or guarantor of this name for loan {loan} (write the name as on file, or "
        "本人 for the borrower)"
    ),
    "activity_invalid": "{detail}",
    "activity_refused": "refused by rule {rule}: {reason}",
}


# ------------------------------------------------------------------------------ cell parsers


def _field_error(code: str, **params):
    from arrears.ingest.validators import FieldError

    return FieldError(code, **params)


def _key(value: Cell) -> str:
    return re.sub(r"[\s\-]+", "_", cell_text(value).strip()).casefold()


def _chooser(choices: type, words: dict[str, str], code: str):
    table = {v: v for v in choices.values}
    table.update({_key(k): v for k, v in words.items()})

    def parse(value: Cell) -> str:
        try:
            return table[_key(value)]
        except KeyError as exc:
            raise _field_error(code) from exc

    return parse


outcome = _chooser(
    Outcome,
    {
        "本人接通": Outcome.RIGHT_PARTY_CONTACT,
        "接通本人": Outcome.RIGHT_PARTY_CONTACT,
        "本人": Outcome.RIGHT_PARTY_CONTACT,
        "rpc": Outcome.RIGHT_PARTY_CONTACT,
        "第三方接听": Outcome.THIRD_PARTY,
        "第三方": Outcome.THIRD_PARTY,
        "无人接听": Outcome.NO_ANSWER,
        "未接通": Outcome.NO_ANSWER,
        "未接": Outcome.NO_ANSWER,
        "忙线": Outcome.BUSY,
        "占线": Outcome.BUSY,
        "错号": Outcome.WRONG_NUMBER,
        "号码错误": Outcome.WRONG_NUMBER,
        "空号": Outcome.NUMBER_INVALID,
        "停机": Outcome.NUMBER_INVALID,
        "号码无效": Outcome.NUMBER_INVALID,
        "承诺还款": Outcome.PROMISE_TO_PAY,
        "ptp": Outcome.PROMISE_TO_PAY,
        "拒绝还款": Outcome.REFUSAL,
        "拒付": Outcome.REFUSAL,
        "提出异议": Outcome.DISPUTE_RAISED,
        "异议": Outcome.DISPUTE_RAISED,
        "声称已还": Outcome.CLAIMS_PAID,
        "已还款": Outcome.CLAIMS_PAID,
        "经济困难": Outcome.HARDSHIP,
        "报告死亡": Outcome.REPORTED_DECEASED,
        "已故": Outcome.REPORTED_DECEASED,
        "已搬离": Outcome.MOVED_AWAY,
        "搬走": Outcome.MOVED_AWAY,
        "其他": Outcome.OTHER,
    },
    "activity_unknown_outcome",
)
channel = _chooser(
    Channel,
    {
        "电话": Channel.CALL,
        "外呼": Channel.CALL,
        "语音": Channel.CALL,
        "短信": Channel.SMS,
        "信函": Channel.LETTER,
        "信件": Channel.LETTER,
        "外访": Channel.VISIT,
        "上门": Channel.VISIT,
        "邮件": Channel.EMAIL,
        "电子邮件": Channel.EMAIL,
        "其他": Channel.OTHER,
    },
    "activity_unknown_channel",
)
direction = _chooser(
    Direction,
    {
        "呼出": Direction.OUTBOUND,
        "外呼": Direction.OUTBOUND,
        "out": Direction.OUTBOUND,
        "呼入": Direction.INBOUND,
        "来电": Direction.INBOUND,
        "in": Direction.INBOUND,
    },
    "activity_unknown_direction",
)
reason = _chooser(
    DefaultReason,
    {
        "疏忽": DefaultReason.NEGLIGENCE,
        "忘记": DefaultReason.NEGLIGENCE,
        "争议": DefaultReason.DISPUTE,
        "不满": DefaultReason.DISPUTE,
        "资金困难": DefaultReason.LACK_OF_FUNDS,
        "无力还款": DefaultReason.LACK_OF_FUNDS,
        "恶意拖欠": DefaultReason.WILLFUL,
        "恶意": DefaultReason.WILLFUL,
        "死亡": DefaultReason.DECEASED,
        "失联": DefaultReason.UNREACHABLE,
        "欺诈": DefaultReason.FRAUD,
        "冒用": DefaultReason.FRAUD,
        "其他": DefaultReason.OTHER,
    },
    "activity_unknown_reason",
)
purpose = _chooser(
    Purpose,
    {
        "催收": Purpose.COLLECT,
        "查找": Purpose.LOCATE,
        "找人": Purpose.LOCATE,
        "投诉": Purpose.COMPLAINT,
    },
    "activity_unknown_purpose",
)

_DATETIME = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[T\s]+(\d{1,2})[:：时](\d{2})(?:[:：分](\d{2})(?:\.\d+)?)?秒?)?\s*"
    r"(Z|[+-]\d{2}:?\d{2})?\s*$"
)


def business_zone() -> ZoneInfo:
    """Times written without a zone are the lender's (the dialer's clock): settings.TIME_ZONE."""
    return ZoneInfo(settings.TIME_ZONE)


def occurred_at(value: Cell) -> dt.datetime:
    if isinstance(value, dt.datetime):
        out = value
    elif isinstance(value, dt.date):
        out = dt.datetime.combine(value, dt.time(0))
    else:
        m = _DATETIME.match(cell_text(value))
        if not m:
            raise _field_error("activity_not_a_datetime")
        y, mo, d, hh, mm, ss, zone = m.groups()
        try:
            out = dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        except ValueError as exc:
            raise _field_error("impossible_date") from exc
        if zone:
            if zone == "Z":
                tz = dt.UTC
            else:
                sign = 1 if zone[0] == "+" else -1
                digits = zone[1:].replace(":", "")
                tz = dt.timezone(
                    sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
                )
            return out.replace(tzinfo=tz)
    if out.tzinfo is None:
        out = out.replace(tzinfo=business_zone())
    return out


def duration(value: Cell) -> int:
    if isinstance(value, int):
        if value < 0:
            raise _field_error("activity_not_a_duration")
        return value
    raw = cell_text(value).strip()
    raw = re.sub(r"\s*(秒|s|sec|seconds)$", "", raw, flags=re.IGNORECASE)
    if re.fullmatch(r"\d+", raw):
        return int(raw)
    parts = raw.split(":")
    if 2 <= len(parts) <= 3 and all(re.fullmatch(r"\d{1,2}", p) for p in parts[1:]):
        if re.fullmatch(r"\d+", parts[0]):
            total = 0
            for p in parts:
                total = total * 60 + int(p)
            return total
    raise _field_error("activity_not_a_duration")


def _parsers() -> dict:
    from arrears.ingest.validators import phone, text, whole_number

    return {
        "call_id": text(100),
        "loan_id": text(64),
        "occurred_at": occurred_at,
        "outcome": outcome,
        "channel": channel,
        "direction": direction,
        "number": phone,
        "contact": text(200),
        "duration_seconds": duration,
        "reason": reason,
        "purpose": purpose,
        "note": text(svc.NOTE_MAX),
        "participants": whole_number,
        "recording_ref": text(svc.RECORDING_REF_MAX),
        "agent": text(150),
    }


def register() -> None:
    """Add the `activities` kind to the ingest registries (called from AppConfig.ready)."""
    from arrears.ingest import errors, readers, services, validators

    readers.FIELDS.setdefault(KIND, FIELDS)
    validators.PARSERS.setdefault(KIND, _parsers())
    for code, text in MESSAGES.items():
        errors.MESSAGES.setdefault(code, text)
    services.IMPORTERS.setdefault(KIND, import_activities)


# ------------------------------------------------------------------------------ the import

# The column a service error is reported under, by the service's field name.
_COLUMN_OF = {
    "channel": "channel",
    "outcome": "outcome",
    "occurred_at": "occurred_at",
    "number": "number",
    "contact": "contact",
    "guarantor": "contact",
    "duration_seconds": "duration_seconds",
    "default_reason": "reason",
    "purpose": "purpose",
    "note": "note",
    "case": "loan_id",
    "direction": "direction",
    "participants": "participants",
    "recording_ref": "recording_ref",
}
BORROWER_WORDS = {"本人", "借款人", "borrower", "self"}


@dataclass
class _Row:
    row_no: int
    v: dict
    cells: list | None = None
    case: object = None
    agent: object = None
    who: svc.Who | None = None
    channel: str = Channel.CALL
    direction: str = Direction.OUTBOUND
    purpose: str = Purpose.COLLECT
    warnings: list | None = None

    def cell(self, table: Table, name: str) -> str:
        """A cell as written in the file (for the error's value)."""
        index = table.columns.get(name)
        if index is None or self.cells is None or index >= len(self.cells):
            return ""
        return cell_text(self.cells[index])

    def fingerprint(self) -> tuple:
        return (self.v["loan_id"], self.v["occurred_at"], self.v["outcome"], self.channel)


def _case_for_loans(loan_ids: list[int], today: dt.date) -> dict[int, object]:
    """The case each loan's entries go on: its open case, else the latest closed within the
    grace period."""
    from arrears.cases.models import Case

    out: dict[int, object] = {}
    qs = (
        Case.objects.filter(loan_id__in=loan_ids)
        .select_related("loan", "loan__product", "borrower")
        .order_by("loan_id", "-opened_on", "-id")
    )
    for case in qs:
        if case.loan_id in out and out[case.loan_id].status == "open":
            continue
        if svc.case_takes_entries(case, today) and (
            case.loan_id not in out or case.status == "open"
        ):
            out[case.loan_id] = case
    return out


def import_activities(
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
    """Import call records; see the module docstring. Returns an ingest ImportReport.

    Row errors are English, like every import message (ingest/errors.py)."""
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
    from arrears.book.models import Contact, Guarantor, Loan
    from arrears.compliance.selectors import overridden_rules
    from arrears.core.audit import audit_record
    from arrears.core.dates import local_today
    from arrears.core.models import User
    from arrears.ingest.errors import RowError
    from arrears.ingest.services import _lookup, _open, _Run

    register()
    run = _Run(
        KIND,
        _open(KIND, path, table),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        progress=progress,
    )
    report = run.report
    today = local_today()
    now = timezone.now()

    def err(row_no: int, field: str, code: str, value: str = "", **params) -> None:
        run.error(RowError(row_no, run.col(field), code, value, params))

    # 1. Rows, and call IDs repeated in the file.
    rows: list[_Row] = []
    seen: dict[str, _Row] = {}
    repeats = 0
    for row_no, v, ok, cells in run.rows():
        if not ok:
            continue
        row = _Row(row_no, v, cells=list(cells), channel=v["channel"] or Channel.CALL)
        row.direction = v["direction"] or Direction.OUTBOUND
        row.purpose = v["purpose"] or Purpose.COLLECT
        first = seen.get(v["call_id"])
        if first is None:
            seen[v["call_id"]] = row
            rows.append(row)
        elif first.fingerprint() == row.fingerprint():
            repeats += 1
        else:
            err(row_no, "call_id", "activity_duplicate", v["call_id"], first=first.row_no)

    # 2. Against the book: loans, their cases, agents, call IDs already imported.
    loans = _lookup(Loan.objects.all(), "external_id", (r.v["loan_id"] for r in rows), ("id",))
    cases = _case_for_loans([x["id"] for x in loans.values()], today)
    agents = {
        u.username: u
        for u in User.objects.filter(username__in={r.v["agent"] for r in rows if r.v["agent"]})
    }
    existing = {
        a["import_key"]: a
        for a in Activity.objects.filter(import_key__in=list(seen)).values(
            "import_key", "loan__external_id", "occurred_at", "outcome", "channel"
        )
    }
    borrower_ids = {c.borrower_id for c in cases.values()}
    contacts: dict[int, list] = defaultdict(list)
    for c in Contact.objects.filter(borrower_id__in=borrower_ids):
        contacts[c.borrower_id].append(c)
    guarantors: dict[int, list] = defaultdict(list)
    for g in Guarantor.objects.filter(loan_id__in=[c.loan_id for c in cases.values()]):
        guarantors[g.loan_id].append(g)
    packs: dict[int, object] = {}

    new: list[_Row] = []
    for row in rows:
        v = row.v
        old = existing.get(v["call_id"])
        if old is not None:
            same = (
                old["loan__external_id"] == v["loan_id"]
                and old["occurred_at"] == v["occurred_at"]
                and old["outcome"] == v["outcome"]
                and old["channel"] == row.channel
            )
            if same:
                report.unchanged += 1
            else:
                err(
                    row.row_no,
                    "call_id",
                    "activity_conflict",
                    v["call_id"],
                    loan=old["loan__external_id"],
                    occurred_at=old["occurred_at"].astimezone(business_zone()).isoformat(),
                    outcome=old["outcome"],
                )
            continue
        loan = loans.get(v["loan_id"])
        if loan is None:
            err(row.row_no, "loan_id", "unknown_loan", v["loan_id"])
            continue
        row.case = cases.get(loan["id"])
        if row.case is None:
            err(
                row.row_no,
                "loan_id",
                "activity_no_case",
                v["loan_id"],
                loan=v["loan_id"],
                days=svc.CLOSED_GRACE_DAYS,
            )
            continue
        if v["agent"]:
            row.agent = agents.get(v["agent"])
            if row.agent is None:
                err(row.row_no, "agent", "activity_unknown_agent", v["agent"])
                continue
            if row.agent.is_read_only or not row.agent.can(svc.WORK_CAPABILITY):
                err(
                    row.row_no,
                    "agent",
                    "activity_agent_may_not",
                    v["agent"],
                    user=row.agent.username,
                    role=row.agent.role,
                )
                continue
        product_id = row.case.loan.product_id
        if product_id not in packs:
            packs[product_id] = svc.pack_for_case(row.case)
        try:
            _check_row(row, packs[product_id], contacts, guarantors, now)
        except ActivityInvalid as exc:
            column = _COLUMN_OF.get(exc.field or "", "call_id")
            value = cell_text(v.get(column)) if v.get(column) is not None else ""
            err(row.row_no, column, "activity_invalid", value, detail=exc.message)
            continue
        except _NoSuchContact:
            err(row.row_no, "contact", "activity_unknown_contact", v["contact"], loan=v["loan_id"])
            continue
        new.append(row)

    # 3. The rule pack, per borrower in time order, over the database's and the file's attempts.
    new = _judge(run, new, packs, overridden_rules, err)

    report.unchanged += repeats
    report.valid = len(new) + report.unchanged
    report.created = len(new)
    if run.may_write():
        with transaction.atomic():
            made = Activity.objects.bulk_create(
                [_activity(row, actor, now) for row in new], batch_size=1000
            )
            ids = [a.pk for a in made if a.pk is not None]
            if not ids and made:  # a backend that does not return keys from bulk inserts
                ids = list(
                    Activity.objects.filter(import_key__in=[r.v["call_id"] for r in new])
                    .order_by("id")
                    .values_list("id", flat=True)
                )
            report.counts["warnings"] = sum(1 for r in new if r.warnings)
            audit_record(
                actor=actor,
                event="import.activities",
                object_type="import",
                object_id=report.source,
                after={
                    "rows": report.rows,
                    "created": report.created,
                    "unchanged": report.unchanged,
                    "rejected": len(report.rejected),
                    "activities": ids,
                    **report.counts,
                },
                source=source,
            )
        report.written = True
    return run.finish(error_file)


class _NoSuchContact(Exception):
    pass


def _check_row(row: _Row, pack, contacts, guarantors, now) -> None:
    """The checks activity_log makes on one entry (raises ActivityInvalid), and who it reached."""
    v = row.v
    case = row.case
    allowed = svc.OUTCOME_CHANNELS.get(v["outcome"])
    if allowed is not None and row.channel not in allowed:
        raise ActivityInvalid(
            "outcome", f"outcome {v['outcome']} does not go with channel {row.channel}"
        )
    svc._check_time(v["occurred_at"], now)
    svc._check_whole("duration_seconds", v["duration_seconds"], 0, svc.MAX_DURATION_SECONDS)
    svc._check_whole("participants", v["participants"], 1, svc.MAX_PARTICIPANTS)
    contact = guarantor = None
    name = (v["contact"] or "").strip()
    if name and name.casefold() not in BORROWER_WORDS:
        contact = next((c for c in contacts[case.borrower_id] if c.name == name), None)
        if contact is None:
            guarantor = next((g for g in guarantors[case.loan_id] if g.name == name), None)
        if contact is None and guarantor is None:
            raise _NoSuchContact
    row.who = svc.resolve_who(
        case,
        contact=contact,
        guarantor=guarantor,
        number=v["number"] or "",
        channel=row.channel,
        pack=pack,
    )


def _judge(run, new: list[_Row], packs, overridden_rules, err) -> list[_Row]:
    if not new:
        return new
    by_borrower: dict[int, list[_Row]] = defaultdict(list)
    for row in new:
        by_borrower[row.case.borrower_id].append(row)
    until = max(r.v["occurred_at"] for r in new)
    since = min(r.v["occurred_at"] for r in new) - dt.timedelta(days=31)
    in_db = borrower_attempts(by_borrower, until=until, since=since)
    facts_of: dict[int, rules.CaseFacts] = {}
    overrides_of: dict[int, set[str]] = {}
    kept: set[int] = set()
    for borrower_id, items in by_borrower.items():
        accepted: list[rules.Attempt] = []
        for row in sorted(items, key=lambda r: (r.v["occurred_at"], r.row_no)):
            case = row.case
            if case.pk not in facts_of:
                facts_of[case.pk] = base_facts(case)
                overrides_of[case.pk] = overridden_rules(f"case:{case.pk}")
            at = row.v["occurred_at"]
            attempts = [a for a in in_db[borrower_id] if a.at <= at]
            attempts += [a for a in accepted if a.at <= at]
            attempts.sort(key=lambda a: a.at)
            facts = replace(facts_of[case.pk], attempts=tuple(attempts))
            pack = packs[case.loan.product_id]
            action = svc.build_action(
                channel=row.channel,
                at=at,
                who=row.who,
                purpose=row.purpose,
                participants=row.v["participants"],
                recording_ref=row.v["recording_ref"] or "",
                note=row.v["note"] or "",
            )
            decision = svc.judge(
                action, facts, pack, direction=row.direction, overridden=overrides_of[case.pk]
            )
            if not decision.allowed:
                kinds = svc.rule_kinds(pack)
                for o in decision.blocking:
                    time_rule = kinds.get(o.rule_id) in TIME_RULE_KINDS
                    err(
                        row.row_no,
                        "occurred_at" if time_rule else "loan_id",
                        "activity_refused",
                        row.cell(run.table, "occurred_at" if time_rule else "loan_id"),
                        rule=o.rule_id,
                        reason=o.message_en,
                    )
                continue
            row.warnings = [svc._outcome_dict(o) for o in decision.outcomes if not o.blocks]
            if row.direction == Direction.OUTBOUND:
                accepted.append(
                    svc.attempt_of_new(
                        occurred_at=at,
                        channel=row.channel,
                        who=row.who,
                        connected=_connected(row),
                        purpose=row.purpose,
                    )
                )
            kept.add(id(row))
    return [r for r in new if id(r) in kept]


def _connected(row: _Row) -> bool:
    return row.v["outcome"] in CONNECTED_OUTCOMES and row.channel in svc.CONVERSATION_CHANNELS


def _activity(row: _Row, actor, now) -> Activity:
    v = row.v
    who = row.who
    agent = row.agent or actor
    return Activity(
        case=row.case,
        loan_id=row.case.loan_id,
        borrower_id=row.case.borrower_id,
        channel=row.channel,
        direction=row.direction,
        target_kind=who.kind,
        contact=who.contact,
        guarantor=who.guarantor,
        relation=who.relation,
        number=who.number,
        purpose=row.purpose,
        occurred_at=v["occurred_at"],
        duration_seconds=v["duration_seconds"],
        outcome=v["outcome"],
        connected=_connected(row),
        default_reason=v["reason"] or "",
        note=v["note"] or "",
        participants=v["participants"],
        recording_ref=v["recording_ref"] or "",
        source=Source.IMPORT,
        import_key=v["call_id"],
        created_by=agent if agent is not None and agent.pk else None,
        created_at=now,
        warnings=row.warnings or [],
    )
