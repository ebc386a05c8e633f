"""`arrears import assignments FILE`: assign cases (分案) from a spreadsheet.

Columns: `loan_id` (贷款编号) or `case_id` (案件编号) — at least one of the two columns, and one
value per row — then `user` (催收员, a username), `role` (collector 催收员, field_agent 外访员,
legal 法务, team 团队; blank: the user's own role, or `team` when only a team is given), `team`
(组别, a team name: required for role team) and `reason` (分案原因, required).

Same rules as the other imports (ingest/services.py, docs/imports.md): CSV (UTF-8, BOM, GBK)
or XLSX, English or Chinese headers, every problem reported as `row N, column C: reason
(value)`, nothing written if any row is wrong (unless --skip-invalid), --dry-run counts what
would move. Idempotent: a case already assigned as its row says is `unchanged`, so the same
file twice moves nothing the second time. The rows are checked as the acting user would be
on the page (a team lead: only their team's cases, to their team's people), then written
set-based through cases.assignment.cases_assign_bulk, one call per distinct (target, reason).

The kind registers itself with the ingest registries (readers.FIELDS, validators.PARSERS,
errors.MESSAGES, services.IMPORTERS) from CasesConfig.ready(); a page or the API calls
`import_assignments` with the same keywords as every importer.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from django.db import transaction
from django.utils import translation

from arrears.ingest.readers import Cell, Field, Table, cell_text

KIND = "assignments"

FIELDS = (
    Field("loan_id", ("贷款编号", "借据号", "借据编号", "合同编号")),
    Field("case_id", ("案件编号", "案件号", "案件ID", "case")),
    Field("user", ("催收员", "用户名", "账号", "人员", "username")),
    Field("role", ("角色", "岗位", "分案角色")),
    Field("team", ("组别", "团队", "小组", "催收组")),
    Field("reason", ("原因", "分案原因", "调案原因", "备注")),
)

ROLE_WORDS = {
    "collector": "collector",
    "催收员": "collector",
    "电催员": "collector",
    "电催": "collector",
    "field_agent": "field_agent",
    "外访员": "field_agent",
    "外访": "field_agent",
    "legal": "legal",
    "法务": "legal",
    "team": "team",
    "团队": "team",
    "组": "team",
    "组别": "team",
}

MESSAGES = {
    "assignment_target_column": "the file needs a loan_id (贷款编号) or a case_id (案件编号) column",
    "assignment_no_case_key": "give a loan_id or a case_id",
    "unknown_role": "unknown role (collector 催收员, field_agent 外访员, legal 法务, team 团队)",
    "not_a_case_id": "not a case number",
    "unknown_case": "no such case",
    "no_open_case": "loan {loan} has no open case",
    "case_closed": "case {case} is closed",
    "case_loan_mismatch": "case {case} is not loan {loan}'s open case",
    "unknown_user": "no such user",
    "unknown_team": "no such team",
    "assignment_invalid": "{detail}",
    "assignment_refused": "{detail}",
    "duplicate_case_row": (
        "case {case} is assigned as {role} more than once in this file (first on row {first})"
    ),
}


def _case_number(value: Cell) -> int:
    from arrears.ingest.validators import FieldError

    text = cell_text(value).strip().lstrip("#")
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit():
        raise FieldError("not_a_case_id")
    return int(text)


def _role(value: Cell) -> str:
    from arrears.ingest.validators import FieldError

    text = cell_text(value).strip()
    role = ROLE_WORDS.get(text.lower()) or ROLE_WORDS.get(text)
    if role is None:
        raise FieldError("unknown_role")
    return role


def _parsers() -> dict:
    from arrears.ingest.validators import text

    return {
        "loan_id": text(64),
        "case_id": _case_number,
        "user": text(150),
        "role": _role,
        "team": text(100),
        "reason": text(500),
    }


def register() -> None:
    """Add the `assignments` kind to the ingest registries (called from CasesConfig.ready)."""
    from arrears.ingest import errors, readers, services, validators

    readers.FIELDS.setdefault(KIND, FIELDS)
    validators.PARSERS.setdefault(KIND, _parsers())
    for code, text in MESSAGES.items():
        errors.MESSAGES.setdefault(code, text)
    services.IMPORTERS.setdefault(KIND, import_assignments)


def import_assignments(
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
    """Import case assignments; see the module docstring. Returns an ingest ImportReport
    (`updated` = cases moved or, in a dry run, that would move; `unchanged` = already so)."""
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


# The capability an importer needs (the CLI and an upload page read it; default book.import).
import_assignments.capability = "case.assign"


def _import(*, path, table, dry_run, skip_invalid, error_file, actor, source, progress):
    from arrears.book.models import Loan
    from arrears.cases import assignment as svc
    from arrears.cases.errors import CaseError, CaseForbidden
    from arrears.cases.models import Case
    from arrears.core.audit import audit_record
    from arrears.core.models import Team, User
    from arrears.core.roles import Role
    from arrears.core.scoping import cases_for
    from arrears.ingest.bulk import LOOKUP_CHUNK, chunked
    from arrears.ingest.errors import RowError
    from arrears.ingest.services import _open, _Run

    run = _Run(
        KIND,
        _open(KIND, path, table),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        progress=progress,
    )
    report = run.report
    if actor is not None and (actor.is_read_only or not actor.can("case.assign")):
        raise CaseForbidden(translation.gettext("Your role may not assign cases."))
    columns = run.table.columns
    if "loan_id" not in columns and "case_id" not in columns:
        run.error(RowError(1, "loan_id", "assignment_target_column"))
        run.fatal = True
    rows = [(row_no, v) for row_no, v, ok, _cells in run.rows() if ok]

    # Everything the rows name, in a few chunked lookups.
    loan_keys = {v["loan_id"] for _, v in rows if v.get("loan_id")}
    case_keys = {v["case_id"] for _, v in rows if v.get("case_id")}
    slots = ("pk", "loan_id", "status", *(f"{s}_id" for s in svc.SLOTS))
    open_by_loan: dict[str, dict] = {}
    for batch in chunked(sorted(loan_keys), LOOKUP_CHUNK):
        for row in Case.objects.filter(status="open", loan__external_id__in=batch).values(
            "loan__external_id", *slots
        ):
            open_by_loan[row["loan__external_id"]] = row
    known_loans: set[str] = set()
    for batch in chunked(sorted(loan_keys), LOOKUP_CHUNK):
        known_loans |= set(
            Loan.objects.filter(external_id__in=batch).values_list("external_id", flat=True)
        )
    by_case: dict[int, dict] = {}
    for batch in chunked(sorted(case_keys), LOOKUP_CHUNK):
        for row in Case.objects.filter(pk__in=batch).values(*slots):
            by_case[row["pk"]] = row
    usernames = {v["user"] for _, v in rows if v.get("user")}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    team_names = {v["team"] for _, v in rows if v.get("team")}
    teams = {t.name: t for t in Team.objects.filter(name__in=team_names)}
    visible: set[int] | None = None
    if actor is not None:
        wanted = {r["pk"] for r in open_by_loan.values()} | set(by_case)
        visible = set()
        for batch in chunked(sorted(wanted), LOOKUP_CHUNK):
            visible |= set(cases_for(actor).filter(pk__in=batch).values_list("pk", flat=True))

    collector_team = dict(
        User.objects.filter(
            pk__in={
                r["collector_id"]
                for r in (*open_by_loan.values(), *by_case.values())
                if r["collector_id"]
            }
        ).values_list("pk", "team_id")
    )
    groups: dict[tuple, list[int]] = defaultdict(list)
    targets: dict[tuple, svc.Target] = {}
    seen: dict[tuple[int, str], int] = {}
    after_of: dict[int, dict] = {}  # each case's assignment as the file leaves it
    for row_no, v in rows:
        loan_key, case_key = v.get("loan_id"), v.get("case_id")
        column = run.col("case_id") if case_key else run.col("loan_id") if loan_key else ""
        case = None
        if not loan_key and not case_key:
            run.error(
                RowError(row_no, run.col("loan_id") or run.col("case_id"), "assignment_no_case_key")
            )
        elif case_key:
            case = by_case.get(case_key)
            if case is None or (visible is not None and case["pk"] not in visible):
                run.error(RowError(row_no, column, "unknown_case", str(case_key)))
                case = None
            elif case["status"] != "open":
                run.error(
                    RowError(row_no, column, "case_closed", str(case_key), {"case": case_key})
                )
                case = None
            elif loan_key and open_by_loan.get(loan_key, {}).get("pk") != case["pk"]:
                run.error(
                    RowError(
                        row_no,
                        run.col("loan_id"),
                        "case_loan_mismatch",
                        loan_key,
                        {"case": case_key, "loan": loan_key},
                    )
                )
                case = None
        else:
            case = open_by_loan.get(loan_key)
            if loan_key not in known_loans:
                run.error(RowError(row_no, column, "unknown_loan", loan_key))
            elif case is None or (visible is not None and case["pk"] not in visible):
                run.error(RowError(row_no, column, "no_open_case", loan_key, {"loan": loan_key}))
                case = None
        user = team = None
        if v.get("user"):
            user = users.get(v["user"])
            if user is None:
                run.error(RowError(row_no, run.col("user"), "unknown_user", v["user"]))
        if v.get("team"):
            team = teams.get(v["team"])
            if team is None:
                run.error(RowError(row_no, run.col("team"), "unknown_team", v["team"]))
        reason = v.get("reason") or ""
        if not reason:
            run.error(RowError(row_no, run.col("reason") or "reason", "required"))
        role = v.get("role")
        if not role:
            if user is not None:
                role = {Role.COLLECTOR: "collector", Role.FIELD_AGENT: "field_agent"}.get(
                    user.role, "legal" if user.role == Role.LEGAL else user.role
                )
            elif team is not None:
                role = "team"
            else:
                role = "collector"
        if run.is_rejected(row_no) or case is None:
            continue
        try:
            target = svc.assign_target(role=role, user=user, team=team)
            if actor is not None and actor.role == Role.TEAM_LEAD:
                svc._check_target(actor, target)
                if case["team_id"] != actor.team_id:
                    raise svc._outside_team()
        except CaseError as exc:
            name = {"user": "user", "team": "team", "role": "role"}.get(exc.field or "", "user")
            code = "assignment_refused" if isinstance(exc, CaseForbidden) else "assignment_invalid"
            run.error(
                RowError(
                    row_no,
                    run.col(name) or name,
                    code,
                    str(v.get(name) or ""),
                    {"detail": exc.message},
                )
            )
            continue
        slot = "team" if role == "team" else svc.SLOT[role]
        first = seen.get((case["pk"], slot))
        if first is not None:
            run.error(
                RowError(
                    row_no,
                    column,
                    "duplicate_case_row",
                    str(case_key or loan_key),
                    {"case": case["pk"], "role": role, "first": first},
                )
            )
            continue
        seen[(case["pk"], slot)] = row_no
        key = (role, getattr(user, "pk", None), getattr(team, "pk", None), reason)
        targets[key] = target
        groups[key].append(case["pk"])
        before = after_of.get(case["pk"]) or {s: case[f"{s}_id"] for s in svc.SLOTS}
        after_of[case["pk"]] = svc._after(before, target, collector_team)
        report.valid += 1
    originals = {**{r["pk"]: r for r in open_by_loan.values()}, **by_case}
    moving = {
        pk
        for pk, after in after_of.items()
        if after != {s: originals[pk][f"{s}_id"] for s in svc.SLOTS}
    }
    report.updated = len(moving)
    report.unchanged = len(after_of) - len(moving)
    report.counts["cases"] = len(after_of)
    if run.may_write() and groups:
        with transaction.atomic():
            moved = 0
            for key, case_ids in groups.items():
                result = svc.cases_assign_bulk(
                    actor=actor,
                    target=targets[key],
                    reason=key[3],
                    case_ids=case_ids,
                    source="import",
                )
                moved += result.moved
            audit_record(
                actor=actor,
                event="import.assignments",
                object_type="import",
                object_id=report.source,
                after={
                    "rows": report.rows,
                    "cases": len(after_of),
                    "moved": report.updated,
                    "unchanged": report.unchanged,
                    "rejected": len(report.rejected),
                },
                source=source,
            )
        report.written = True
    elif run.may_write():
        report.written = True
    return run.finish(error_file)
