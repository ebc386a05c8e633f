"""Writes: revising and importing rule packs, choosing a product's pack, overrides, the LPR table.

Each write runs in one transaction with its audit row (core.audit.audit_record).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from arrears.compliance import errors
from arrears.compliance.errors import ComplianceError
from arrears.compliance.models import LprRate, ProductRulePack, Rule, RuleOverride, RulePack
from arrears.compliance.rules import (
    CONTACT_CHECKS,
    MODES,
    STEP_CHECKS,
    compile_entries,
    parse_hhmm,
)
from arrears.compliance.selectors import (
    OverrideFilters,
    default_pack_code,
    override_entries,
    override_rows,
    pack_current,
    pack_export,
)
from arrears.core.audit import audit_record
from arrears.core.models import User
from arrears.core.roles import Role

KINDS = (
    frozenset(CONTACT_CHECKS)
    | frozenset(STEP_CHECKS)
    | {
        "retention",
        "conduct_lint",
        "interest_cap",
    }
)
RULE_FIELDS = (
    "rule_id",
    "kind",
    "mode",
    "parameters",
    "overridable",
    "override_roles",
    "description_zh",
    "description_en",
    "source",
)
_RULE_ID = re.compile(r"^[A-Z]{2,}\.[A-Z0-9_]+$")
MIN_REASON = 10


def _require_editor(actor: User | None) -> None:
    # actor None is the system itself (a migration, the CLI without --user).
    if actor is not None and not actor.can("rulepack.edit"):
        raise ComplianceError(
            errors.NOT_PERMITTED, f"{actor.username} ({actor.role}) may not edit rule packs"
        )


def validate_rule(rule: Mapping) -> list[str]:
    """The problems with one rule dict (export form); [] when it can be saved."""
    rid = rule.get("rule_id", "")
    problems = []
    if not _RULE_ID.match(rid or ""):
        problems.append(f"{rid or '?'}: rule_id must look like CN.CONTACT_HOURS")
    if rule.get("kind") not in KINDS:
        problems.append(f"{rid}: unknown check kind {rule.get('kind')!r}")
    if rule.get("mode", "block") not in MODES:
        problems.append(f"{rid}: mode must be block or warn")
    roles = list(rule.get("override_roles") or [])
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        problems.append(f"{rid}: unknown roles {unknown}")
    if rule.get("overridable") and not roles:
        problems.append(f"{rid}: an overridable rule needs override_roles")
    if not rule.get("overridable") and roles:
        problems.append(f"{rid}: override_roles given but the rule is not overridable")
    params = rule.get("parameters") or {}
    if not isinstance(params, Mapping):
        return [*problems, f"{rid}: parameters must be an object"]
    for key in ("phrases", "debt_words", "patterns", "suit_words"):
        problems += [f"{rid}.{key}: {p}" for p in compile_entries(params.get(key, []))]
    if rule.get("kind") == "contact_hours":
        try:
            if parse_hhmm(params.get("start", "08:00")) >= parse_hhmm(params.get("end", "22:00")):
                problems.append(f"{rid}: start must be before end")
        except ValueError:
            problems.append(f"{rid}: start and end are HH:MM")
    for key in ("max_per_day", "max_per_number_per_day", "max_calls", "days", "years"):
        if key in params and (not isinstance(params[key], int) or params[key] < 1):
            problems.append(f"{rid}: {key} must be a whole number ≥ 1")
    if "min_participants" in params and (
        not isinstance(params["min_participants"], int) or params["min_participants"] < 1
    ):
        problems.append(f"{rid}: min_participants must be a whole number ≥ 1")
    return problems


def _validate_rules(rules: list[Mapping]) -> None:
    problems = []
    seen = set()
    for rule in rules:
        problems += validate_rule(rule)
        if rule.get("rule_id") in seen:
            problems.append(f"{rule.get('rule_id')}: listed twice")
        seen.add(rule.get("rule_id"))
    if problems:
        raise ComplianceError(errors.INVALID_PACK, "; ".join(problems))


def _create_version(
    *, code: str, version: int, name: str, is_active: bool, rules: list[Mapping], actor, note: str
) -> RulePack:
    try:
        with transaction.atomic():
            pack = RulePack.objects.create(
                code=code,
                version=version,
                name=name,
                is_active=is_active,
                note=note[:300],
                created_by=actor if actor is not None and actor.pk else None,
            )
            Rule.objects.bulk_create(
                Rule(pack=pack, **{f: r[f] for f in RULE_FIELDS if f in r}) for r in rules
            )
    except IntegrityError as exc:
        raise ComplianceError(
            errors.STALE_VERSION, f"{code} v{version} was saved by someone else; reload and retry"
        ) from exc
    return pack


def _check_deactivation(code: str, is_active: bool) -> None:
    if is_active:
        return
    if code == default_pack_code():
        raise ComplianceError(errors.PACK_IN_USE, f"{code} is the default pack; it stays active")
    if ProductRulePack.objects.filter(pack_code=code).exists():
        raise ComplianceError(errors.PACK_IN_USE, f"products still follow {code}; move them first")


def rulepack_revise(
    *, pack: RulePack, changes: Mapping, actor: User | None, note: str = ""
) -> RulePack:
    """Save a change to a pack as version + 1 (the old version stays as it was).

    `changes`: {"name": …, "is_active": …, "rules": {rule_id: {field: value} | None}}. A rule
    dict merges into the existing rule (its `parameters` merge key by key); a new rule_id adds a
    full rule; None removes the rule.
    """
    _require_editor(actor)
    unknown = set(changes) - {"name", "is_active", "rules"}
    if unknown:
        raise ComplianceError(errors.INVALID_PACK, f"unknown changes: {sorted(unknown)}")
    with transaction.atomic():
        current = pack_current(pack.code)
        if current is None or current.version != pack.version:
            raise ComplianceError(
                errors.STALE_VERSION,
                f"{pack} is not the current version ({current}); revise the current one",
            )
        before = pack_export(current)
        rules = {r["rule_id"]: r for r in copy.deepcopy(before["rules"])}
        for rule_id, change in (changes.get("rules") or {}).items():
            if change is None:
                if rule_id not in rules:
                    raise ComplianceError(errors.UNKNOWN_RULE, f"{rule_id} is not in {pack.code}")
                del rules[rule_id]
            elif rule_id in rules:
                merged = {**rules[rule_id], **change, "rule_id": rule_id}
                if "parameters" in change:
                    merged["parameters"] = {**rules[rule_id]["parameters"], **change["parameters"]}
                rules[rule_id] = merged
            else:
                rules[rule_id] = {"rule_id": rule_id, **change}
        new_rules = list(rules.values())
        _validate_rules(new_rules)
        is_active = bool(changes.get("is_active", current.is_active))
        _check_deactivation(current.code, is_active)
        new = _create_version(
            code=current.code,
            version=current.version + 1,
            name=changes.get("name", current.name),
            is_active=is_active,
            rules=new_rules,
            actor=actor,
            note=note,
        )
        after = pack_export(new)
        changed = sorted(
            rid
            for rid in set(rules) | {r["rule_id"] for r in before["rules"]}
            if next((r for r in before["rules"] if r["rule_id"] == rid), None)
            != next((r for r in after["rules"] if r["rule_id"] == rid), None)
        )
        audit_record(
            actor=actor,
            event="rulepack.revise",
            object_type="compliance.RulePack",
            object_id=new.pk,
            before={
                "version": current.version,
                "name": current.name,
                "is_active": current.is_active,
                "rules": [r for r in before["rules"] if r["rule_id"] in changed],
            },
            after={
                "version": new.version,
                "name": new.name,
                "is_active": new.is_active,
                "rules": [r for r in after["rules"] if r["rule_id"] in changed],
                "note": note,
            },
        )
    return new


def rulepack_import(*, data: Mapping, actor: User | None, source: str = "cli") -> RulePack:
    """Import a pack (export form) as a new version of its code; version numbers in the file
    are ignored — the import is always the next version."""
    _require_editor(actor)
    for key in ("code", "name", "rules"):
        if key not in data:
            raise ComplianceError(errors.INVALID_PACK, f"the file has no `{key}`")
    if not re.match(r"^[a-z][a-z0-9_]{1,39}$", str(data["code"])):
        raise ComplianceError(errors.INVALID_PACK, "code: lower-case letters, digits and _")
    rules = [dict(r) for r in data["rules"]]
    _validate_rules(rules)
    with transaction.atomic():
        current = pack_current(data["code"])
        is_active = bool(data.get("is_active", current.is_active if current else False))
        _check_deactivation(data["code"], is_active)
        new = _create_version(
            code=data["code"],
            version=(current.version + 1) if current else 1,
            name=data["name"],
            is_active=is_active,
            rules=rules,
            actor=actor,
            note=f"imported ({source})",
        )
        audit_record(
            actor=actor,
            event="rulepack.import",
            object_type="compliance.RulePack",
            object_id=new.pk,
            before={"version": current.version} if current else None,
            after=pack_export(new),
            source=source,
        )
    return new


def product_rulepack_set(
    *, product, code: str, actor: User | None, source: str = "system", ip: str | None = None
) -> ProductRulePack:
    """Make a product follow the pack `code` (its current version, whichever that is)."""
    _require_editor(actor)
    with transaction.atomic():
        pack = pack_current(code)
        if pack is None:
            raise ComplianceError(errors.UNKNOWN_RULE, f"no rule pack {code!r}")
        if not pack.is_active:
            raise ComplianceError(errors.PACK_INACTIVE, f"{code} is not switched on")
        previous = ProductRulePack.objects.filter(product=product).first()
        choice, _ = ProductRulePack.objects.update_or_create(
            product=product,
            defaults={
                "pack_code": code,
                "set_by": actor if actor is not None and actor.pk else None,
            },
        )
        audit_record(
            actor=actor,
            event="rulepack.assign",
            object_type="book.Product",
            object_id=product.pk,
            before={"pack": previous.pack_code if previous else default_pack_code()},
            after={"pack": code},
            source=source,
            ip=ip,
        )
    return choice


def _pack_holding(rule_id: str, pack: RulePack | None) -> tuple[RulePack, Rule]:
    if pack is not None:
        rule = pack.rules.filter(rule_id=rule_id).first()
        if rule is None:
            raise ComplianceError(errors.UNKNOWN_RULE, f"{rule_id} is not in {pack}")
        return pack, rule
    # Without a pack: the current version of the pack that holds the rule (the default first).
    candidates = [
        p
        for code in {c for c in RulePack.objects.values_list("code", flat=True)}
        if (p := pack_current(code)) is not None and p.rules.filter(rule_id=rule_id).exists()
    ]
    if not candidates:
        raise ComplianceError(errors.UNKNOWN_RULE, f"no current pack has a rule {rule_id}")
    candidates.sort(key=lambda p: (p.code != default_pack_code(), p.code))
    chosen = candidates[0]
    return chosen, chosen.rules.get(rule_id=rule_id)


def override_record(
    *,
    actor: User,
    rule_id: str,
    reason: str,
    object_ref: str,
    pack: RulePack | None = None,
    source: str = "system",
    ip: str | None = None,
) -> RuleOverride:
    """Record an override of a blocking rule on one object, by a role the rule allows, with a
    written reason; audited as `compliance.override`."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ComplianceError(
            errors.REASON_TOO_SHORT,
            f"an override needs a written reason of at least {MIN_REASON} characters",
            field="reason",
        )
    if not object_ref:
        raise ComplianceError(
            errors.INVALID_PACK, "an override names its object", field="object_ref"
        )
    with transaction.atomic():
        pack, rule = _pack_holding(rule_id, pack)
        if not rule.overridable:
            raise ComplianceError(errors.NOT_OVERRIDABLE, f"{rule_id} cannot be overridden")
        if not actor.is_active or actor.role not in (rule.override_roles or []):
            raise ComplianceError(
                errors.ROLE_NOT_ALLOWED,
                f"{actor.username} ({actor.role}) may not override {rule_id}; "
                f"allowed: {', '.join(rule.override_roles)}",
            )
        override = RuleOverride.objects.create(
            rule_id=rule_id,
            pack=pack,
            actor=actor,
            role=actor.role,
            reason=reason,
            object_ref=object_ref,
        )
        audit_record(
            actor=actor,
            event="compliance.override",
            object_type="compliance.RuleOverride",
            object_id=override.pk,
            after={
                "rule_id": rule_id,
                "pack": str(pack),
                "role": actor.role,
                "reason": reason,
                "object_ref": object_ref,
            },
            source=source,
            ip=ip,
        )
    return override


