"""Allocation by rules (分案) and absence cover: who gets the new cases (docs/allocation.md).

Two steps, both read set-based (a handful of queries over whole tables) and written through
`cases_assign_bulk`, one call per receiving person, so every move is a CaseAssignment row with
its reason and `cause` and an audit entry:

1. **Team.** An open case with no team goes to the team of the first active AllocationRule
   (by `position`) whose filled conditions all match: region path prefix, product, DPD range,
   borrower kind, debtor type. No rule matching: the case stays without a team (counted).
2. **Collector.** An open case of a team with no collector goes, in order of preference, to
   - the collector who has the relationship (continuity): the previous case's collector, else
     the collector of the borrower's other open case — if in the team, present and not full;
   - else one of the team's present collectors with a region or dialect skill covering the
     borrower's region path, if any has room; else any present collector with room;
   - the least loaded of them, load = count ÷ team mean count + amount ÷ team mean amount (so
     count and amount are balanced together), cases taken largest amount first. A new
     collector (joined within NEW_COLLECTOR_DAYS) counts double, so takes about half a share.
   - "room" is `User.case_capacity` (the most open cases a person holds; blank: no limit).

Absence cover: the cases of a collector absent on the day the work is for (as-of + 1) go to
teammates by the same balance (cause `cover`, a CaseCover row each); at the first run after
the absence they go back (cause `cover_return`) if still with the teammate. A move, not an
assist: the day's queues, workload and rotation all read the case's collector, so the cover
works the case fully, and the return restores the relationship.

Suspended cases (停催 in force) are not allocated or moved.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Subquery, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from arrears.cases.assignment import Target, cases_assign_each
from arrears.cases.models import (
    Absence,
    AllocationRule,
    Case,
    CaseCover,
    CaseSuspension,
    CollectorSkill,
    suspended_on,
)
from arrears.core.models import User
from arrears.core.roles import Role

NEW_COLLECTOR_DAYS = 30
NEW_COLLECTOR_WEIGHT = 2  # a new collector's load counts double: about half a share


@dataclass
class Person:
    """A collector as the planner sees them: plain values, updated as cases are planned."""

    id: int
    team_id: int | None
    capacity: int | None = None
    count: int = 0
    amount_fen: int = 0
    new: bool = False
    skills: tuple[str, ...] = ()

    def has_room(self) -> bool:
        return self.capacity is None or self.count < self.capacity


@dataclass
class Item:
    """A case to place: its team, region path, amount due and the people it knows."""

    case_id: int
    team_id: int
    region: str = ""
    amount_fen: int = 0
    prefer: tuple[int, ...] = ()
    exclude: int | None = None


@dataclass
class Plan:
    """The planned moves: case → (collector, why), and the cases that found nobody."""

    moves: dict[int, tuple[int, str]] = field(default_factory=dict)
    unplaced: list[int] = field(default_factory=list)
    teams: dict[int, int] = field(default_factory=dict)  # case → team routed by a rule
    no_rule: list[int] = field(default_factory=list)


def plan_collectors(items: list[Item], people: list[Person]) -> Plan:
    """Place each item with a collector of its team (pure; see the module docstring).

    Largest amounts first, each to the least loaded eligible person, so both the count and the
    amount come out even (the greedy longest-first rule: no one ends more than one case's
    worth above the mean where everyone is eligible).
    """
    plan = Plan()
    by_team: dict[int, list[Person]] = defaultdict(list)
    for p in people:
        if p.team_id is not None:
            by_team[p.team_id].append(p)
    by_id = {p.id: p for p in people}
    incoming: dict[int, list[Item]] = defaultdict(list)
    for it in items:
        incoming[it.team_id].append(it)
    for team_id, team_items in incoming.items():
        team = by_team.get(team_id, [])
        if not team:
            plan.unplaced += [it.case_id for it in team_items]
            continue
        n = len(team)
        mean_count = max(1.0, (sum(p.count for p in team) + len(team_items)) / n)
        mean_amount = max(
            1.0, (sum(p.amount_fen for p in team) + sum(i.amount_fen for i in team_items)) / n
        )

        def load(p: Person, mc=mean_count, ma=mean_amount) -> tuple:
            weight = NEW_COLLECTOR_WEIGHT if p.new else 1
            return (weight * (p.count / mc + p.amount_fen / ma), p.count, p.id)

        for it in sorted(team_items, key=lambda i: (-i.amount_fen, i.case_id)):
            chosen, why = None, "balance"
            for pid in it.prefer:
                p = by_id.get(pid)
                if p is not None and p.team_id == team_id and p.has_room() and pid != it.exclude:
                    chosen, why = p, "continuity"
                    break
            if chosen is None:
                room = [p for p in team if p.has_room() and p.id != it.exclude]
                skilled = [p for p in room if any(it.region.startswith(s) for s in p.skills)]
                pool = skilled or room
                if pool:
                    chosen = min(pool, key=load)
                    why = "skill" if skilled else "balance"
            if chosen is None:
                plan.unplaced.append(it.case_id)
                continue
            chosen.count += 1
            chosen.amount_fen += it.amount_fen
            plan.moves[it.case_id] = (chosen.id, why)
    return plan


def rule_matches(rule: AllocationRule, row: dict) -> bool:
    """Whether every filled condition of `rule` holds for the case `row` (plain values)."""
    if rule.region_prefix and not row["region"].startswith(rule.region_prefix):
        return False
    if rule.product_id and row["product_id"] != rule.product_id:
        return False
    if rule.dpd_min is not None and row["dpd"] < rule.dpd_min:
        return False
    if rule.dpd_max is not None and row["dpd"] > rule.dpd_max:
        return False
    if rule.borrower_kind and row["kind"] != rule.borrower_kind:
        return False
    return not (rule.debtor_type_id and row["debtor_type_id"] != rule.debtor_type_id)


# --- reading the book ------------------------------------------------------------------------


def live_absences():
    """Absences not cancelled (a cancelled one is kept for its cover rows and the record)."""
    return Absence.objects.filter(cancelled_on__isnull=True)


def absent_ids(day: dt.date) -> set[int]:
    """People away on `day`."""
    return set(
        live_absences()
        .filter(starts_on__lte=day, ends_on__gte=day)
        .values_list("user_id", flat=True)
    )


def not_suspended(qs, day: dt.date):
    """`qs` of cases without a suspension in force on `day`."""
    held = CaseSuspension.objects.filter(suspended_on(day), case_id=OuterRef("pk"))
    return qs.filter(~Exists(held))


def _amounts(case_qs) -> dict[int, int]:
    """Case id → amount due (latest end-of-day figures; 0 before the first run): one read
    through a subquery, for a whole set of cases (amounts_of_loans for a few of them)."""
    from arrears.eod.models import LoanState

    loan_of = dict(case_qs.values_list("pk", "loan_id"))
    due = dict(
        LoanState.objects.filter(loan_id__in=case_qs.values("loan_id")).values_list(
            "loan_id", "total_due_fen"
        )
    )
    return {pk: int(due.get(loan, 0) or 0) for pk, loan in loan_of.items()}


def amounts_of_loans(loan_of: dict[int, int]) -> dict[int, int]:
    """Case id → amount due for the cases of `loan_of` (case id → loan id), looked up in
    chunks: a night's few rotated cases need not read the amounts of every held case."""
    from arrears.eod.models import LoanState
    from arrears.ingest.bulk import LOOKUP_CHUNK, chunked

    due: dict[int, int] = {}
    for chunk in chunked(sorted(set(loan_of.values())), LOOKUP_CHUNK):
        due.update(
            LoanState.objects.filter(loan_id__in=chunk).values_list("loan_id", "total_due_fen")
        )
    return {pk: int(due.get(loan, 0) or 0) for pk, loan in loan_of.items()}


