"""The demo's allocation (分案) after end-of-day: every open case gets a team and a collector.

Done the way a manager would on the first morning, through the bulk service
(cases.assignment.cases_assign_bulk, set-based, audited as the demo manager):

1. by region — a case with no team goes to the team that covers its county
   (青林县 → 电催一组, 石门县 → 电催二组, 白沙县 → 电催一组 …, in geography order);
2. by team — a case with a team but no collector goes to that team's collector;
3. by region again — an M3+ case (DPD > 60) in the field agent's towns without a field agent
   gets him.

A few statements per group, whatever the number of cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from arrears.cases.assignment import assign_target, cases_assign_bulk
from arrears.cases.models import Case
from arrears.core.models import User
from arrears.demo import geography
from arrears.demo.users import FIELD_TOWNS, demo_org, demo_users_ensure

REASON_REGION = "演示：按地区分组（新案）"
REASON_TEAM = "演示：组内分配催收员"
REASON_FIELD = "演示：外访片区"


@dataclass
class AssignSummary:
    moved: dict[str, int] = field(default_factory=dict)
    open_without_collector: int = 0

    def line(self) -> str:
        parts = ", ".join(f"{k} {v:,}" for k, v in self.moved.items() if v)
        return f"allocation (分案): {parts or 'nothing to assign'}; open cases without a collector: {self.open_without_collector}"


def demo_assign() -> AssignSummary:
    """Assign every open case (see the module docstring); idempotent."""
    users = demo_users_ensure()
    teams, _agency = demo_org()
    manager = users["manager"]
    summary = AssignSummary()
    open_cases = Case.objects.filter(status=Case.Status.OPEN)
    for i, county in enumerate(geography.COUNTIES):
        team = teams[i % len(teams)]
        result = cases_assign_bulk(
            actor=manager,
            target=assign_target(role="team", team=team),
            reason=REASON_REGION,
            queryset=open_cases.filter(team__isnull=True, borrower__county=county),
            source="demo",
        )
        summary.moved[f"to {team.name}"] = summary.moved.get(f"to {team.name}", 0) + result.moved
    for team in teams:
        collectors = list(
            User.objects.filter(team=team, role="collector", is_active=True).order_by("username")
        )
        if not collectors:
            continue
        result = cases_assign_bulk(
            actor=manager,
            target=assign_target(role="collector", user=collectors[0]),
            reason=REASON_TEAM,
            queryset=open_cases.filter(team=team, collector__isnull=True),
            source="demo",
        )
        summary.moved[collectors[0].username] = result.moved
    field = users["field1"]
    result = cases_assign_bulk(
        actor=manager,
        target=assign_target(role="field_agent", user=field),
        reason=REASON_FIELD,
        queryset=open_cases.filter(
            field_agent__isnull=True, dpd__gt=60, borrower__town__in=FIELD_TOWNS, team=field.team
        ),
        source="demo",
    )
    summary.moved[field.username] = result.moved
    summary.open_without_collector = open_cases.filter(collector__isnull=True).count()
    return summary
