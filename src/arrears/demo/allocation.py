"""The demo's allocation by rules (分案), rotation settings, an absent collector covered, a
suspended case (停催) and a retained case (留案) — all through the real services.

After `demo_assign` has given every open case to its team's first collector, this:

1. adds a collector to each team (collector3: 电催一组, with a dialect skill for the last
   county; collector4: 电催二组), sets rotation to 30 days and a retention quota of 3;
2. writes one allocation rule per county (the county → team map of demo/assign.py) and a
   catch-all, so new team-less cases are routed the same way at end-of-day;
3. takes a third of each team's cases off their collector and runs allocation, which places
   them balanced by count and amount, by skill and continuity;
4. records collector4 as away for three days from today and runs allocation again: their
   cases are covered by collector2 (cover moves, back when the absence ends); books
   collector3's training for next week and shortens it by a day (absence_change);
5. suspends one of collector1's cases (hospitalised, two weeks) and has collector1 retain
   another one that has a promise pending (recording the promise first if none is).

Idempotent enough for a re-run on the same database: each step checks what is there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from arrears.cases.allocation import (
    absence_change,
    absence_record,
    allocation_run,
    live_absences,
    skills_set,
)
from arrears.cases.assignment import Target, cases_assign_bulk
from arrears.cases.models import Absence, AllocationRule, Case, CaseRetention, CaseSuspension
from arrears.cases.rotation import case_retain
from arrears.cases.suspension import case_suspend, suspension_in_force
from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.core.roles import Role
from arrears.demo import geography
from arrears.demo.users import demo_org, demo_users_ensure

EXTRA = (("collector3", 0, "电催员三"), ("collector4", 1, "电催员四"))
DIALECT = "彝语"


@dataclass
class AllocationDemo:
    placed: int = 0
    covered: int = 0
    suspended: int | None = None
    retained: int | None = None
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        parts = [
            f"allocation by rules: {self.placed} cases rebalanced",
            f"{self.covered} covered for absent collector4",
        ]
        if self.suspended:
            parts.append(f"case #{self.suspended} suspended (停催)")
        if self.retained:
            parts.append(f"case #{self.retained} retained (留案) by collector1")
        return "; ".join(parts + self.notes)


def _extra_collectors(teams) -> dict[str, User]:
    out = {}
    for username, team_index, name in EXTRA:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, role=Role.COLLECTOR, first_name=name)
            user.set_password(f"demo-{username}-2026")
        user.team = teams[team_index]
        user.role = Role.COLLECTOR
        user.case_capacity = user.case_capacity or 400
        user.save()
        out[username] = user
    return out


def demo_allocation_staff(*, reset: bool = False) -> None:
    """The extra collectors, in place before the first end-of-day: its allocation phase gives
    cases to every present collector, so a rebuilt demo (whose users survive the reset) and a
    first one must both have them from the start to do the same work. On a reset the
    allocation settings the last demo left (rules, skills, absences, rotation) are cleared
    too, so the three weeks of case work run as on a new database; demo_allocation sets them
    again at the end."""
    from arrears.cases.models import CollectorSkill
    from arrears.core.models import Team

    teams, _agency = demo_org()
    if reset:
        AllocationRule.objects.all().delete()
        Absence.objects.all().delete()
        CollectorSkill.objects.all().delete()
        Team.objects.update(rotation_days=None)
    _extra_collectors(teams)


def demo_allocation() -> AllocationDemo:
    """See the module docstring."""
    summary = AllocationDemo()
    users = demo_users_ensure()
    teams, _agency = demo_org()
    manager = users["manager"]
    extra = _extra_collectors(teams)
    for team in teams:
        team.rotation_days, team.retain_quota = 30, 3
        team.save(update_fields=["rotation_days", "retain_quota"])
    skills_set(
        user=extra["collector3"],
        skills=[("dialect", DIALECT, f"{geography.PROVINCE}/{geography.COUNTIES[-1]}")],
        actor=manager,
        source="demo",
    )
    if not AllocationRule.objects.exists():
        for i, county in enumerate(geography.COUNTIES):
            AllocationRule.objects.create(
                position=10 * (i + 1),
                name=county,
                region_prefix=f"{geography.PROVINCE}/{county}",
                team=teams[i % len(teams)],
            )
        AllocationRule.objects.create(position=1000, name="其余案件", team=teams[0])
    today = local_today()
    # 3. Rebalance: a third of each first collector's cases go back to the pool.
    for team in teams:
        first = (
            User.objects.filter(team=team, role=Role.COLLECTOR, is_active=True)
            .order_by("username")
            .first()
        )
        ids = list(
            Case.objects.filter(status=Case.Status.OPEN, team=team, collector=first)
            .order_by("pk")
            .values_list("pk", flat=True)
        )[::3]
        if ids:
            cases_assign_bulk(
                actor=manager,
                target=Target("collector", None, None),
                reason="演示：按规则重新分案",
                case_ids=ids,
                source="demo",
            )
    summary.placed = sum(allocation_run(day=today, actor=manager, source="demo").placed.values())
    # 4. collector4 is away for three days; collector2 covers.
    away = extra["collector4"]
    if not live_absences().filter(user=away, ends_on__gte=today).exists():
        absence_record(
            user=away,
            starts_on=today,
            ends_on=today + dt.timedelta(days=3),
            reason=Absence.Reason.LEAVE,
            note="演示：年假",
            actor=manager,
            source="demo",
        )
    summary.covered = allocation_run(day=today, actor=manager, source="demo").covered
    # collector3's training next week, booked for four days and then shortened by one: the
    # person page offers to move or cancel it, the audit trail shows the change.
    trainee = extra["collector3"]
    if not live_absences().filter(user=trainee, ends_on__gte=today).exists():
        training = absence_record(
            user=trainee,
            starts_on=today + dt.timedelta(days=7),
            ends_on=today + dt.timedelta(days=10),
            reason=Absence.Reason.TRAINING,
            note="演示：业务培训",
            actor=manager,
            source="demo",
        )
        absence_change(
            absence=training, ends_on=today + dt.timedelta(days=9), actor=manager, source="demo"
        )
    # 5. A suspended case and a retained case of collector1.
    c1 = users["collector1"]
    mine = Case.objects.filter(status=Case.Status.OPEN, collector=c1).order_by("-dpd", "pk")
    current = CaseSuspension.objects.filter(case__in=mine, lifted_on__isnull=True).first()
    if current is None:
        target = mine.first()
        if target is not None and suspension_in_force(target) is None:
            current = case_suspend(
                case=target,
                reason=CaseSuspension.Reason.HOSPITALISED,
                ends_on=today + dt.timedelta(days=14),
                note="演示：借款人住院，家属告知两周后出院",
                actor=c1,
                source="demo",
            )
    summary.suspended = current.case_id if current else None
    kept = CaseRetention.objects.filter(collector=c1, ended_on__isnull=True).first()
    if kept is None:
        kept = _retain_one(c1, mine.exclude(pk=summary.suspended or 0), today)
    summary.retained = kept.case_id if kept else None
    return summary


def _retain_one(collector: User, cases, today: dt.date) -> CaseRetention | None:
    from arrears.cases.errors import CaseError
    from arrears.promises.errors import PromiseError
    from arrears.promises.models import Promise
    from arrears.promises.services import promise_record

    promised = cases.filter(promises__status=Promise.Status.PENDING).first()
    if promised is None:
        for case in cases[:20]:
            try:
                promise_record(
                    case=case,
                    amount_fen=50_000,
                    promised_on=today + dt.timedelta(days=7),
                    actor=collector,
                    source="demo",
                )
            except PromiseError:  # a promise this case cannot take: try the next
                continue
            promised = case
            break
    if promised is None:
        return None
    try:
        return case_retain(
            case=promised, actor=collector, reason="演示：借款人承诺下周还款", source="demo"
        )
    except CaseError:
        return None