def lpr_set(
    *,
    month: dt.date,
    one_year_rate: Decimal,
    five_year_rate: Decimal,
    source: str,
    actor: User | None,
    published_on: dt.date | None = None,
    audit_source: str = "system",
    ip: str | None = None,
) -> LprRate:
    """Enter or correct the LPR announced for a month (rates as fractions: 0.03 = 3.00%)."""
    _require_editor(actor)
    month = month.replace(day=1)
    for name, rate in (("one_year_rate", one_year_rate), ("five_year_rate", five_year_rate)):
        if not isinstance(rate, Decimal) or not Decimal(0) < rate < Decimal(1):
            raise ComplianceError(
                errors.INVALID_PACK, f"{name} is a Decimal fraction (0.03 = 3%)", field=name
            )
    if not source.strip():
        raise ComplianceError(errors.INVALID_PACK, "name the announcement", field="source")
    if published_on is None:
        published_on = month.replace(day=20)
        published_on += dt.timedelta(days={5: 2, 6: 1}.get(published_on.weekday(), 0))
    with transaction.atomic():
        previous = LprRate.objects.filter(month=month).first()
        before = (
            {
                "one_year_rate": previous.one_year_rate,
                "five_year_rate": previous.five_year_rate,
                "published_on": previous.published_on,
                "source": previous.source,
            }
            if previous
            else None
        )
        row, _ = LprRate.objects.update_or_create(
            month=month,
            defaults={
                "one_year_rate": one_year_rate,
                "five_year_rate": five_year_rate,
                "published_on": published_on,
                "source": source.strip(),
                "carried_forward": False,
            },
        )
        audit_record(
            actor=actor,
            event="lpr.set",
            object_type="compliance.LprRate",
            object_id=f"{month:%Y-%m}",
            before=before,
            after={
                "one_year_rate": one_year_rate,
                "five_year_rate": five_year_rate,
                "published_on": published_on,
                "source": source.strip(),
            },
            source=audit_source,
            ip=ip,
        )
    return row


