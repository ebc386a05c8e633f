"""A strategy's definition as plain data: its vocabulary, its validation and its conditions.

A definition is a dict (stored as JSON, written as YAML):

    segments:                      # ordered; the first segment whose condition holds wins
      - key: early
        name_zh: 早期
        name_en: Early
        when: {all: [{field: dpd, op: between, value: [1, 30]}]}   # {} or {all: []}: catch-all
        holding_days: 10           # how long a collector holds the case before rotation
        exit: [promise_in_force]   # while one holds, no timed step is due (triggers still are)
        paths:                     # champion/challenger: shares in percent, summing to 100
          - key: sms_first
            share: 50
            steps:
              - {key: s1, offset_days: 0, channel: sms, template: m1_reminder, role: collector}
              - {key: c1, offset_days: 3, channel: call, role: collector}
              - {key: pb, trigger: promise_broken, channel: call, role: team_lead}

Conditions nest: `{all: [...]}`, `{any: [...]}` or a leaf `{field, op, value}`.

Pure functions only (no database): the caller passes what the database knows (bucket labels,
product codes, debtor types, the rule packs) in a `Vocabulary`, so validation runs the same in
the editor, the API, the YAML import and the tests.

When is a step due (decided here, documented in docs/strategy.md): a case's segment day is the
number of days since it entered the segment (`entered_on` is the first working day in the
segment, day 0). A timed step is *current* from its `offset_days` until the next timed step's
day (the steps with the greatest offset not after today; several steps may share a day), so
a call step keeps the case in the caller's queue every day until the next step takes over. A
step marked `once: true` (a letter, an SMS, a hand-over) is due only on its own day. A
trigger step is due on the working day after its event (a promise or plan judged broken).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

# The channels of the activities plus the two hand-overs: these names are used everywhere.
CONTACT_CHANNELS = ("call", "sms", "letter", "visit", "email")
HANDOVER_CHANNELS = ("visit", "agency_placement", "legal_review")
CHANNELS = (*CONTACT_CHANNELS, "agency_placement", "legal_review")
SENDING_CHANNELS = ("sms", "letter", "email")
ROLES = ("collector", "field_agent", "team_lead", "legal", "agency", "manager")
TRIGGERS = ("promise_broken", "plan_broken")
EXITS = ("promise_in_force", "plan_in_force")
# The compliance step kind each escalation channel is checked as (compliance.rules.Step).
STEP_KIND = {"legal_review": "legal", "agency_placement": "agency_placement"}

INT, MONEY, ENUM, TEXT, BOOL = "int", "money", "enum", "text", "bool"
OPS = {
    INT: ("eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "between"),
    MONEY: ("eq", "ne", "lt", "lte", "gt", "gte", "between"),
    ENUM: ("eq", "ne", "in", "not_in"),
    TEXT: ("eq", "ne", "in", "not_in", "prefix"),
    BOOL: ("is_true", "is_false"),
}
ALL_OPS = (
    "eq",
    "ne",
    "in",
    "not_in",
    "lt",
    "lte",
    "gt",
    "gte",
    "between",
    "prefix",
    "is_true",
    "is_false",
)


@dataclass(frozen=True)
class FactField:
    """One case fact a condition may test: its name, kind and (for enums) where the values come
    from; `nullable` facts (no limitation deadline, no score) fail every test when null."""

    name: str
    kind: str
    values: str = ""  # Vocabulary attribute listing the allowed values of an enum
    nullable: bool = False


FIELDS: dict[str, FactField] = {
    f.name: f
    for f in (
        FactField("dpd", INT),
        FactField("bucket", ENUM, "buckets"),
        FactField("classification", ENUM, "classes"),
        FactField("amount_due", MONEY),  # yuan in the definition, fen in the facts
        FactField("product", ENUM, "products"),
        FactField("region", TEXT),  # province/county/town/village
        FactField("rural", BOOL),  # the borrower's address names a village
        FactField("debtor_type", ENUM, "debtor_types"),
        FactField("default_reason", ENUM, "default_reasons"),
        FactField("broken_promises", INT),
        FactField("days_to_limitation", INT, nullable=True),
        FactField("time_barred", BOOL),
        FactField("open_complaint", BOOL),
        FactField("death_report", BOOL),
        FactField("agency_placed", BOOL),
        FactField("legal_status", ENUM, "legal_statuses"),
        FactField("colour_flag", ENUM, "colour_flags"),
        FactField("promise_in_force", BOOL),
        FactField("plan_in_force", BOOL),
        FactField("score", INT, nullable=True),
    )
}


@dataclass(frozen=True)
class Vocabulary:
    """The values the database knows, for validating enum conditions and rule-pack steps.

    `contact_holds`: the holds under which the active pack holds collection contact
    ("dispute", "death_verification"); `legal_barred`: the pack forbids legal steps on a
    time-barred debt; `templates`: notice template codes a letter step may name (empty: any).
    """

    buckets: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    debtor_types: tuple[str, ...] = ()
    default_reasons: tuple[str, ...] = ()
    legal_statuses: tuple[str, ...] = ()
    colour_flags: tuple[str, ...] = ()
    contact_holds: frozenset[str] = frozenset()
    legal_barred: bool = True
    templates: tuple[str, ...] = ()
    lenient: bool = False  # accept any enum value (evaluating a definition saved earlier)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition: where (segment, path, step, field) and why."""

    code: str
    message: str
    segment: str = ""
    path: str = ""
    step: str = ""
    field: str = ""

    @property
    def where(self) -> str:
        parts = [p for p in (self.segment, self.path, self.step) if p]
        return " / ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "segment": self.segment,
            "path": self.path,
            "step": self.step,
            "field": self.field,
            "message": self.message,
        }


KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,39}$")


# --------------------------------------------------------------------------- atoms


@dataclass(frozen=True)
class Atom:
    """A validated leaf condition with its value normalised (money in fen)."""

    field: str
    op: str
    value: Any = None


def _int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError
    return int(value)


def _fen(value) -> int:
    if isinstance(value, bool):
        raise ValueError
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError from exc
    if not amount.is_finite():
        raise ValueError
    return int((amount * 100).to_integral_value(rounding="ROUND_HALF_UP"))


def parse_atom(node: Mapping, vocab: Vocabulary) -> Atom:
    """A leaf `{field, op, value}` as an Atom, or ValueError with the reason (in words)."""
    name = node.get("field")
    if not isinstance(name, str) or name not in FIELDS:
        raise ValueError(_("unknown field “%(field)s”") % {"field": name})
    spec = FIELDS[name]
    op = node.get("op")
    if not isinstance(op, str) or op not in OPS[spec.kind]:
        if op in ALL_OPS:
            raise ValueError(
                _("operator “%(op)s” does not apply to field “%(field)s”")
                % {"op": op, "field": name}
            )
        raise ValueError(_("unknown operator “%(op)s”") % {"op": op})
    if spec.kind == BOOL:
        return Atom(name, op)
    value = node.get("value")
    scalar = _fen if spec.kind == MONEY else _int if spec.kind == INT else str
    try:
        if op in ("in", "not_in"):
            if not isinstance(value, list) or not value:
                raise ValueError
            norm: Any = tuple(scalar(v) for v in value)
        elif op == "between":
            if not isinstance(value, list) or len(value) != 2:
                raise ValueError
            norm = (scalar(value[0]), scalar(value[1]))
            if norm[0] > norm[1]:
                raise ValueError
        else:
            if value is None or isinstance(value, list | dict):
                raise ValueError
            norm = scalar(value)
    except (ValueError, TypeError):
        raise ValueError(
            _("the value of “%(field)s %(op)s” is not valid: %(value)s")
            % {"field": name, "op": op, "value": value}
        ) from None
    if spec.kind == ENUM and not vocab.lenient:
        allowed = set(getattr(vocab, spec.values))
        allowed.add("")  # "not set" (no debtor type, no colour flag, no escalation)
        values = norm if isinstance(norm, tuple) else (norm,)
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ValueError(
                _("unknown value “%(value)s” for field “%(field)s” (known: %(known)s)")
                % {
                    "value": unknown[0],
                    "field": name,
                    "known": ", ".join(sorted(v for v in allowed if v)),
                }
            )
    return Atom(name, op, norm)


