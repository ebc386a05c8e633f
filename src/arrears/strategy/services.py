"""Writes: saving a strategy version (web, API and YAML import alike), activating a strategy,
taking and closing hand-overs. Each in one transaction with its audit entry."""

from __future__ import annotations

import copy
from collections.abc import Mapping

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.core.audit import audit_record
from arrears.core.models import User
from arrears.core.scoping import cases_for
from arrears.strategy import definition as d
from arrears.strategy.errors import (
    StrategyConflict,
    StrategyForbidden,
    StrategyInvalid,
    StrategyNotFound,
)
from arrears.strategy.models import HandOver, Strategy, StrategyVersion
from arrears.strategy.selectors import vocabulary

MAX_YAML_BYTES = 512 * 1024


def _require(actor: User | None, capability: str) -> None:
    # actor None is the system (a data migration, the demo); a person needs the capability.
    if actor is not None and (actor.is_read_only or not actor.can(capability)):
        raise StrategyForbidden(
            _("Your role may not do this (%(capability)s).") % {"capability": capability}
        )


def definition_validate(definition) -> list[d.Problem]:
    """Every problem of a definition against the database's vocabulary and rule packs."""
    return d.validate(definition, vocabulary())


def _clean(definition: Mapping) -> dict:
    """The definition as stored: plain JSON, amounts as strings (never floats)."""

    def fix(value):
        if isinstance(value, float):
            return str(value)
        if isinstance(value, Mapping):
            return {str(k): fix(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    return fix(copy.deepcopy(dict(definition)))


def strategy_save(
    *,
    code: str,
    definition: Mapping,
    actor: User | None,
    note: str = "",
    name_zh: str = "",
    name_en: str = "",
    source: str = "web",
    activate: bool | None = None,
) -> StrategyVersion:
    """Validate and save `definition` as the next version of strategy `code` (created when new,
    and made active when no strategy is). The next end-of-day uses it."""
    _require(actor, "strategy.edit")
    if not d.KEY_RE.match(code or ""):
        raise StrategyInvalid(
            _("The strategy code must be lower-case letters, digits, “_” or “-”."), field="code"
        )
    problems = definition_validate(definition)
    if problems:
        raise StrategyInvalid(
            _("The strategy has %(n)s problem(s); nothing was saved.") % {"n": len(problems)},
            problems=problems,
        )
    clean = _clean(definition)
    with transaction.atomic():
        strategy = Strategy.objects.select_for_update().filter(code=code).first()
        created = strategy is None
        if created:
            strategy = Strategy.objects.create(
                code=code,
                name_zh=(name_zh or code)[:100],
                name_en=(name_en or code)[:100],
                is_active=not Strategy.objects.filter(is_active=True).exists(),
            )
        elif name_zh or name_en:
            strategy.name_zh = (name_zh or strategy.name_zh)[:100]
            strategy.name_en = (name_en or strategy.name_en)[:100]
            strategy.save(update_fields=["name_zh", "name_en"])
        last = strategy.versions.order_by("-number").first()
        version = StrategyVersion.objects.create(
            strategy=strategy,
            number=(last.number + 1) if last else 1,
            definition=clean,
            note=(note or "")[:300],
            created_by=actor if actor is not None and actor.pk else None,
        )
        if activate:
            _activate(strategy)
        audit_record(
            actor=actor,
            event="strategy.save",
            object_type="strategy",
            object_id=strategy.code,
            before={"version": last.number} if last else None,
            after={
                "version": version.number,
                "note": version.note,
                "segments": [s["key"] for s in clean["segments"]],
                "active": Strategy.objects.get(pk=strategy.pk).is_active,
            },
            source=source,
        )
    return version


def _activate(strategy: Strategy) -> None:
    Strategy.objects.filter(is_active=True).exclude(pk=strategy.pk).update(is_active=False)
    Strategy.objects.filter(pk=strategy.pk).update(is_active=True)


def strategy_activate(*, code: str, actor: User | None, source: str = "web") -> Strategy:
    """Make strategy `code` the one the next end-of-day runs."""
    _require(actor, "strategy.edit")
    with transaction.atomic():
        strategy = Strategy.objects.select_for_update().filter(code=code).first()
        if strategy is None:
            raise StrategyNotFound(_("No such strategy."))
        before = Strategy.objects.filter(is_active=True).values_list("code", flat=True).first()
        _activate(strategy)
        audit_record(
            actor=actor,
            event="strategy.activate",
            object_type="strategy",
            object_id=code,
            before={"active": before},
            after={"active": code},
            source=source,
        )
    strategy.refresh_from_db()
    return strategy


# --------------------------------------------------------------------------- YAML


def definition_from_yaml(text: str) -> dict:
    """Parse a YAML strategy file: {code, name_zh, name_en, note?, segments: […]}."""
    if len(text.encode()) > MAX_YAML_BYTES:
        raise StrategyInvalid(_("The file is too large."), field="file")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise StrategyInvalid(_("Not valid YAML") + where + ".", field="file") from exc
    if not isinstance(data, dict):
        raise StrategyInvalid(_("The file must hold a mapping with “segments”."), field="file")
    return data


SEGMENT_KEYS = ("key", "name_zh", "name_en", "when", "holding_days", "exit", "paths")
PATH_KEYS = ("key", "share", "steps")
STEP_KEYS = ("key", "offset_days", "trigger", "channel", "template", "role", "once")
ATOM_KEYS = ("field", "op", "value")


def _in_order(item, keys) -> dict:
    # PostgreSQL's jsonb keeps keys in its own order: put them back in the order people read.
    if not isinstance(item, dict):
        return item
    ordered = {k: item[k] for k in keys if k in item}
    return {**ordered, **{k: v for k, v in item.items() if k not in ordered}}


def _condition_in_order(node):
    if not isinstance(node, dict):
        return node
    if "all" in node or "any" in node:
        return {
            k: [_condition_in_order(c) for c in v] if isinstance(v, list) else v
            for k, v in node.items()
        }
    return _in_order(node, ATOM_KEYS)


def definition_in_order(definition: dict) -> dict:
    """The definition with its keys in reading order (segments, paths, steps, conditions)."""
    segments = []
    for seg in definition.get("segments") or []:
        seg = _in_order(seg, SEGMENT_KEYS)
        if isinstance(seg, dict):
            if "when" in seg:
                seg["when"] = _condition_in_order(seg["when"])
            if isinstance(seg.get("paths"), list):
                seg["paths"] = [
                    {
                        **_in_order(p, PATH_KEYS),
                        **(
                            {"steps": [_in_order(st, STEP_KEYS) for st in p["steps"]]}
                            if isinstance(p, dict) and isinstance(p.get("steps"), list)
                            else {}
                        ),
                    }
                    if isinstance(p, dict)
                    else p
                    for p in seg["paths"]
                ]
        segments.append(seg)
    return {**definition, "segments": segments}


def definition_to_yaml(version: StrategyVersion) -> str:
    """The YAML form of a version (what `arrears strategy export` writes)."""
    data = {
        "code": version.strategy.code,
        "name_zh": version.strategy.name_zh,
        "name_en": version.strategy.name_en,
        "version": version.number,
        **definition_in_order(version.definition),
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def strategy_import(*, text: str, actor: User | None, source: str = "cli") -> StrategyVersion:
    """Validate a YAML strategy and save it as a new version (the strategy named by `code`)."""
    data = definition_from_yaml(text)
    code = data.get("code")
    if not isinstance(code, str):
        raise StrategyInvalid(_("The file needs a strategy “code”."), field="code")
    body = {"segments": data.get("segments")}
    return strategy_save(
        code=code,
        definition=body,
        actor=actor,
        note=str(data.get("note") or _("imported from YAML"))[:300],
        name_zh=str(data.get("name_zh") or ""),
        name_en=str(data.get("name_en") or ""),
        source=source,
    )


# --------------------------------------------------------------------------- hand-overs


def _handover_for(actor: User, handover_id: int) -> HandOver:
    item = (
        HandOver.objects.select_for_update()
        .filter(pk=handover_id, case__in=cases_for(actor))
        .first()
    )
    if item is None:
        raise StrategyNotFound(_("No such hand-over."))
    return item


def handover_take(*, handover_id: int, actor: User, source: str = "web") -> HandOver:
    """Take an open hand-over (a field agent, agency or legal officer starts on it)."""
    _require(actor, "case.work")
    with transaction.atomic():
        item = _handover_for(actor, handover_id)
        if item.status != HandOver.Status.OPEN:
            raise StrategyConflict(_("This hand-over is not open."))
        item.status, item.taken_by, item.taken_at = HandOver.Status.TAKEN, actor, timezone.now()
        item.save(update_fields=["status", "taken_by", "taken_at"])
        audit_record(
            actor=actor,
            event="handover.take",
            object_type="handover",
            object_id=item.pk,
            before={"status": "open"},
            after={"status": "taken", "case": item.case_id, "channel": item.channel},
            source=source,
        )
    return item


def handover_close(
    *,
    handover_id: int,
    actor: User,
    outcome: str = HandOver.Status.DONE,
    ref: str = "",
    note: str = "",
    source: str = "web",
) -> HandOver:
    """Close a live hand-over as done (with a reference: a visit, placement or court file) or
    cancelled (with a note why)."""
    _require(actor, "case.work")
    if outcome not in (HandOver.Status.DONE, HandOver.Status.CANCELLED):
        raise StrategyInvalid(_("The outcome is done or cancelled."), field="outcome")
    if outcome == HandOver.Status.CANCELLED and not note.strip():
        raise StrategyInvalid(_("Say why the hand-over is cancelled."), field="note")
    with transaction.atomic():
        item = _handover_for(actor, handover_id)
        if item.status not in HandOver.LIVE:
            raise StrategyConflict(_("This hand-over is already closed."))
        before = item.status
        item.status, item.closed_at = outcome, timezone.now()
        item.ref, item.note = ref.strip()[:100], note.strip()[:500]
        if item.taken_by_id is None:
            item.taken_by, item.taken_at = actor, item.closed_at
        item.save(update_fields=["status", "closed_at", "ref", "note", "taken_by", "taken_at"])
        audit_record(
            actor=actor,
            event="handover.close",
            object_type="handover",
            object_id=item.pk,
            before={"status": before},
            after={"status": outcome, "ref": item.ref, "note": item.note},
            source=source,
        )
    return item
