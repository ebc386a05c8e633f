"""Pure compliance checks: plain functions over plain values, no database.

A rule pack arrives as a `PackSpec` (built from the database by `RulePack.spec()`, or from a
dict by `spec_from_dict`). Every rule names a `kind`: the check below that reads it, with its
parameters. Packs are therefore data: a new pack reuses the checks with its own ids, modes and
parameters.

Three questions are answered here:

* `check_action` — at act time: may this call / SMS / letter / visit / email happen now?
* `may_contact` — when planning queues: may this case be contacted by this channel at this
  time, and if not, when next?
* `may_schedule_step`, `may_delete`, `lint_template`, `interest_cap` — the rest.

Every answer is a `Decision` listing `RuleOutcome`s (rule id, block or warn, a reason in Chinese
and English, and when the action would next be allowed where that can be known).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

# Channels, targets, purposes, steps: the vocabulary the callers use.
CALL, SMS, LETTER, VISIT, EMAIL = "call", "sms", "letter", "visit", "email"
CHANNELS = (CALL, SMS, LETTER, VISIT, EMAIL)
BORROWER, GUARANTOR, THIRD_PARTY = "borrower", "guarantor", "third_party"
COLLECT, LOCATE, COMPLAINT = "collect", "locate", "complaint"
PURPOSES = (COLLECT, LOCATE, COMPLAINT)
STEP_LEGAL, STEP_AGENCY_PLACEMENT = "legal", "agency_placement"
BLOCK, WARN = "block", "warn"
MODES = (BLOCK, WARN)
# Holds a case may carry; a pack decides which purposes each one still allows. `suspended`
# (停催) is judged from its dates by the built-in ALL.HOLD_SUSPENSION (CaseFacts.suspensions).
HOLDS = (
    "dispute",
    "death_verification",
    "cease_contact",
    "bankruptcy",
    "breathing_space",
    "suspended",
)
DEBTOR_STATUSES = ("unreachable", "deceased", "incapacitated")
# The words a message uses for the vocabulary above: a person reads "查找债务人", not "locate".
PURPOSE_WORDS = {
    COLLECT: ("催收", "collection"),
    LOCATE: ("查找债务人", "locating the debtor"),
    COMPLAINT: ("处理投诉", "contact about the complaint"),
}
CHANNEL_WORDS = {
    CALL: ("电话", "calls"),
    SMS: ("短信", "SMS"),
    LETTER: ("信函", "letters"),
    VISIT: ("外访", "visits"),
    EMAIL: ("电子邮件", "email"),
}


def _purpose_words(purposes) -> tuple[str, str]:
    if not purposes:
        return "无", "none"
    zh = "、".join(PURPOSE_WORDS.get(p, (p, p))[0] for p in purposes)
    en = ", ".join(PURPOSE_WORDS.get(p, (p, p))[1] for p in purposes)
    return zh, en


def default_timezone() -> str:
    """The configured business time zone (settings.TIME_ZONE), Asia/Shanghai without Django."""
    try:
        from django.conf import settings

        return settings.TIME_ZONE
    except Exception:  # settings not configured: pure use outside Django
        return "Asia/Shanghai"


# --------------------------------------------------------------------------- packs as values


@dataclass(frozen=True)
class RuleSpec:
    """One rule of a pack, as plain values."""

    rule_id: str
    kind: str
    mode: str = BLOCK
    parameters: Mapping = field(default_factory=dict)
    overridable: bool = False
    override_roles: tuple[str, ...] = ()
    description_zh: str = ""
    description_en: str = ""
    source: str = ""


@dataclass(frozen=True)
class PackSpec:
    """One version of a rule pack, as plain values."""

    code: str
    version: int
    rules: tuple[RuleSpec, ...]
    name: str = ""

    def of_kind(self, kind: str) -> list[RuleSpec]:
        return [r for r in self.rules if r.kind == kind]

    def get(self, rule_id: str) -> RuleSpec | None:
        return next((r for r in self.rules if r.rule_id == rule_id), None)


def spec_from_dict(data: Mapping) -> PackSpec:
    """A PackSpec from the export/seed form: {code, version, name, rules: [{rule_id, …}]}."""
    rules = tuple(
        RuleSpec(
            rule_id=r["rule_id"],
            kind=r["kind"],
            mode=r.get("mode", BLOCK),
            parameters=dict(r.get("parameters") or {}),
            overridable=bool(r.get("overridable", False)),
            override_roles=tuple(r.get("override_roles") or ()),
            description_zh=r.get("description_zh", ""),
            description_en=r.get("description_en", ""),
            source=r.get("source", ""),
        )
        for r in data["rules"]
    )
    return PackSpec(
        code=data["code"],
        version=int(data.get("version", 1)),
        rules=rules,
        name=data.get("name", ""),
    )


def _as_spec(pack) -> PackSpec:
    # Accept a RulePack model (it knows how to make its spec) without importing the ORM here.
    return pack if isinstance(pack, PackSpec) else pack.spec()


# --------------------------------------------------------------------------- facts and actions


@dataclass(frozen=True)
class Attempt:
    """One earlier contact attempt about this debt.

    `person` is a stable key for who was reached ("borrower", "guarantor:7", "contact:12");
    `about_debt` marks a telephone conversation about the debt (Reg F's quiet period).
    """

    at: dt.datetime
    channel: str = CALL
    number: str = ""
    person: str = "borrower"
    connected: bool = False
    about_debt: bool = False
    third_party: bool = False


@dataclass(frozen=True)
class Target:
    """Who an action reaches: the borrower, a guarantor (an obligor) or a third party."""

    kind: str = BORROWER
    person: str = "borrower"
    number: str = ""
    relation: str = "self"
    guarantee_kind: str = "joint"  # joint | general (一般保证)
    guarantee_released: bool = False  # the guarantee period lapsed without a demand


@dataclass(frozen=True)
class Suspension:
    """A suspension of collection (停催) on the case, in force from `starts_on` through
    `ends_on` (business dates; a suspension lifted early ends the day before it was lifted),
    with its reason in Chinese and English."""

    starts_on: dt.date
    ends_on: dt.date
    reason_zh: str = ""
    reason_en: str = ""

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class CaseFacts:
    """What a check needs to know about a case, gathered by the caller."""

    timezone: str = field(default_factory=default_timezone)
    attempts: tuple[Attempt, ...] = ()
    borrower_number: str = ""
    unreachable: bool = False
    deceased: bool = False
    incapacitated: bool = False
    holds: frozenset[str] = frozenset()
    time_barred: bool = False
    consent_outside_hours: bool = False  # the debtor agreed to contact outside the hours
    inconvenient_windows: tuple[tuple[dt.time, dt.time], ...] = ()  # times the debtor named
    opted_out: frozenset[str] = frozenset()  # channels the debtor opted out of
    refused_by: frozenset[str] = frozenset()  # third parties who asked not to be contacted
    forbearance_offered: bool = False
    debtor_enforcement_exhausted: bool = False  # for a general guarantor's defence
    suspensions: tuple[Suspension, ...] = ()  # 停催 on the case, current and coming

    @property
    def debtor_statuses(self) -> set[str]:
        return {s for s in DEBTOR_STATUSES if getattr(self, s)}


@dataclass(frozen=True)
class Action:
    """A proposed contact. `participants`/`recording_ref` None means 'not known' (planning)."""

    channel: str
    at: dt.datetime
    target: Target = field(default_factory=Target)
    purpose: str = COLLECT
    participants: int | None = None
    recording_ref: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Step:
    """A proposed escalation step (a legal step, an agency placement) on a business date."""

    kind: str
    on: dt.date
    agency_review_due_on: dt.date | None = None
    threatens_suit: bool = False


# --------------------------------------------------------------------------- answers


@dataclass(frozen=True)
class RuleOutcome:
    """What one rule says about an action."""

    rule_id: str
    mode: str
    message_zh: str
    message_en: str
    next_allowed_at: dt.datetime | None = None
    overridable: bool = False
    override_roles: tuple[str, ...] = ()
    overridden: bool = False

    @property
    def blocks(self) -> bool:
        return self.mode == BLOCK and not self.overridden


@dataclass(frozen=True)
class Decision:
    """The answer: allowed unless some outcome blocks; warnings travel with an allowed action."""

    allowed: bool
    outcomes: tuple[RuleOutcome, ...] = ()
    next_allowed_at: dt.datetime | None = None

    @property
    def blocking(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if o.blocks]

    @property
    def warnings(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.blocks]

    @property
    def rule_ids(self) -> list[str]:
        return [o.rule_id for o in self.outcomes]

    @property
    def blocking_ids(self) -> list[str]:
        return [o.rule_id for o in self.blocking]


def _decide(outcomes: Iterable[RuleOutcome], next_at: dt.datetime | None = None) -> Decision:
    outs = tuple(outcomes)
    allowed = not any(o.blocks for o in outs)
    return Decision(allowed=allowed, outcomes=outs, next_allowed_at=None if allowed else next_at)


def _outcome(
    rule: RuleSpec, zh: str, en: str, *, next_at=None, mode: str | None = None
) -> RuleOutcome:
    return RuleOutcome(
        rule_id=rule.rule_id,
        mode=mode or rule.mode,
        message_zh=zh,
        message_en=en,
        next_allowed_at=next_at,
        overridable=rule.overridable,
        override_roles=tuple(rule.override_roles),
    )


# --------------------------------------------------------------------------- time helpers


def _require_aware(value: dt.datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("compliance checks need timezone-aware datetimes")


def parse_hhmm(value: str) -> dt.time:
    hours, minutes = str(value).split(":")
    return dt.time(int(hours), int(minutes))


def _local(value: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    _require_aware(value)
    return value.astimezone(tz)


def _at(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=tz)


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number or "")


def _is_obligor(target: Target) -> bool:
    return target.kind in (BORROWER, GUARANTOR)


# --------------------------------------------------------------------------- contact checks


@dataclass(frozen=True)
class _Ctx:
    tz: ZoneInfo
    local: dt.datetime
    planning: bool


def _contact_hours(rule: RuleSpec, action: Action, facts: CaseFacts, ctx: _Ctx):
    p = rule.parameters
    if action.channel not in p.get("channels", [CALL, SMS, VISIT, EMAIL]):
        return None
    if facts.consent_outside_hours and p.get("consent_lifts", True):
        return None
    start, end = parse_hhmm(p.get("start", "08:00")), parse_hhmm(p.get("end", "22:00"))
    now = ctx.local.time()
    zone = ctx.tz.key
    if not start <= now < end:
        day = ctx.local.date() if now < start else ctx.local.date() + dt.timedelta(days=1)
        return _outcome(
            rule,
            f"联系时间须在债务人当地时间 {start:%H:%M}–{end:%H:%M} 之间（现为 {now:%H:%M}，{zone}）。",
            f"Contact only between {start:%H:%M} and {end:%H:%M} in the debtor's local time "
            f"(it is {now:%H:%M} in {zone}).",
            next_at=_at(day, start, ctx.tz),
        )
    if p.get("named_windows", False):
        for begin, finish in facts.inconvenient_windows:
            if begin <= now < finish:
                return _outcome(
                    rule,
                    f"债务人已告知 {begin:%H:%M}–{finish:%H:%M} 不便联系。",
                    f"The debtor named {begin:%H:%M}–{finish:%H:%M} as inconvenient.",
                    next_at=_at(ctx.local.date(), finish, ctx.tz),
                )
    return None


def _calls_today(action: Action, facts: CaseFacts, ctx: _Ctx, pred) -> int:
    day = ctx.local.date()
    return sum(
        1
        for a in facts.attempts
        if a.channel == CALL and _local(a.at, ctx.tz).date() == day and pred(a)
    )


def _next_midnight(ctx: _Ctx, days: int = 1) -> dt.datetime:
    return _at(ctx.local.date() + dt.timedelta(days=days), dt.time(0, 0), ctx.tz)


def _connected_calls(rule: RuleSpec, action: Action, facts: CaseFacts, ctx: _Ctx):
    if action.channel != CALL or not _is_obligor(action.target):
        return None
    limit = int(rule.parameters.get("max_per_day", 3))
    person = action.target.person
    done = _calls_today(
        action, facts, ctx, lambda a: a.connected and a.person == person and not a.third_party
    )
    if done >= limit:
        return _outcome(
            rule,
            f"今日已接通 {done} 次催收电话，每名债务人每日最多 {limit} 次（含所有人员、机构和自动外呼）。",
            f"{done} connected collection calls today; at most {limit} per debtor per day "
            "(all users, agencies and automated calls together).",
            next_at=_next_midnight(ctx),
        )
    return None


def _unanswered_attempts(rule: RuleSpec, action: Action, facts: CaseFacts, ctx: _Ctx):
    number = _digits(action.target.number)
    if action.channel != CALL or not number:
        return None
    limit = int(rule.parameters.get("max_per_number_per_day", 6))
    done = _calls_today(
        action, facts, ctx, lambda a: not a.connected and _digits(a.number) == number
    )
    if done >= limit:
        return _outcome(
            rule,
            f"该号码今日已有 {done} 次未接通，每个号码每日最多 {limit} 次。",
            f"{done} unanswered attempts to this number today; at most {limit} per number per day.",
            next_at=_next_midnight(ctx),
        )
    return None


def _third_party(rule: RuleSpec, action: Action, facts: CaseFacts, ctx: _Ctx):
    if action.target.kind != THIRD_PARTY:
        return None
    p = rule.parameters
    if action.target.person in facts.refused_by:
        return _outcome(
            rule,
            "该第三方已拒绝接受联系，不得再联系。",
            "This third party refused further contact; stop contacting them.",
        )
    statuses = set(p.get("debtor_statuses", ["unreachable", "deceased", "incapacitated"]))
    purposes = p.get("purposes", [LOCATE])
    if not facts.debtor_statuses & statuses:
        return _outcome(
            rule,
            "仅当债务人失联、死亡或无行为能力时方可联系第三方。",
            "Third parties may be contacted only when the debtor is unreachable, deceased "
            "or incapacitated.",
        )
    if action.purpose not in purposes:
        return _outcome(
            rule,
            "联系第三方只能用于查找债务人联系方式（目的须为“查找债务人”），不得催收。",
            "A third party may be contacted only to locate the debtor (purpose “locating the "
            "debtor”), never to collect.",
        )
    return None


def _third_party_once(rule: RuleSpec, action: Action, facts: CaseFacts, ctx: _Ctx):
    if action.target.kind != THIRD_PARTY:
        return None
    person = action.target.person
    earlier = [
        a
        for a in facts.attempts
        if a.person == person and a.third_party and (a.connected or a.channel != CALL)
    ]
    if earlier:
        return _outcome(
            rule,
            "已联系过该第三方一次，不得重复联系。",
            "This third party was already contacted once about the debtor's location.",
        )
    return None


def _obligor(rule: RuleSpec, action: Action, facts: CaseFacts, ctx: _Ctx):
    target = action.target
    if target.kind != GUARANTOR or action.purpose != COLLECT:
        return None
    if target.guarantee_released:
        return _outcome(
            rule,
            "保证期间已过且未向保证人主张，保证人已免责，不得向其催收。",
            "The guarantee period lapsed without a demand; the guarantor is released and may "
            "not be asked to pay.",
        )
    if target.guarantee_kind == "general" and not facts.debtor_enforcement_exhausted:
        return _outcome(
            rule,
            "一般保证人在对债务人强制执行前可拒绝承担责任（先诉抗辩权）。",
            "A general guarantor may refuse to pay until enforcement against the debtor has "
            "failed (Civil Code art. 687).",
            mode=WARN,
        )
    return None


def _case_hold(rule: RuleSpec, action: Action, facts: CaseFacts, ctx: _Ctx):
    hold = rule.parameters.get("hold", "")
    if hold not in facts.holds:
        return None
    allowed = rule.parameters.get("allowed_purposes", [])
    if action.purpose in allowed:
        return None
    names = {
        "dispute": ("存在未结争议/投诉", "an open dispute"),
        "death_verification": ("死亡信息待核实", "a death report awaiting verification"),
        "cease_contact": ("债务人已要求停止联系", "a cease-contact request"),
        "bankruptcy": ("债务人处于破产程序中", "bankruptcy proceedings"),
        "breathing_space": ("处于债务喘息期", "a breathing-space moratorium"),
    }
    zh, en = names.get(hold, (hold, hold))
    ok_zh, ok_en = _purpose_words(allowed)
    return _outcome(
        rule,
        f"案件因{zh}暂停催收联系（仅允许目的：{ok_zh}）。",
        f"Collection contact is held because of {en} (purposes still allowed: {ok_en}).",
    )


# --------------------------------------------------------------------------- the lender's own holds

# Suspension (停催) is the lender's own decision recorded on a case, not a law of one country:
# every pack applies it, and editing a pack cannot remove it (lift the suspension instead).
SUSPENSION_RULE = RuleSpec(
    rule_id="ALL.HOLD_SUSPENSION",
    kind="case_suspension",
    parameters={"allowed_purposes": [COMPLAINT], "steps": [STEP_LEGAL, STEP_AGENCY_PLACEMENT]},
    description_zh="案件停催期间暂停一切催收联系与升级步骤（仅可就投诉联系），停催结束次日恢复。",
    description_en="While a case is suspended (停催), no collection contact or escalation step "
    "(contact about a complaint stays allowed); collection resumes the day after it ends.",
    source="lender policy (cases.suspension)",
)
BUILTIN_RULES = (SUSPENSION_RULE,)


def _suspension_on(facts: CaseFacts, day: dt.date) -> Suspension | None:
    """The suspension in force on `day`, the latest-ending one if several."""
    live = [s for s in facts.suspensions if s.covers(day)]
    return max(live, key=lambda s: s.ends_on) if live else None


def suspension_words(s: Suspension) -> tuple[str, str]:
    resumes = s.ends_on + dt.timedelta(days=1)
    zh = (
        f"案件已停催（原因：{s.reason_zh or s.reason_en}），至 {s.ends_on} 止，"
        f"{resumes} 起方可恢复催收联系。"
    )
    en = (
        f"Collection is suspended ({s.reason_en or s.reason_zh}) until {s.ends_on}; "
        f"contact may resume on {resumes}."
    )
    return zh, en


def _case_suspension(rule: RuleSpec, action: Action, facts: CaseFacts, ctx: _Ctx):
    if action.purpose in rule.parameters.get("allowed_purposes", []):
        return None
    found = _suspension_on(facts, ctx.local.date())
    if found is None:
        return None
    zh, en = suspension_words(found)
    # The day after it ends, at the borrower's midnight; the contact-hours rule then moves
    # `Decision.next_allowed_at` on to the start of the hours (see _next_allowed).
    return _outcome(
        rule, zh, en, next_at=_at(found.ends_on + dt.timedelta(days=1), dt.time(0, 0), ctx.tz)
    )


def _visit(rule: RuleSpec, action: Action, facts: CaseFacts, ctx: _Ctx):
    if action.channel != VISIT:
        return None
    p = rule.parameters
    need = int(p.get("min_participants", 2))
    problems_zh, problems_en = [], []
    if not (ctx.planning and action.participants is None) and (action.participants or 0) < need:
        problems_zh.append(f"外访须至少 {need} 人")
        problems_en.append(f"a visit needs at least {need} participants")
    if (
        p.get("require_recording", True)
        and not (ctx.planning and action.recording_ref is None)
        and not (action.recording_ref or "").strip()
    ):
        problems_zh.append("须有全程录音录像记录")
        problems_en.append("a recording reference is required")
    if problems_en:
        return _outcome(
            rule, "；".join(problems_zh) + "。", "; ".join(problems_en).capitalize() + "."
        )
    return None


def _call_days(action: Action, facts: CaseFacts, ctx: _Ctx, pred) -> list[dt.date]:
    return [
        _local(a.at, ctx.tz).date()
        for a in facts.attempts
        if a.channel == CALL and a.person == action.target.person and not a.third_party and pred(a)
    ]


def _call_frequency_window(rule: RuleSpec, action: Action, facts: CaseFacts, ctx: _Ctx):
    if action.channel != CALL or not _is_obligor(action.target):
        return None
    limit = int(rule.parameters.get("max_calls", 7))
    days = int(rule.parameters.get("days", 7))
    placed = _call_days(action, facts, ctx, lambda a: True)

    def in_window(day: dt.date) -> int:
        first = day - dt.timedelta(days=days - 1)
        return sum(1 for d in placed if first <= d <= day)

    today = ctx.local.date()
    count = in_window(today)
    if count < limit:
        return None
    next_day = next(
        (
            today + dt.timedelta(days=k)
            for k in range(1, days + 1)
            if in_window(today + dt.timedelta(days=k)) < limit
        ),
        today + dt.timedelta(days=days),
    )
    return _outcome(
        rule,
        f"{days} 日内已拨打 {count} 次电话，超过 {limit} 次推定为骚扰。",
        f"{count} calls placed within {days} consecutive days; more than {limit} is presumed "
        "harassment.",
        next_at=_at(next_day, dt.time(0, 0), ctx.tz),
    )


def _conversation_quiet_period(rule: RuleSpec, action: Action, facts: CaseFacts, ctx: _Ctx):
    if action.channel != CALL or not _is_obligor(action.target):
        return None
    days = int(rule.parameters.get("days", 7))
    talks = _call_days(
        action, facts, ctx, lambda a: a.connected and a.about_debt and a.at <= action.at
    )
    today = ctx.local.date()
    # The conversation's own date is day 1 of the period.
    live = [d for d in talks if d <= today <= d + dt.timedelta(days=days - 1)]
    if not live:
        return None
    last = max(live)
    return _outcome(
        rule,
        f"{last} 已就债务进行电话交谈，之后 {days} 日内（当日为第 1 日）不得再致电。",
        f"A telephone conversation about the debt took place on {last}; no calls within "
        f"{days} days (that day is day 1).",
        next_at=_at(last + dt.timedelta(days=days), dt.time(0, 0), ctx.tz),
    )


def _opt_out(rule: RuleSpec, action: Action, facts: CaseFacts, ctx: _Ctx):
    if action.channel in facts.opted_out:
        return _outcome(
            rule,
            f"债务人已退订{CHANNEL_WORDS.get(action.channel, (action.channel,) * 2)[0]}，须立即停止。",
            f"The debtor opted out of {CHANNEL_WORDS.get(action.channel, (action.channel,) * 2)[1]};"
            " that must be honoured at once.",
        )
    return None


CONTACT_CHECKS: dict[str, Callable] = {
    "contact_hours": _contact_hours,
    "connected_calls": _connected_calls,
    "unanswered_attempts": _unanswered_attempts,
    "third_party": _third_party,
    "third_party_once": _third_party_once,
    "obligor": _obligor,
    "case_hold": _case_hold,
    "visit": _visit,
    "call_frequency_window": _call_frequency_window,
    "conversation_quiet_period": _conversation_quiet_period,
    "opt_out": _opt_out,
}


def _evaluate(
    action: Action, facts: CaseFacts, pack: PackSpec, overridden: frozenset[str], planning: bool
) -> list[RuleOutcome]:
    tz = ZoneInfo(facts.timezone)
    ctx = _Ctx(tz=tz, local=_local(action.at, tz), planning=planning)
    outcomes: list[RuleOutcome] = []
    for rule in pack.rules:
        check = CONTACT_CHECKS.get(rule.kind)
        if check is not None:
            result = check(rule, action, facts, ctx)
            if result is not None:
                outcomes.append(result)
    if (held := _case_suspension(SUSPENSION_RULE, action, facts, ctx)) is not None:
        outcomes.append(held)
    if action.text:
        audience = THIRD_PARTY if action.target.kind == THIRD_PARTY else "debtor"
        findings = lint_template(
            action.text,
            pack=pack,
            audience=audience,
            channel=action.channel,
            time_barred=facts.time_barred,
        )
        outcomes.extend(findings_to_outcomes(findings, pack))
    return [
        replace(o, overridden=True) if o.rule_id in overridden and o.overridable else o
        for o in outcomes
    ]


def _next_allowed(
    action: Action, facts: CaseFacts, pack: PackSpec, overridden: frozenset[str], planning: bool
) -> dt.datetime | None:
    # Move to the latest "next allowed" of the blocking rules and ask again, until every rule
    # passes (the 4th call today → midnight → the hours rule → 08:00). Rules whose end cannot
    # be known (a hold, a missing recording) give None.
    at = action.at
    for _ in range(32):
        blocking = [
            o
            for o in _evaluate(replace(action, at=at), facts, pack, overridden, planning)
            if o.blocks
        ]
        if not blocking:
            return at
        if any(o.next_allowed_at is None for o in blocking):
            return None
        later = max(o.next_allowed_at for o in blocking)
        if later <= at:
            return None
        at = later
    return None


def check_action(
    action: Action,
    facts: CaseFacts,
    pack,
    *,
    overridden: Iterable[str] = (),
    planning: bool = False,
) -> Decision:
    """May this contact happen? At act time (`planning=False`) a visit must show its evidence.

    `overridden` lists rule ids with a recorded override (see services.override_record);
    only overridable rules honour it.
    """
    spec = _as_spec(pack)
    _require_aware(action.at)
    if action.channel not in CHANNELS:
        raise ValueError(f"unknown channel {action.channel!r}")
    if action.purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {action.purpose!r}")
    done = frozenset(overridden)
    outcomes = _evaluate(action, facts, spec, done, planning)
    decision = _decide(outcomes)
    if decision.allowed:
        return decision
    return _decide(outcomes, _next_allowed(action, facts, spec, done, planning))


def may_contact(
    facts: CaseFacts,
    channel: str,
    at: dt.datetime,
    *,
    pack,
    target: Target | None = None,
    purpose: str = COLLECT,
) -> Decision:
    """For queues and strategies: may this case be contacted by `channel` at `at`; if not, why
    and when next (`Decision.next_allowed_at`, None when no time can be known)."""
    target = target or Target(number=facts.borrower_number)
    action = Action(channel=channel, at=at, target=target, purpose=purpose)
    return check_action(action, facts, pack, planning=True)


def classify_target(pack, relation: str) -> str:
    """Borrower, guarantor (an obligor) or third party, from a contact's relation."""
    spec = _as_spec(pack)
    if relation == "self":
        return BORROWER
    obligors = {"guarantor"}
    for rule in spec.of_kind("obligor"):
        obligors = set(rule.parameters.get("obligor_relations", ["guarantor"]))
    return GUARANTOR if relation in obligors else THIRD_PARTY


# --------------------------------------------------------------------------- steps


def _step_limitation(rule: RuleSpec, step: Step, facts: CaseFacts):
    if step.kind in rule.parameters.get("steps", [STEP_LEGAL]) and facts.time_barred:
        return _outcome(
            rule,
            "该债务已过诉讼时效，不得安排法律步骤。",
            "The debt is time-barred; no legal step may be scheduled.",
        )
    return None


def _step_time_barred_suit(rule: RuleSpec, step: Step, facts: CaseFacts):
    steps = rule.parameters.get("steps", [STEP_LEGAL])
    if facts.time_barred and (step.kind in steps or step.threatens_suit):
        return _outcome(
            rule,
            "时效已过的债务不得起诉或以起诉相威胁。",
            "A time-barred debt may not be sued on, nor a suit threatened.",
        )
    return None


def _step_agency_review(rule: RuleSpec, step: Step, facts: CaseFacts):
    if step.kind not in rule.parameters.get("steps", [STEP_AGENCY_PLACEMENT]):
        return None
    due = step.agency_review_due_on
    if due is None:
        return _outcome(
            rule,
            "该委外机构没有审查日期记录，不得委案。",
            "The agency has no review date on record; placements are blocked.",
        )
    if step.on > due:
        return _outcome(
            rule,
            f"该委外机构的年度审查已于 {due} 到期，审查完成前不得委案。",
            f"The agency's review was due on {due}; no placements until it is reviewed.",
        )
    return None


def _step_forbearance(rule: RuleSpec, step: Step, facts: CaseFacts):
    steps = rule.parameters.get("steps", [STEP_LEGAL, STEP_AGENCY_PLACEMENT])
    if step.kind in steps and not facts.forbearance_offered:
        return _outcome(
            rule,
            "升级处理前须先记录已向客户提供宽容方案。",
            "Escalation needs a record that forbearance was offered first (CONC 7.3).",
        )
    return None


def _step_suspension(rule: RuleSpec, step: Step, facts: CaseFacts):
    if step.kind not in rule.parameters.get("steps", [STEP_LEGAL, STEP_AGENCY_PLACEMENT]):
        return None
    found = _suspension_on(facts, step.on)
    if found is None:
        return None
    resumes = found.ends_on + dt.timedelta(days=1)
    return _outcome(
        rule,
        f"案件已停催（原因：{found.reason_zh or found.reason_en}），至 {found.ends_on} 止，"
        f"停催期间不得安排升级步骤，{resumes} 起方可。",
        f"Collection is suspended ({found.reason_en or found.reason_zh}) until "
        f"{found.ends_on}; no escalation step before {resumes}.",
    )


STEP_CHECKS: dict[str, Callable] = {
    "limitation_no_legal": _step_limitation,
    "time_barred_no_suit": _step_time_barred_suit,
    "agency_review": _step_agency_review,
    "forbearance_before_escalation": _step_forbearance,
}


def may_schedule_step(
    step: Step, facts: CaseFacts, *, pack, overridden: Iterable[str] = ()
) -> Decision:
    """May this escalation step be scheduled (no legal step when time-barred, no placement to
    an agency overdue for review, UK: forbearance first)?"""
    spec = _as_spec(pack)
    done = frozenset(overridden)
    outcomes = []
    for rule in spec.rules:
        check = STEP_CHECKS.get(rule.kind)
        if check is not None and (result := check(rule, step, facts)) is not None:
            if result.rule_id in done and result.overridable:
                result = replace(result, overridden=True)
            outcomes.append(result)
    if (held := _step_suspension(SUSPENSION_RULE, step, facts)) is not None:
        outcomes.append(held)
    return _decide(outcomes)


# --------------------------------------------------------------------------- retention


def retention_ends(created_on: dt.date, years: int) -> dt.date:
    """The first day a record may be deleted: its `years` anniversary.

    A record made on 29 February is kept until 1 March: retention is a minimum, so the
    short-year rounding goes the long way (unlike limitation deadlines).
    """
    try:
        return created_on.replace(year=created_on.year + years)
    except ValueError:
        return dt.date(created_on.year + years, 3, 1)


def may_delete(record_kind: str, created_at: dt.datetime, now: dt.datetime, pack) -> Decision:
    """Whether a record may be deleted: never while younger than the retention period, whatever
    the role (the rule is not overridable in the shipped packs)."""
    spec = _as_spec(pack)
    _require_aware(created_at)
    _require_aware(now)
    outcomes = []
    for rule in spec.of_kind("retention"):
        p = rule.parameters
        if record_kind in p.get("exempt_kinds", []):
            continue
        tz = ZoneInfo(p.get("timezone") or default_timezone())
        years = int(p.get("years", 5))
        ends = retention_ends(created_at.astimezone(tz).date(), years)
        if now.astimezone(tz).date() < ends:
            outcomes.append(
                _outcome(
                    rule,
                    f"{record_kind} 记录须保存至少 {years} 年，{ends} 起方可删除。",
                    f"{record_kind} records are kept at least {years} years; deletion is possible "
                    f"from {ends}.",
                    next_at=_at(ends, dt.time(0, 0), tz),
                )
            )
    decision = _decide(outcomes)
    if decision.allowed:
        return decision
    return _decide(outcomes, max(o.next_allowed_at for o in outcomes))


# --------------------------------------------------------------------------- the linter


@dataclass(frozen=True)
class Finding:
    """One match of the template linter: which rule, what text where, and why."""

    rule_id: str
    category: str
    mode: str
    start: int
    end: int
    text: str
    reason_zh: str
    reason_en: str


def _pattern(entry: Mapping) -> re.Pattern:
    if "regex" in entry:
        source = entry["regex"]
    else:
        phrase = entry["phrase"]
        source = re.escape(phrase)
        # English phrases match whole words ("police" must not match "policy"); Chinese has no
        # word boundaries, so only phrases that start and end with a letter or digit are wrapped.
        if phrase.isascii() and phrase[:1].isalnum() and phrase[-1:].isalnum():
            source = rf"\b{source}\b"
    return re.compile(source, re.IGNORECASE)


def compile_entries(entries: Iterable[Mapping]) -> list[str]:
    """The problems with a list of linter entries (bad regexes, missing fields); [] when fine."""
    problems = []
    for i, entry in enumerate(entries):
        if "regex" not in entry and not entry.get("phrase"):
            problems.append(f"entry {i}: needs `phrase` or `regex`")
            continue
        try:
            _pattern(entry)
        except re.error as exc:
            problems.append(f"entry {i}: bad regex {entry.get('regex')!r}: {exc}")
        if entry.get("mode", BLOCK) not in MODES:
            problems.append(f"entry {i}: mode must be block or warn")
    return problems


def _matches(rule: RuleSpec, entries, text: str, category: str, reasons: Mapping, mode: str):
    for entry in entries:
        cat = entry.get("category", category)
        cat_info = reasons.get(cat, {})
        entry_mode = entry.get("mode") or cat_info.get("mode") or mode
        if rule.mode == WARN:
            entry_mode = WARN
        for m in _pattern(entry).finditer(text):
            yield Finding(
                rule_id=rule.rule_id,
                category=cat,
                mode=entry_mode,
                start=m.start(),
                end=m.end(),
                text=m.group(0),
                reason_zh=entry.get("reason_zh") or cat_info.get("reason_zh", ""),
                reason_en=entry.get("reason_en") or cat_info.get("reason_en", ""),
            )


def lint_template(
    text: str,
    *,
    pack,
    audience: str = "debtor",
    channel: str = SMS,
    time_barred: bool = False,
) -> list[Finding]:
    """Check a message or template text against the pack's lists.

    Conduct (threats, insults, impersonation, false legal claims, shaming) for every audience;
    any mention of the debt when the audience is a third party; a missing opt-out where the pack
    requires one for the channel; suit wording on a time-barred debt. Lists live in the rules'
    parameters (see docs/compliance.md to extend them).
    """
    spec = _as_spec(pack)
    if audience not in ("debtor", THIRD_PARTY):
        raise ValueError(f"audience is debtor or third_party, not {audience!r}")
    findings: list[Finding] = []
    for rule in spec.of_kind("conduct_lint"):
        p = rule.parameters
        findings += _matches(rule, p.get("phrases", []), text, "", p.get("categories", {}), BLOCK)
    if audience == THIRD_PARTY:
        for rule in spec.of_kind("third_party"):
            findings += _matches(
                rule,
                rule.parameters.get("debt_words", []),
                text,
                "debt_mention",
                {
                    "debt_mention": {
                        "reason_zh": "发给第三方的内容不得提及债务。",
                        "reason_en": "A message to a third party may not mention the debt.",
                    }
                },
                rule.mode,
            )
    for rule in spec.of_kind("opt_out"):
        p = rule.parameters
        if channel in p.get("channels", [SMS, EMAIL]):
            if not any(_pattern(e).search(text) for e in p.get("patterns", [])):
                findings.append(
                    Finding(
                        rule_id=rule.rule_id,
                        category="opt_out_missing",
                        mode=rule.mode,
                        start=0,
                        end=0,
                        text="",
                        reason_zh="短信和电子邮件须包含简便的退订方式（如“回复TD退订”）。",
                        reason_en='Every text and email needs a simple opt-out (e.g. "Reply STOP").',
                    )
                )
    if time_barred:
        for rule in spec.of_kind("time_barred_no_suit"):
            findings += _matches(
                rule,
                rule.parameters.get("suit_words", []),
                text,
                "suit_threat",
                {
                    "suit_threat": {
                        "reason_zh": "时效已过的债务不得以起诉相威胁。",
                        "reason_en": "A time-barred debt: no suit may be threatened.",
                    }
                },
                rule.mode,
            )
    # A warning inside a blocking match of the same rule adds nothing (老赖 in 你这个老赖).
    blocking = [f for f in findings if f.mode == BLOCK]
    kept = [
        f
        for f in findings
        if f.mode == BLOCK
        or not any(
            b.rule_id == f.rule_id and b.start <= f.start and f.end <= b.end and b is not f
            for b in blocking
        )
    ]
    return sorted(kept, key=lambda f: (f.start, f.end, f.rule_id))


def findings_to_outcomes(findings: Iterable[Finding], pack) -> list[RuleOutcome]:
    """One outcome per rule id; it blocks when any of its findings blocks."""
    spec = _as_spec(pack)
    grouped: dict[str, list[Finding]] = {}
    for f in findings:
        grouped.setdefault(f.rule_id, []).append(f)
    outcomes = []
    for rule_id, items in grouped.items():
        rule = spec.get(rule_id) or RuleSpec(rule_id=rule_id, kind="conduct_lint")
        mode = BLOCK if any(f.mode == BLOCK for f in items) else WARN
        quoted = "、".join(f"“{f.text}”" for f in items if f.text)
        zh = "；".join(dict.fromkeys(f.reason_zh for f in items))
        en = " ".join(dict.fromkeys(f.reason_en for f in items))
        outcomes.append(
            _outcome(rule, f"{zh} {quoted}".strip(), f"{en} {quoted}".strip(), mode=mode)
        )
    return outcomes


# --------------------------------------------------------------------------- interest caps


@dataclass(frozen=True)
class Cap:
    """An all-in annual rate cap and what it is (for messages naming the cap)."""

    rate: Decimal
    rule_id: str
    label_zh: str
    label_en: str


def interest_cap(
    pack, product_type: str, contract_date: dt.date, lpr: Callable[[dt.date], Decimal | None]
) -> Cap | None:
    """The cap on a product type's all-in annual rate for a contract made on `contract_date`.

    Each product type has periods [{from, rate} | {from, lpr_multiple}]; the latest period that
    started on or before the contract date applies; no period means no cap. `lpr(date)` gives
    the one-year LPR in force on a date (as a fraction).
    """
    spec = _as_spec(pack)
    for rule in spec.of_kind("interest_cap"):
        periods = rule.parameters.get("caps", {}).get(product_type) or []
        started = [p for p in periods if dt.date.fromisoformat(p["from"]) <= contract_date]
        if not started:
            continue
        period = max(started, key=lambda p: p["from"])
        if "rate" in period:
            rate = Decimal(str(period["rate"]))
            return Cap(
                rate,
                rule.rule_id,
                f"{product_type} 年化综合成本上限 {rate:.2%}",
                f"the {product_type} all-in cap of {rate:.2%} a year",
            )
        multiple = Decimal(str(period["lpr_multiple"]))
        base = lpr(contract_date)
        if base is None:
            raise LookupError(f"no one-year LPR in force on {contract_date}")
        rate = multiple * base
        return Cap(
            rate,
            rule.rule_id,
            f"合同成立时一年期LPR（{base:.2%}）的 {multiple} 倍，即 {rate:.2%}",
            f"{multiple} × the one-year LPR at the contract date ({base:.2%}) = {rate:.2%}",
        )
    return None