MAX_DEPTH = 8


def parse_condition(
    node, vocab: Vocabulary, where: str = "when", depth: int = 0
) -> tuple[Any, list[str]]:
    """The condition tree with Atoms at the leaves, and the problems found (each prefixed with
    its path in the tree, e.g. `when.all[2]`)."""
    if depth > MAX_DEPTH:
        return ("all", []), [f"{where}: " + _("conditions nest too deep")]
    if node is None or node == {}:
        return ("all", []), []
    if not isinstance(node, Mapping):
        return ("all", []), [f"{where}: " + _("a condition must be a mapping")]
    if "all" in node or "any" in node:
        kind = "all" if "all" in node else "any"
        items = node[kind]
        if len(node) != 1 or not isinstance(items, list):
            return ("all", []), [f"{where}: " + _("use either “all” or “any” with a list")]
        parts, problems = [], []
        for i, child in enumerate(items):
            part, errs = parse_condition(child, vocab, f"{where}.{kind}[{i + 1}]", depth + 1)
            parts.append(part)
            problems += errs
        return (kind, parts), problems
    try:
        return parse_atom(node, vocab), []
    except ValueError as exc:
        return ("all", []), [f"{where}: {exc}"]


# --------------------------------------------------------------------------- reasoning


@dataclass
class Term:
    """A conjunction of constraints, one per field: an integer interval, a set of enum values
    (None: any), a boolean, or text (a set of exact values and/or prefixes)."""

    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    sets: dict[str, frozenset] = field(default_factory=dict)
    bools: dict[str, bool] = field(default_factory=dict)
    prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    opaque: bool = False  # holds a constraint we do not reason about (text ne/not_in …)
    empty: bool = False  # can hold for no case

    def fields(self) -> set[str]:
        return {*self.ranges, *self.sets, *self.bools, *self.prefixes}


INF = float("inf")


def _universe(name: str, vocab: Vocabulary) -> frozenset:
    spec = FIELDS[name]
    return frozenset(getattr(vocab, spec.values)) | {""}


def _add_atom(term: Term, atom: Atom, vocab: Vocabulary) -> None:
    spec = FIELDS[atom.field]
    f, op, v = atom.field, atom.op, atom.value
    if spec.kind == BOOL:
        want = op == "is_true"
        if term.bools.get(f, want) != want:
            term.empty = True
        term.bools[f] = want
        return
    if spec.kind in (INT, MONEY):
        if op in ("in", "not_in", "ne"):
            if op == "in":
                lo, hi = min(v), max(v)
                if len(set(v)) != hi - lo + 1:
                    term.opaque = True
            else:
                term.opaque = True
                return
        else:
            if op == "between":
                lo, hi = v
            elif op == "eq":
                lo, hi = v, v
            elif op == "lt":
                lo, hi = -INF, v - 1
            elif op == "lte":
                lo, hi = -INF, v
            elif op == "gt":
                lo, hi = v + 1, INF
            else:  # gte
                lo, hi = v, INF
        old = term.ranges.get(f, (-INF, INF))
        new = (max(old[0], lo), min(old[1], hi))
        if new[0] > new[1]:
            term.empty = True
        term.ranges[f] = new
        return
    if spec.kind == ENUM:
        universe = _universe(f, vocab)
        values = set(v) if isinstance(v, tuple) else {v}
        allowed = values if op in ("eq", "in") else universe - values
        new = term.sets.get(f, universe) & allowed
        if not new:
            term.empty = True
        term.sets[f] = frozenset(new)
        return
    # text (region): exact values and prefixes
    if op in ("eq", "in"):
        values = v if isinstance(v, tuple) else (v,)
        term.prefixes[f] = (*term.prefixes.get(f, ()), *("=" + x for x in values))
    elif op == "prefix":
        term.prefixes[f] = (*term.prefixes.get(f, ()), v)
    else:
        term.opaque = True


