"""Reads: the current version of a pack, the pack a product follows, the LPR in force.

Rule packs and the LPR table are configuration, not personal data: they are read by every
role, so these selectors take no requesting user.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from arrears.compliance.models import LprRate, ProductRulePack, RuleOverride, RulePack


def default_pack_code() -> str:
    """The pack products follow unless a ProductRulePack says otherwise."""
    return getattr(settings, "ARREARS_DEFAULT_RULEPACK", "cn_default")


def pack_current(code: str) -> RulePack | None:
    """The highest version of the pack `code`, or None if there is no such pack."""
    return RulePack.objects.filter(code=code).order_by("-version").first()


def packs_current() -> list[RulePack]:
    """The current version of every pack, by code."""
    latest: dict[str, RulePack] = {}
    for pack in RulePack.objects.order_by("code", "-version"):
        latest.setdefault(pack.code, pack)
    return list(latest.values())


def pack_for_product(product) -> RulePack:
    """The current version of the pack a product follows (the default pack when none is set)."""
    choice = ProductRulePack.objects.filter(product=product).values_list("pack_code", flat=True)
    code = choice.first() or default_pack_code()
    pack = pack_current(code)
    if pack is None:
        raise LookupError(f"rule pack {code!r} does not exist")
    return pack


def pack_export(pack: RulePack) -> dict:
    """A pack version as the JSON-ready dict `arrears rulepack export` writes."""
    return {
        "code": pack.code,
        "version": pack.version,
        "name": pack.name,
        "is_active": pack.is_active,
        "rules": [
            {
                "rule_id": r.rule_id,
                "kind": r.kind,
                "mode": r.mode,
                "parameters": r.parameters,
                "overridable": r.overridable,
                "override_roles": list(r.override_roles),
                "description_zh": r.description_zh,
                "description_en": r.description_en,
                "source": r.source,
            }
            for r in pack.rules.order_by("rule_id")
        ],
    }


def overridden_rules(object_ref: str) -> set[str]:
    """Rule ids with a recorded override on an object, for `check_action(overridden=…)`."""
    return set(RuleOverride.objects.filter(object_ref=object_ref).values_list("rule_id", flat=True))


@dataclass(frozen=True)
class LprInForce:
    """The one-year LPR in force on a date and the announcement it comes from.

    `carried_forward` is true when the date falls after the last month in the table (or the
    row itself was carried forward): the value may be stale and an admin should add the
    published one.
    """

    one_year_rate: Decimal
    five_year_rate: Decimal
    month: dt.date
    published_on: dt.date
    carried_forward: bool


def lpr_in_force(on: dt.date) -> LprInForce | None:
    """The latest announcement published on or before `on`; None before the first one."""
    row = LprRate.objects.filter(published_on__lte=on).order_by("-published_on").first()
    if row is None:
        return None
    # The next announcement after `row` should have come about a month later; without it the
    # value is carried forward.
    next_expected = (row.month.replace(day=28) + dt.timedelta(days=4)).replace(day=20)
    stale = (
        on > next_expected + dt.timedelta(days=3)
        and not LprRate.objects.filter(month__gt=row.month).exists()
    )
    return LprInForce(
        one_year_rate=row.one_year_rate,
        five_year_rate=row.five_year_rate,
        month=row.month,
        published_on=row.published_on,
        carried_forward=row.carried_forward or stale,
    )


# --------------------------------------------------------------------------- the override report

OVERRIDE_READ = "compliance.overrides.read"
_EARLIEST = dt.date(1900, 1, 1)
_LATEST = dt.date(9000, 1, 1)


def overrides_readable(user) -> object:
    """`user` if their role may read the override report; PermissionDenied otherwise.

    The roles that may (administrator, manager, auditor) read the whole book, so the report
    needs no further scoping.
    """
    from django.core.exceptions import PermissionDenied

    if not (user.is_authenticated and user.can(OVERRIDE_READ)):
        raise PermissionDenied("only a manager, an auditor or an administrator reads overrides")
    return user


@dataclass(frozen=True)
class OverrideFilters:
    """What to look for in the override report. Empty means "any"; dates are local days with
    both ends included. `rule` matches a rule id exactly or as a prefix ("CN." finds every
    China rule); `case` finds overrides on the case and on its activities."""

    rule: str = ""
    actor: str = ""
    role: str = ""
    pack: str = ""
    case: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def as_dict(self) -> dict:
        return {
            k: v.isoformat() if isinstance(v, dt.date) else v
            for k, v in self.__dict__.items()
            if v not in ("", None)
        }


def _day_start(day: dt.date) -> dt.datetime:
    from arrears.core.dates import local_zone

    return dt.datetime.combine(day, dt.time.min, tzinfo=local_zone())


def override_entries(*, user, filters: OverrideFilters | None = None):
    """The overrides matching `filters`, newest first (a queryset: page or stream it)."""
    from django.db.models import Q

    overrides_readable(user)
    f = filters or OverrideFilters()
    qs = RuleOverride.objects.select_related("pack", "actor")
    if f.rule:
        rule = f.rule.strip().upper()
        qs = qs.filter(
            Q(rule_id=rule) | Q(rule_id__startswith=rule if rule.endswith(".") else rule + ".")
        )
    if f.actor:
        qs = qs.filter(actor__username=f.actor.strip())
    if f.role:
        qs = qs.filter(role=f.role)
    if f.pack:
        qs = qs.filter(pack__code=f.pack.strip())
    if f.case is not None:
        from arrears.activities.models import Activity

        activities = Activity.objects.filter(case_id=f.case).values_list("pk", flat=True)
        qs = qs.filter(
            Q(object_ref=f"case:{f.case}")
            | Q(object_ref__in=[f"activity:{pk}" for pk in activities.iterator()])
        )
    if f.date_from and f.date_from > _EARLIEST:
        qs = qs.filter(created_at__gte=_day_start(f.date_from))
    if f.date_to and f.date_to < _LATEST:
        qs = qs.filter(created_at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    return qs.order_by("-created_at", "-id")


@dataclass(frozen=True)
class OverrideRow:
    """One override as the report shows it: the object resolved to its case and loan."""

    override: RuleOverride
    case_id: int | None
    loan_id: str


def override_rows(overrides) -> list[OverrideRow]:
    """Resolve each override's object ("case:42", "activity:7") to its case and loan, in
    three queries for the lot."""
    from arrears.activities.models import Activity
    from arrears.cases.models import Case

    items = list(overrides)

    def ids(prefix: str) -> set[int]:
        out = set()
        for o in items:
            kind, _, pk = o.object_ref.partition(":")
            if kind == prefix and pk.isdigit():
                out.add(int(pk))
        return out

    case_of_activity = dict(
        Activity.objects.filter(pk__in=ids("activity")).values_list("pk", "case_id")
    )
    case_ids = ids("case") | set(case_of_activity.values())
    loan_of_case = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "loan__external_id"))
    rows = []
    for o in items:
        kind, _, pk = o.object_ref.partition(":")
        case_id = None
        if pk.isdigit():
            case_id = int(pk) if kind == "case" else case_of_activity.get(int(pk))
        if case_id not in loan_of_case:
            case_id = None
        rows.append(OverrideRow(o, case_id, loan_of_case.get(case_id, "") if case_id else ""))
    return rows


def override_summary(qs) -> dict[str, list[tuple[str, int]]]:
    """How many overrides per rule and per person in a filtered set, most first."""
    from django.db.models import Count

    def count(field: str) -> list[tuple[str, int]]:
        return [
            (row[field], row["n"])
            for row in qs.order_by().values(field).annotate(n=Count("id")).order_by("-n", field)
        ]

    from arrears.core.models import User

    actors = count("actor_id")
    names = {
        u.pk: u.get_full_name() or u.username
        for u in User.objects.filter(pk__in=[pk for pk, _n in actors if pk is not None])
    }
    return {
        "rules": count("rule_id"),
        "actors": [(names.get(pk, "—"), n) for pk, n in actors],
    }


# The State Council publishes the next year's holiday arrangement late in the year (in
# October to December); from this day on, a missing next year is worth a warning.
CALENDAR_NEXT_YEAR_FROM = (11, 1)


def calendar_years_missing(today: dt.date) -> list[int]:
    """The years whose State Council holiday arrangement should be entered and is not: this
    year, and from 1 November the next. Without it a limitation deadline that falls on one of
    that year's holidays is not moved to the next working day (Civil Code art. 203)."""
    from arrears.core.models import CalendarDay

    years = [today.year]
    if (today.month, today.day) >= CALENDAR_NEXT_YEAR_FROM:
        years.append(today.year + 1)
    have = {d.year for d in CalendarDay.objects.filter(day__year__in=years).dates("day", "year")}
    return [y for y in years if y not in have]