# --------------------------------------------------------------------------- the override report

OVERRIDE_EXPORT_COLUMNS = (
    "id",
    "at",
    "rule_id",
    "pack",
    "actor",
    "role",
    "object",
    "case",
    "loan",
    "reason",
)
OVERRIDE_EXPORT_FORMATS = ("csv", "xlsx")


@dataclass
class OverrideExport:
    """A prepared export: `chunks` yields the file's bytes; `rows` overrides are in it."""

    filename: str
    content_type: str
    rows: int
    chunks: Iterator[bytes]


def override_export(
    *,
    user: User,
    filters: OverrideFilters,
    fmt: str = "csv",
    source: str = "web",
    ip: str | None = None,
) -> OverrideExport:
    """The filtered overrides, oldest first, as CSV or XLSX; audited as
    `compliance.overrides.export` (with the filters and the row count)."""
    from django.utils import timezone

    from arrears.core.selectors import local_time
    from arrears.core.services import (
        file_chunks,
        spreadsheet_text,
        table_csv_chunks,
        table_xlsx_file,
    )

    if fmt not in OVERRIDE_EXPORT_FORMATS:
        raise ComplianceError(
            errors.BAD_FORMAT,
            f"format must be one of {', '.join(OVERRIDE_EXPORT_FORMATS)}",
            field="format",
        )
    with transaction.atomic():
        overrides = list(override_entries(user=user, filters=filters).order_by("created_at", "id"))
        audit_record(
            actor=user,
            event="compliance.overrides.export",
            object_type="compliance.RuleOverride",
            after={"format": fmt, "rows": len(overrides), "filters": filters.as_dict()},
            source=source,
            ip=ip,
        )
    rows = [
        [
            str(r.override.pk),
            local_time(r.override.created_at).isoformat(),
            spreadsheet_text(r.override.rule_id),
            str(r.override.pack),
            spreadsheet_text(r.override.actor.username),
            r.override.role,
            spreadsheet_text(r.override.object_ref),
            str(r.case_id or ""),
            spreadsheet_text(r.loan_id),
            spreadsheet_text(r.override.reason),
        ]
        for r in override_rows(overrides)
    ]
    stamp = local_time(timezone.now()).strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        return OverrideExport(
            f"overrides-{stamp}.csv",
            "text/csv; charset=utf-8",
            len(rows),
            table_csv_chunks(OVERRIDE_EXPORT_COLUMNS, rows),
        )
    return OverrideExport(
        f"overrides-{stamp}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        len(rows),
        file_chunks(table_xlsx_file("overrides", OVERRIDE_EXPORT_COLUMNS, rows)),
    )