MAX_TERMS = 256


def to_terms(cond, vocab: Vocabulary) -> list[Term] | None:
    """The condition in disjunctive normal form (a list of Terms), or None when it is too big to
    expand (the checks that need it then stay silent rather than guess)."""

    def dnf(node) -> list[list[Atom]] | None:
        if isinstance(node, Atom):
            return [[node]]
        kind, parts = node
        if kind == "all":
            result: list[list[Atom]] = [[]]
            for part in parts:
                sub = dnf(part)
                if sub is None:
                    return None
                result = [a + b for a, b in itertools.product(result, sub)]
                if len(result) > MAX_TERMS:
                    return None
            return result
        result = []
        for part in parts:
            sub = dnf(part)
            if sub is None:
                return None
            result += sub
        if not parts:
            return []  # any([]) holds for no case
        return result if len(result) <= MAX_TERMS else None

    conj = dnf(cond)
    if conj is None:
        return None
    terms = []
    for atoms in conj:
        term = Term()
        for atom in atoms:
            _add_atom(term, atom, vocab)
        # Several text constraints on one field are a conjunction we do not reason about.
        if any(len(p) > 1 for p in term.prefixes.values()):
            term.opaque = True
        terms.append(term)
    return terms


def _text_within(narrow: str, broad: str) -> bool:
    # "=x" is the exact value x; anything else is a prefix.
    if broad.startswith("="):
        return narrow == broad
    return (
        narrow.lstrip("=").startswith(broad) if narrow.startswith("=") else narrow.startswith(broad)
    )


def implies(narrow: Term, broad: Term, vocab: Vocabulary) -> bool:
    """Whether every case `narrow` admits is admitted by `broad` (sound, not complete: False
    when unsure)."""
    if narrow.empty:
        return True
    if broad.empty or broad.opaque:
        return False
    for f, (lo, hi) in broad.ranges.items():
        n = narrow.ranges.get(f)
        if n is None:
            return False
        if n[0] < lo or n[1] > hi:
            return False
    for f, allowed in broad.sets.items():
        n = narrow.sets.get(f, _universe(f, vocab))
        if not n <= allowed:
            return False
    for f, want in broad.bools.items():
        if narrow.bools.get(f) != want:
            return False
    for f, (pattern,) in broad.prefixes.items():
        mine = narrow.prefixes.get(f)
        if not mine or len(mine) != 1 or not _text_within(mine[0], pattern):
            return False
    return True


def cond_implies(narrow: list[Term], broad: list[Term], vocab: Vocabulary) -> bool:
    """Every case of `narrow` is a case of `broad`: each term falls within one term of broad."""
    return all(any(implies(n, b, vocab) for b in broad) for n in narrow)


def _excludes(terms: list[Term], probe: Term, vocab: Vocabulary) -> bool:
    """No term can hold together with the probe (the probe contradicts each term)."""
    for term in terms:
        if term.empty:
            continue
        clash = False
        for f, want in probe.bools.items():
            if f in term.bools and term.bools[f] != want:
                clash = True
        for f, (plo, phi) in probe.ranges.items():
            if f in term.ranges:
                lo, hi = term.ranges[f]
                if max(lo, plo) > min(hi, phi):
                    clash = True
        if not clash:
            return False
    return True


# Facts that admit the pack's objections: a case with an open complaint (the dispute hold), an
# unverified death report (the death hold), a time-barred debt (the limitation rule: such a
# case has both the flag and a deadline already past).
PROBES: dict[str, Term] = {
    "dispute": Term(bools={"open_complaint": True}),
    "death_verification": Term(bools={"death_report": True}),
    "time_barred": Term(bools={"time_barred": True}, ranges={"days_to_limitation": (-INF, -1)}),
}


def admits(segments: list[list[Term] | None], index: int, probe: str, vocab: Vocabulary) -> bool:
    """Whether segment `index` may receive a case with the probed fact: False when its own
    condition rules the fact out, or an earlier segment takes every such case."""
    terms = segments[index]
    if terms is None:
        return True
    fact = PROBES[probe]
    if _excludes(terms, fact, vocab):
        return False
    for earlier in segments[:index]:
        if earlier is not None and any(implies(fact, t, vocab) for t in earlier):
            return False
    return True