def people(day: dt.date, *, team_ids=None) -> list[Person]:
    """Present active collectors (of `team_ids`) with their open-case count and amount."""
    from arrears.eod.models import LoanState

    away = absent_ids(day)
    users = User.objects.filter(is_active=True, role=Role.COLLECTOR, team__isnull=False)
    if team_ids is not None:
        users = users.filter(team_id__in=team_ids)
    rows = list(users.values_list("pk", "team_id", "case_capacity", "date_joined"))
    open_cases = Case.objects.filter(status=Case.Status.OPEN, collector__isnull=False)
    counts = dict(
        open_cases.values("collector_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("collector_id", "n")
    )
    due = LoanState.objects.filter(loan_id=OuterRef("loan_id")).values("total_due_fen")[:1]
    amounts = dict(
        open_cases.annotate(due=Subquery(due))
        .values("collector_id")
        .annotate(total=Sum("due"))
        .order_by()
        .values_list("collector_id", "total")
    )
    skills: dict[int, list[str]] = defaultdict(list)
    for uid, prefix in CollectorSkill.objects.values_list("user_id", "region_prefix"):
        skills[uid].append(prefix)
    new_since = day - dt.timedelta(days=NEW_COLLECTOR_DAYS)
    return [
        Person(
            id=pk,
            team_id=team,
            capacity=cap,
            count=counts.get(pk, 0),
            amount_fen=int(amounts.get(pk) or 0),
            new=joined is not None and joined.date() > new_since,
            skills=tuple(skills.get(pk, ())),
        )
        for pk, team, cap, joined in rows
        if pk not in away
    ]


def _region(row: dict) -> str:
    parts = (row.get("p"), row.get("c"), row.get("t"), row.get("v"))
    return "/".join(x for x in parts if x)


def _case_rows(qs) -> list[dict]:
    return [
        {
            "id": r["pk"],
            "team_id": r["team_id"],
            "region": _region(r),
            "product_id": r["loan__product_id"],
            "dpd": r["dpd"],
            "kind": r["borrower__kind"],
            "debtor_type_id": r["debtor_type_id"],
            "borrower_id": r["borrower_id"],
            "prev": r["previous_case__collector_id"],
        }
        for r in qs.values(
            "pk",
            "team_id",
            "dpd",
            "debtor_type_id",
            "borrower_id",
            "loan__product_id",
            "borrower__kind",
            "previous_case__collector_id",
            p=F("borrower__province"),
            c=F("borrower__county"),
            t=F("borrower__town"),
            v=F("borrower__village"),
        ).order_by("pk")
    ]


# --- the plan and its application -------------------------------------------------------------


def _reason(code: str, **kw) -> str:
    """The move's reason in the installation's language (it is stored as text once)."""
    with translation.override(settings.LANGUAGE_CODE):
        if code == "continuity":
            return _("Allocation by rules: kept with the collector the borrower knows.")
        if code == "skill":
            return _("Allocation by rules: region or dialect skill.")
        if code == "team":
            return _("Allocation by rules: to the team %(team)s.") % kw
        if code == "cover":
            return _("Cover while %(user)s is away until %(until)s.") % kw
        if code == "cover_return":
            return _("Back from cover: the collector has returned.")
        return _("Allocation by rules: balanced by count and amount in the team.")


@dataclass
class AllocationReport:
    """What a run did or would do (a preview has the same shape, nothing written)."""

    day: dt.date
    routed: dict[int, int] = field(default_factory=dict)  # team id → cases routed to it
    no_rule: int = 0
    placed: dict[int, int] = field(default_factory=dict)  # collector id → cases given
    placed_amount: dict[int, int] = field(default_factory=dict)
    why: dict[str, int] = field(default_factory=dict)
    unplaced: int = 0
    covered: int = 0
    returned: int = 0

    def counts(self) -> dict:
        return {
            "routed": sum(self.routed.values()),
            "no_rule": self.no_rule,
            "placed": sum(self.placed.values()),
            "unplaced": self.unplaced,
            "covered": self.covered,
            "returned": self.returned,
        }


def allocation_plan(*, day: dt.date, team_ids=None) -> tuple[AllocationReport, dict, dict]:
    """Work out (without writing) the team routing and the collector placements for `day`.

    Returns the report, case → team (routing), and case → (collector, why).
    """
    report = AllocationReport(day=day)
    base = not_suspended(Case.objects.filter(status=Case.Status.OPEN), day)
    routing: dict[int, int] = {}
    pool = base.filter(collector__isnull=True)
    routed_rows = []
    if team_ids is None:
        rules = list(AllocationRule.objects.filter(active=True).order_by("position", "pk"))
        for row in _case_rows(pool.filter(team__isnull=True)):
            rule = next((r for r in rules if rule_matches(r, row)), None)
            if rule is None:
                report.no_rule += 1
                continue
            routing[row["id"]] = rule.team_id
            routed_rows.append(row)
            report.routed[rule.team_id] = report.routed.get(rule.team_id, 0) + 1
    # Reads by subquery, never by a list of ids: a book of 100,000 cases would pass SQLite's
    # limit of bound parameters.
    held = pool.filter(team__isnull=False)
    if team_ids is not None:
        held = held.filter(team_id__in=team_ids)
    rows = _case_rows(held) + routed_rows
    amounts = _amounts(pool if team_ids is None else held)
    knows: dict[int, int] = {}
    for b, c in (
        Case.objects.filter(
            status=Case.Status.OPEN,
            collector__isnull=False,
            borrower_id__in=pool.values("borrower_id"),
        )
        .order_by("borrower_id", "-opened_on", "-pk")
        .values_list("borrower_id", "collector_id")
    ):
        knows.setdefault(b, c)
    items = [
        Item(
            case_id=r["id"],
            team_id=routing.get(r["id"], r["team_id"]),
            region=r["region"],
            amount_fen=amounts.get(r["id"], 0),
            prefer=tuple(x for x in (r["prev"], knows.get(r["borrower_id"])) if x),
        )
        for r in rows
    ]
    plan = plan_collectors(items, people(day + dt.timedelta(days=1), team_ids=team_ids))
    amount_of = {it.case_id: it.amount_fen for it in items}
    for case_id, (uid, why) in plan.moves.items():
        report.placed[uid] = report.placed.get(uid, 0) + 1
        report.placed_amount[uid] = report.placed_amount.get(uid, 0) + amount_of[case_id]
        report.why[why] = report.why.get(why, 0) + 1
    report.unplaced = len(plan.unplaced)
    return report, routing, plan.moves


def _apply_moves(
    *, actor, moves: dict[int, tuple[int, str]], cause: str, reason_for, source: str
) -> dict[int, list[int]]:
    """Move each case to its collector with the reason for its `why`, in one set-based write
    (cases_assign_each); returns collector → the cases that moved to them."""
    if not moves:
        return {}
    users = User.objects.in_bulk({uid for uid, _w in moves.values()})
    targets = {uid: Target("collector", user, None) for uid, user in users.items()}
    reasons: dict[str, str] = {}
    planned = {}
    for case_id, (uid, why) in moves.items():
        if why not in reasons:
            reasons[why] = reason_for(why)
        planned[case_id] = (targets[uid], reasons[why])
    result = cases_assign_each(actor=actor, moves=planned, source=source, cause=cause)
    done: dict[int, list[int]] = defaultdict(list)
    for case_id in result.case_ids:
        done[moves[case_id][0]].append(case_id)
    return done


@transaction.atomic
def allocation_run(
    *, day: dt.date, actor: User | None = None, source: str = "system", team_ids=None
) -> AllocationReport:
    """Cover absences, route team-less cases and place cases without a collector (writes)."""
    report = AllocationReport(day=day)
    report.returned = _cover_return(day=day, actor=actor, source=source, team_ids=team_ids)
    report.covered = _cover_absent(day=day, actor=actor, source=source, team_ids=team_ids)
    planned, routing, moves = allocation_plan(day=day, team_ids=team_ids)
    planned.covered, planned.returned = report.covered, report.returned
    # Routed cases that found no collector still go to their team.
    waiting = {c: t for c, t in routing.items() if c not in moves}
    if waiting:
        from arrears.core.models import Team

        teams = Team.objects.in_bulk(set(waiting.values()))
        targets = {t: Target("team", None, team) for t, team in teams.items()}
        texts = {t: _reason("team", team=team.name) for t, team in teams.items()}
        cases_assign_each(
            actor=actor,
            moves={c: (targets[t], texts[t]) for c, t in waiting.items()},
            source=source,
            cause="allocation",
        )
    _apply_moves(actor=actor, moves=moves, cause="allocation", reason_for=_reason, source=source)
    return planned


def _cover_absent(*, day, actor, source, team_ids) -> int:
    """Move the open cases of collectors absent tomorrow to present teammates (balanced)."""
    tomorrow = day + dt.timedelta(days=1)
    absences = {
        a.user_id: a
        for a in live_absences()
        .filter(starts_on__lte=tomorrow, ends_on__gte=tomorrow, user__role=Role.COLLECTOR)
        .select_related("user")
    }
    if not absences:
        return 0
    qs = not_suspended(
        Case.objects.filter(status=Case.Status.OPEN, collector_id__in=list(absences)), day
    )
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
    rows = list(qs.values_list("pk", "team_id", "collector_id"))
    if not rows:
        return 0
    amounts = _amounts(qs)
    items = [
        Item(case_id=pk, team_id=team, amount_fen=amounts.get(pk, 0))
        for pk, team, _c in rows
        if team is not None
    ]
    plan = plan_collectors(items, people(tomorrow, team_ids=team_ids))
    owner_of = {pk: c for pk, _t, c in rows}
    # One reason per absent person, so the history says whom the cover stands in for.
    moves = {case_id: (uid, str(owner_of[case_id])) for case_id, (uid, _why) in plan.moves.items()}

    def text(owner: str) -> str:
        absence = absences[int(owner)]
        return _reason(
            "cover",
            user=absence.user.get_full_name() or absence.user.username,
            until=absence.ends_on.isoformat(),
        )

    done = _apply_moves(actor=actor, moves=moves, cause="cover", reason_for=text, source=source)
    covers = [
        CaseCover(
            case_id=c,
            absence=absences[owner_of[c]],
            owner_id=owner_of[c],
            cover_id=uid,
            started_on=day,
        )
        for uid, ids in done.items()
        for c in ids
    ]
    CaseCover.objects.bulk_create(covers, batch_size=1000)
    return len(covers)


def _cover_return(*, day, actor, source, team_ids) -> int:
    """Give covered cases back to owners who are present tomorrow (still with the cover)."""
    tomorrow = day + dt.timedelta(days=1)
    away = absent_ids(tomorrow)
    open_covers = CaseCover.objects.filter(returned_on__isnull=True).exclude(owner_id__in=away)
    if team_ids is not None:
        open_covers = open_covers.filter(case__team_id__in=team_ids)
    rows = list(
        open_covers.values_list(
            "pk",
            "case_id",
            "owner_id",
            "cover_id",
            "case__collector_id",
            "case__status",
            "owner__is_active",
        )
    )
    if not rows:
        return 0
    suspended = set(
        CaseSuspension.objects.filter(
            suspended_on(day), case_id__in=[r[1] for r in rows]
        ).values_list("case_id", flat=True)
    )
    moves = {
        case: (owner, "cover_return")
        for _pk, case, owner, cover, holder, status, active in rows
        if status == Case.Status.OPEN and holder == cover and active and case not in suspended
    }
    # Suspended cases keep their cover row open and go back once the suspension ends.
    closing = [r[0] for r in rows if not (r[1] in suspended and r[4] == r[3])]
    _apply_moves(actor=actor, moves=moves, cause="cover_return", reason_for=_reason, source=source)
    CaseCover.objects.filter(pk__in=closing).update(returned_on=day)
    return len(moves)


def allocation_eod_phase(ctx) -> dict:
    """End-of-day phase `allocation` (order 62): cover, route and place for the next day."""
    if not ctx.is_latest:
        return {"skipped": "back-dated run"}
    return allocation_run(day=ctx.as_of, actor=None, source="system").counts()


# --- people: skills, absences; team settings (services, audited) ------------------------------


def _may_manage_person(actor, person: User) -> None:
    """Managers and administrators for anyone; a team lead for the people of their team."""
    from arrears.cases.errors import CaseForbidden

    if actor is None:
        return
    if actor.is_read_only or not actor.can("case.assign"):
        raise CaseForbidden(_("Your role may not manage people's allocation settings."))
    if actor.role == Role.TEAM_LEAD and person.team_id != actor.team_id:
        raise CaseForbidden(
            _("A team lead manages only the people of their own team."), code="outside_team"
        )


@transaction.atomic
def skills_set(
    *, user: User, skills: list[tuple[str, str, str]], actor=None, source: str = "web"
) -> list[CollectorSkill]:
    """Replace a person's skills with `skills`: (kind, label, region prefix) each (audited)."""
    from arrears.cases.errors import CaseInvalid
    from arrears.core.audit import audit_record

    _may_manage_person(actor, user)
    clean: dict[tuple[str, str], str] = {}
    for n, (kind, label, prefix) in enumerate(skills, start=1):
        prefix = (prefix or "").strip().strip("/")
        label = (label or "").strip()
        if kind not in CollectorSkill.Kind.values:
            raise CaseInvalid(
                "skills",
                _("Skill %(n)d: the kind is region or dialect.") % {"n": n},
                code="bad_choice",
            )
        if not prefix or len(prefix) > 200:
            raise CaseInvalid(
                "skills",
                _("Skill %(n)d: give the region it covers (e.g. 广东省/梅州市).") % {"n": n},
                code="required",
            )
        if kind == CollectorSkill.Kind.DIALECT and not label:
            raise CaseInvalid(
                "skills", _("Skill %(n)d: name the dialect.") % {"n": n}, code="required"
            )
        clean[(kind, prefix)] = label[:50]
    before = list(
        CollectorSkill.objects.filter(user=user).values_list("kind", "label", "region_prefix")
    )
    CollectorSkill.objects.filter(user=user).delete()
    rows = CollectorSkill.objects.bulk_create(
        [
            CollectorSkill(user=user, kind=k, label=label, region_prefix=p)
            for (k, p), label in clean.items()
        ]
    )
    audit_record(
        actor=actor,
        event="skill.save",
        object_type="user",
        object_id=user.pk,
        before={"skills": [list(b) for b in before]},
        after={"skills": [[k, label, p] for (k, p), label in clean.items()]},
        source=source,
    )
    return rows


def _absence_dates_check(
    *, user: User, starts_on: dt.date, ends_on: dt.date, ignore: int | None = None
) -> None:
    """The dates an absence may have: in order, not over, at most a year, no overlap with
    another (live) absence of the person (`ignore`: the one being changed)."""
    from arrears.cases.errors import CaseInvalid
    from arrears.core.dates import local_today

    if ends_on < starts_on:
        raise CaseInvalid("ends_on", _("The end date is before the start."), code="before_start")
    if ends_on < local_today():
        raise CaseInvalid("ends_on", _("The end date is in the past."), code="past_date")
    if (ends_on - starts_on).days > 366:
        raise CaseInvalid("ends_on", _("An absence lasts at most a year."), code="too_long")
    others = live_absences().filter(user=user, starts_on__lte=ends_on, ends_on__gte=starts_on)
    if ignore is not None:
        others = others.exclude(pk=ignore)
    if others.exists():
        raise CaseInvalid(
            "starts_on", _("This person already has an absence in those days."), code="overlap"
        )


def _absence_content(row: Absence) -> dict:
    return {
        "absence": row.pk,
        "from": row.starts_on,
        "until": row.ends_on,
        "reason": row.reason,
        "note": row.note,
    }


def _absence_locked(absence: Absence, actor) -> Absence:
    """The absence re-read under a row lock, for someone who manages the person; refused when
    cancelled or already over."""
    from arrears.cases.errors import CaseConflict
    from arrears.core.dates import local_today

    row = Absence.objects.select_for_update().select_related("user").get(pk=absence.pk)
    _may_manage_person(actor, row.user)
    if row.cancelled_on is not None:
        raise CaseConflict(_("This absence was cancelled."), code="cancelled")
    if row.ends_on < local_today():
        raise CaseConflict(_("This absence is over; it cannot change."), code="over")
    return row


@transaction.atomic
def absence_cancel(
    *, absence: Absence, actor=None, reason: str = "", source: str = "web"
) -> Absence:
    """Call off an absence, before or during it (audited). The row stays, marked cancelled:
    the person counts as present from now, and the cases covered for them go back at the next
    end-of-day (`_cover_return`: the owner is no longer in `absent_ids`)."""
    from arrears.cases.errors import CaseInvalid
    from arrears.core.audit import audit_record
    from arrears.core.dates import local_today

    row = _absence_locked(absence, actor)
    text = (reason or "").strip()
    if len(text) > 300:
        raise CaseInvalid("reason", _("At most %(n)d characters, please.") % {"n": 300})
    before = _absence_content(row)
    row.cancelled_on = local_today()
    row.cancel_reason = text
    row.save(update_fields=["cancelled_on", "cancel_reason"])
    audit_record(
        actor=actor,
        event="absence.cancel",
        object_type="user",
        object_id=row.user_id,
        before=before,
        after={"absence": row.pk, "cancelled_on": row.cancelled_on, "why": text},
        source=source,
    )
    return row


@transaction.atomic
def absence_change(
    *,
    absence: Absence,
    ends_on: dt.date | None = None,
    starts_on: dt.date | None = None,
    actor=None,
    source: str = "web",
) -> Absence:
    """Move an absence's dates: shorten or extend it (audited; the checks of absence_record).

    Once it has started only the end moves. Ending it before tomorrow gives the covered cases
    back at the next end-of-day; extending it keeps them with the cover.
    """
    from arrears.cases.errors import CaseInvalid
    from arrears.core.audit import audit_record
    from arrears.core.dates import local_today

    if ends_on is None and starts_on is None:
        raise CaseInvalid("ends_on", _("Give the new end date."), code="required")
    row = _absence_locked(absence, actor)
    today = local_today()
    new_start = row.starts_on if starts_on is None else starts_on
    new_end = row.ends_on if ends_on is None else ends_on
    if new_start != row.starts_on:
        if row.starts_on <= today:
            raise CaseInvalid(
                "starts_on",
                _("The absence has started: only its end date can change."),
                code="started",
            )
        if new_start < today:
            raise CaseInvalid("starts_on", _("The start date is in the past."), code="past_date")
    _absence_dates_check(user=row.user, starts_on=new_start, ends_on=new_end, ignore=row.pk)
    if (new_start, new_end) == (row.starts_on, row.ends_on):
        return row
    before = _absence_content(row)
    row.starts_on, row.ends_on = new_start, new_end
    row.save(update_fields=["starts_on", "ends_on"])
    audit_record(
        actor=actor,
        event="absence.change",
        object_type="user",
        object_id=row.user_id,
        before=before,
        after=_absence_content(row),
        source=source,
    )
    return row


@transaction.atomic
def rule_delete(*, rule: AllocationRule, actor=None, source: str = "web") -> None:
    """Delete an allocation rule (managers; audited with its content). Cases it routed keep
    their team: a rule only routes new, team-less cases."""
    from arrears.cases.errors import CaseForbidden
    from arrears.core.audit import audit_record

    if actor is not None and (actor.is_read_only or not actor.can("allocation.edit")):
        raise CaseForbidden(_("Only managers edit the allocation rules."))
    # Locked alone: PostgreSQL refuses FOR UPDATE across the outer joins of the blank
    # product and debtor type; they are read after the lock.
    row = AllocationRule.objects.select_for_update().get(pk=rule.pk)
    before = rule_content(row)
    pk = row.pk
    row.delete()
    audit_record(
        actor=actor,
        event="allocation.rule_delete",
        object_type="allocation_rule",
        object_id=pk,
        before=before,
        source=source,
    )


def rule_content(r: AllocationRule) -> dict:
    """A rule as plain values (API answers, the CLI, the audit trail)."""
    return {
        "id": r.pk,
        "position": r.position,
        "name": r.name,
        "active": r.active,
        "region_prefix": r.region_prefix,
        "product": r.product.code if r.product_id else None,
        "dpd_min": r.dpd_min,
        "dpd_max": r.dpd_max,
        "borrower_kind": r.borrower_kind,
        "debtor_type": r.debtor_type.code if r.debtor_type_id else None,
        "team": r.team.name,
    }


@transaction.atomic
def absence_row(a: Absence) -> dict:
    """An absence as the API and `arrears allocation absences --format json` give it."""
    return {
        "id": a.pk,
        "user": a.user.username,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "reason": a.reason,
        "note": a.note,
        "cancelled_on": a.cancelled_on,
    }


def absence_record(
    *,
    user: User,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str,
    note: str = "",
    actor=None,
    source: str = "web",
) -> Absence:
    """Record that a person is away (audited); allocation covers their cases meanwhile."""
    from arrears.cases.errors import CaseInvalid
    from arrears.core.audit import audit_record

    _may_manage_person(actor, user)
    if reason not in Absence.Reason.values:
        raise CaseInvalid(
            "reason",
            _("Choose one of: %(codes)s.") % {"codes": ", ".join(Absence.Reason.values)},
            code="bad_choice",
        )
    _absence_dates_check(user=user, starts_on=starts_on, ends_on=ends_on)
    row = Absence.objects.create(
        user=user,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        note=(note or "").strip()[:300],
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        actor=actor,
        event="absence.record",
        object_type="user",
        object_id=user.pk,
        after={"absence": row.pk, "from": starts_on, "until": ends_on, "reason": reason},
        source=source,
    )
    return row


@transaction.atomic
def team_rotation_set(
    *, team, rotation_days: int | None, retain_quota: int, actor=None, source: str = "web"
):
    """Set a team's rotation days (None: no rotation) and retention quota (managers; audited)."""
    from arrears.cases.errors import CaseForbidden, CaseInvalid
    from arrears.core.audit import audit_record

    if actor is not None and (actor.is_read_only or not actor.can("allocation.edit")):
        raise CaseForbidden(_("Only managers set a team's rotation and retention."))
    if rotation_days is not None and not 1 <= rotation_days <= 365:
        raise CaseInvalid(
            "rotation_days", _("Between 1 and 365 days, or empty for none."), code="range"
        )
    if not 0 <= retain_quota <= 1000:
        raise CaseInvalid("retain_quota", _("Between 0 and 1000."), code="range")
    before = {"rotation_days": team.rotation_days, "retain_quota": team.retain_quota}
    team.rotation_days, team.retain_quota = rotation_days, retain_quota
    team.save(update_fields=["rotation_days", "retain_quota"])
    audit_record(
        actor=actor,
        event="team.rotation_set",
        object_type="team",
        object_id=team.pk,
        before=before,
        after={"rotation_days": rotation_days, "retain_quota": retain_quota},
        source=source,
    )
    return team