# --------------------------------------------------------------------------- the holiday calendar


def calendar_day_set(
    *,
    day: dt.date,
    kind: str,
    name: str,
    source: str,
    actor: User | None,
    audit_source: str = "system",
    ip: str | None = None,
):
    """Enter or correct one day of the State Council calendar (a statutory day off or a
    make-up working day). Limitation deadlines move with it (Civil Code art. 203); the
    end-of-day configuration includes the calendar, so the next run is full."""
    from arrears.core.models import CalendarDay

    _require_editor(actor)
    if kind not in CalendarDay.Kind.values:
        raise ComplianceError(errors.INVALID_PACK, "kind: holiday or workday", field="kind")
    if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
        raise ComplianceError(
            errors.INVALID_PACK,
            f"{day} is a weekday: only a weekend day can be a make-up working day",
            field="day",
        )
    if not source.strip():
        raise ComplianceError(errors.INVALID_PACK, "name the State Council notice", field="source")
    with transaction.atomic():
        previous = CalendarDay.objects.select_for_update().filter(day=day).first()
        before = (
            {"kind": previous.kind, "name": previous.name, "source": previous.source}
            if previous
            else None
        )
        row, _ = CalendarDay.objects.update_or_create(
            day=day, defaults={"kind": kind, "name": name.strip(), "source": source.strip()}
        )
        audit_record(
            actor=actor,
            event="calendar.set",
            object_type="core.CalendarDay",
            object_id=day.isoformat(),
            before=before,
            after={"kind": kind, "name": row.name, "source": row.source},
            source=audit_source,
            ip=ip,
        )
    return row


def calendar_day_remove(
    *, day: dt.date, actor: User | None, audit_source: str = "system", ip: str | None = None
) -> None:
    """Take a day out of the calendar (it becomes an ordinary weekday or weekend day)."""
    from arrears.core.models import CalendarDay

    _require_editor(actor)
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(day=day).first()
        if row is None:
            raise ComplianceError(errors.INVALID_PACK, f"{day} is not in the calendar", field="day")
        before = {"kind": row.kind, "name": row.name, "source": row.source}
        row.delete()
        audit_record(
            actor=actor,
            event="calendar.remove",
            object_type="core.CalendarDay",
            object_id=day.isoformat(),
            before=before,
            after=None,
            source=audit_source,
            ip=ip,
        )