# --------------------------------------------------------------------------- validation


def _text(value, limit: int = 100) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= limit


def validate(definition, vocab: Vocabulary) -> list[Problem]:
    """Every problem of a definition, each naming its segment, path, step and field; an empty
    list means it may be saved."""
    problems: list[Problem] = []
    if not isinstance(definition, Mapping) or not isinstance(definition.get("segments"), list):
        return [Problem("shape", _("The strategy needs a list of segments (“segments:”)."))]
    segs = definition["segments"]
    if not segs:
        return [Problem("no_segments", _("The strategy has no segments."))]
    seen: set[str] = set()
    conds: list[list[Term] | None] = []
    catch_all_at: int | None = None
    for i, seg in enumerate(segs):
        label = f"#{i + 1}"
        if not isinstance(seg, Mapping):
            problems.append(Problem("shape", _("A segment must be a mapping."), segment=label))
            conds.append(None)
            continue
        key = seg.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key):
            problems.append(
                Problem(
                    "key",
                    _("The segment key must be lower-case letters, digits, “_” or “-”."),
                    segment=label,
                    field="key",
                )
            )
        else:
            label = key
            if key in seen:
                problems.append(
                    Problem("duplicate", _("Two segments have this key."), segment=key, field="key")
                )
            seen.add(key)
        for name in ("name_zh", "name_en"):
            if not _text(seg.get(name)):
                problems.append(
                    Problem("name", _("The segment needs a name."), segment=label, field=name)
                )
        hold = seg.get("holding_days", 0)
        if isinstance(hold, bool) or not isinstance(hold, int) or not 0 <= hold <= 365:
            problems.append(
                Problem(
                    "holding_days",
                    _("Holding days must be a whole number from 0 to 365."),
                    segment=label,
                    field="holding_days",
                )
            )
        exits = seg.get("exit") or []
        if not isinstance(exits, list) or any(e not in EXITS for e in exits):
            problems.append(
                Problem(
                    "exit",
                    _("Unknown exit condition (known: %(known)s).") % {"known": ", ".join(EXITS)},
                    segment=label,
                    field="exit",
                )
            )
        cond, errs = parse_condition(seg.get("when"), vocab)
        for err in errs:
            problems.append(Problem("condition", err, segment=label, field="when"))
        terms = None if errs else to_terms(cond, vocab)
        conds.append(terms)
        if not errs and cond == ("all", []) and catch_all_at is None:
            catch_all_at = i
        channels = _validate_paths(seg, label, vocab, problems)
        if terms is not None:
            _check_pack(conds, i, label, channels, vocab, problems)
    # Precedence: what can never match.
    for j, terms in enumerate(conds):
        label = _label(segs, j)
        if terms is None:
            continue
        if not terms or all(t.empty for t in terms):
            problems.append(
                Problem(
                    "never",
                    _("This segment's condition can never hold."),
                    segment=label,
                    field="when",
                )
            )
            continue
        for i in range(j):
            if conds[i] is not None and cond_implies(terms, conds[i], vocab):
                problems.append(
                    Problem(
                        "shadowed",
                        _(
                            "This segment can never match: the earlier segment “%(earlier)s” "
                            "takes all its cases."
                        )
                        % {"earlier": _label(segs, i)},
                        segment=label,
                        field="when",
                    )
                )
                break
    if catch_all_at is None:
        problems.append(
            Problem(
                "catch_all",
                _(
                    "The last segment must be a catch-all (an empty condition) so every case "
                    "lands in a segment."
                ),
                segment=_label(segs, len(segs) - 1),
                field="when",
            )
        )
    return problems


def _label(segs, i: int) -> str:
    seg = segs[i]
    key = seg.get("key") if isinstance(seg, Mapping) else None
    return key if isinstance(key, str) and key else f"#{i + 1}"


def _validate_paths(seg: Mapping, label: str, vocab: Vocabulary, problems: list) -> set[str]:
    paths = seg.get("paths")
    channels: set[str] = set()
    if not isinstance(paths, list) or not paths:
        problems.append(
            Problem(
                "paths", _("The segment needs at least one path."), segment=label, field="paths"
            )
        )
        return channels
    total = 0
    keys: set[str] = set()
    for p_i, path in enumerate(paths):
        if not isinstance(path, Mapping):
            problems.append(Problem("shape", _("A path must be a mapping."), segment=label))
            continue
        pkey = path.get("key")
        plabel = pkey if isinstance(pkey, str) and pkey else f"#{p_i + 1}"
        if not isinstance(pkey, str) or not KEY_RE.match(pkey) or pkey in keys:
            pkey = None
            problems.append(
                Problem(
                    "key",
                    _("Each path needs its own key (lower-case letters, digits, “_”, “-”)."),
                    segment=label,
                    path=plabel,
                    field="key",
                )
            )
        keys.add(pkey)
        share = path.get("share", 100 if len(paths) == 1 else None)
        if isinstance(share, bool) or not isinstance(share, int) or not 0 <= share <= 100:
            problems.append(
                Problem(
                    "share",
                    _("A path's share must be a whole percent from 0 to 100."),
                    segment=label,
                    path=plabel,
                    field="share",
                )
            )
        else:
            total += share
        steps = path.get("steps") or []
        if not isinstance(steps, list):
            problems.append(
                Problem("shape", _("Steps must be a list."), segment=label, path=plabel)
            )
            continue
        skeys: set[str] = set()
        for s_i, step in enumerate(steps):
            channels |= _validate_step(step, s_i, label, plabel, skeys, vocab, problems)
    if total != 100 and not any(p.code == "share" and p.segment == label for p in problems):
        problems.append(
            Problem(
                "shares",
                _("The paths' shares add up to %(total)s%%, not 100%%.") % {"total": total},
                segment=label,
                field="share",
            )
        )
    return channels


def _validate_step(step, s_i, label, plabel, skeys, vocab, problems) -> set[str]:
    if not isinstance(step, Mapping):
        problems.append(
            Problem("shape", _("A step must be a mapping."), segment=label, path=plabel)
        )
        return set()
    skey = step.get("key")
    slabel = skey if isinstance(skey, str) and skey else f"#{s_i + 1}"

    def bad(code: str, message: str, fld: str) -> None:
        problems.append(Problem(code, message, segment=label, path=plabel, step=slabel, field=fld))

    if not isinstance(skey, str) or not KEY_RE.match(skey) or skey in skeys:
        skey = None
        bad("key", _("Each step needs its own key (lower-case letters, digits, “_”, “-”)."), "key")
    skeys.add(skey)
    offset, trigger = step.get("offset_days"), step.get("trigger")
    if (offset is None) == (trigger is None):
        bad("timing", _("A step has either a day offset or a trigger, not both."), "offset_days")
    elif offset is not None and (
        isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= 3650
    ):
        bad("timing", _("The day offset must be a whole number from 0 to 3650."), "offset_days")
    elif trigger is not None and trigger not in TRIGGERS:
        bad(
            "trigger",
            _("Unknown trigger “%(value)s” (known: %(known)s).")
            % {"value": trigger, "known": ", ".join(TRIGGERS)},
            "trigger",
        )
    channel = step.get("channel")
    if channel not in CHANNELS:
        bad(
            "channel",
            _("Unknown channel “%(value)s” (known: %(known)s).")
            % {"value": channel, "known": ", ".join(CHANNELS)},
            "channel",
        )
        return set()
    role = step.get("role")
    if role not in ROLES:
        bad(
            "role",
            _("Unknown role “%(value)s” (known: %(known)s).")
            % {"value": role, "known": ", ".join(ROLES)},
            "role",
        )
    template = step.get("template") or ""
    if channel in SENDING_CHANNELS and not template:
        bad("template", _("A step that sends something needs a template code."), "template")
    if template and (not isinstance(template, str) or not KEY_RE.match(template)):
        bad("template", _("A template code is lower-case letters, digits, “_” or “-”."), "template")
    elif channel == "letter" and template and vocab.templates and template not in vocab.templates:
        bad(
            "template",
            _("Unknown notice template “%(value)s” (known: %(known)s).")
            % {"value": template, "known": ", ".join(vocab.templates)},
            "template",
        )
    if "once" in step and not isinstance(step["once"], bool):
        bad("once", _("“once” is true or false."), "once")
    return {channel}


def _check_pack(conds, i, label, channels, vocab: Vocabulary, problems) -> None:
    """Steps the active rule pack forbids for cases the segment may receive."""
    if "legal_review" in channels and vocab.legal_barred and admits(conds, i, "time_barred", vocab):
        problems.append(
            Problem(
                "pack_legal_time_barred",
                _(
                    "A legal review step in a segment that admits time-barred debts: the rule "
                    "pack forbids legal steps on a time-barred debt (add “time_barred is_false”)."
                ),
                segment=label,
                field="channel",
            )
        )
    contact = sorted(channels & set(CONTACT_CHANNELS))
    if not contact:
        return
    for hold, fact in (("dispute", "open_complaint"), ("death_verification", "death_report")):
        if hold in vocab.contact_holds and admits(conds, i, hold, vocab):
            problems.append(
                Problem(
                    f"pack_{hold}",
                    _(
                        "Contact steps (%(channels)s) in a segment that admits cases with "
                        "“%(fact)s”: the rule pack holds collection contact then (add "
                        "“%(fact)s is_false” or an earlier segment for those cases)."
                    )
                    % {"channels": ", ".join(contact), "fact": fact},
                    segment=label,
                    field="when",
                )
            )


# --------------------------------------------------------------------------- reading it


def segment_condition(seg: Mapping, vocab: Vocabulary | None = None):
    """The parsed condition of a (validated) segment."""
    cond, errs = parse_condition(seg.get("when"), vocab or _LENIENT)
    if errs:
        raise ValueError("; ".join(errs))
    return cond


_LENIENT = Vocabulary(lenient=True)


def lenient_vocab() -> Vocabulary:
    """A vocabulary that accepts any enum value: for evaluating a definition already validated
    when it was saved (a debtor type since retired must not stop the end-of-day)."""
    return _LENIENT


def steps_of(definition: Mapping) -> Iterable[tuple[Mapping, Mapping, Mapping]]:
    """(segment, path, step) for every step."""
    for seg in definition.get("segments", []):
        for path in seg.get("paths", []):
            for step in path.get("steps") or []:
                yield seg, path, step


def segment_day(on: dt.date, entered_on: dt.date) -> int:
    """Day `on` counted in the segment: 0 on the first working day."""
    return (on - entered_on).days


def diff_summary(old: Mapping | None, new: Mapping) -> list[str]:
    """What changed from one version to the next, in words (segments added, removed, moved,
    and which parts of a kept segment changed)."""
    if not old:
        return [_("first version")]
    before = {s.get("key"): (i, s) for i, s in enumerate(old.get("segments", []))}
    after = {s.get("key"): (i, s) for i, s in enumerate(new.get("segments", []))}
    lines = []
    for key in after:
        if key not in before:
            lines.append(_("segment “%(key)s” added") % {"key": key})
    for key in before:
        if key not in after:
            lines.append(_("segment “%(key)s” removed") % {"key": key})
    kept_before = [k for k in before if k in after]
    kept_after = [k for k in after if k in before]
    if kept_before != kept_after:
        lines.append(_("segment order changed"))
    parts = {
        "when": _("condition"),
        "paths": _("paths and steps"),
        "holding_days": _("holding days"),
        "exit": _("exit conditions"),
        "name_zh": _("name"),
        "name_en": _("name"),
    }
    for key in kept_after:
        a, b = before[key][1], after[key][1]
        changed = sorted({str(label) for f, label in parts.items() if a.get(f) != b.get(f)})
        if changed:
            lines.append(
                _("segment “%(key)s”: %(parts)s changed")
                % {"key": key, "parts": ", ".join(changed)}
            )
    return lines or [_("no change")]
