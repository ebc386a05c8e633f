"""Reads for assignment (分案): a case's moves and assists, who may be chosen, a team's load.

Every read goes through core.scoping: a move or assist of a case the user cannot see is an
Http404, like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BigIntegerField, Count, OuterRef, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from arrears.cases.models import Case, CaseAssignment, CaseAssist
from arrears.core.dates import local_today
from arrears.core.models import Team, User
from arrears.core.roles import Role
from arrears.core.scoping import cases_for

ASSIGNABLE_ROLES = (Role.COLLECTOR, Role.FIELD_AGENT, Role.LEGAL)
ROLE_OF_USER = {Role.COLLECTOR: "collector", Role.FIELD_AGENT: "field_agent", Role.LEGAL: "legal"}


def case_assignments(case: Case) -> QuerySet[CaseAssignment]:
    """The case's moves, newest first, with the people named (the case page's history)."""
    return case.assignments.select_related(
        "actor",
        "from_team",
        "to_team",
        "from_collector",
        "to_collector",
        "from_field_agent",
        "to_field_agent",
        "from_legal_officer",
        "to_legal_officer",
    ).order_by("-at", "-id")


def case_assists(case: Case) -> QuerySet[CaseAssist]:
    return case.assists.select_related("user", "team", "requested_by", "decided_by").order_by(
        "-requested_at", "-id"
    )


def assignment_for_user(user: User, pk: int) -> CaseAssignment:
    row = (
        CaseAssignment.objects.filter(case__in=cases_for(user)).select_related("case").filter(pk=pk)
    ).first()
    if row is None:
        raise Http404(_("No such assignment."))
    return row


def assist_for_user(user: User, pk: int) -> CaseAssist:
    row = CaseAssist.objects.filter(case__in=cases_for(user)).select_related("case").filter(pk=pk)
    row = row.first()
    if row is None:
        raise Http404(_("No such assist."))
    return row


def assignable_users(actor: User) -> QuerySet[User]:
    """The people `actor` may give cases to: a team lead's own team, anyone for a manager."""
    qs = User.objects.filter(is_active=True, role__in=ASSIGNABLE_ROLES).select_related("team")
    if actor.role == Role.TEAM_LEAD:
        qs = qs.filter(team_id=actor.team_id) if actor.team_id else qs.none()
    return qs.order_by("role", "username")


def assignable_teams(actor: User) -> QuerySet[Team]:
    qs = Team.objects.all()
    if actor.role == Role.TEAM_LEAD:
        qs = qs.filter(pk=actor.team_id) if actor.team_id else qs.none()
    return qs.order_by("name")


def assist_helpers(actor: User) -> QuerySet[User]:
    """People who may be asked to help on a case (not auditors or agencies)."""
    return (
        User.objects.filter(is_active=True)
        .exclude(role__in=(Role.AUDITOR, Role.AGENCY, Role.ADMIN))
        .select_related("team")
        .order_by("role", "username")
    )


def can_assign_case(user: User, case: Case) -> bool:
    if not (user.is_authenticated and not user.is_read_only and user.can("case.assign")):
        return False
    if case.status != Case.Status.OPEN:
        return False
    return user.role != Role.TEAM_LEAD or case.team_id == user.team_id


def undoable(user: User, case: Case) -> CaseAssignment | None:
    """The case's latest move if `user` may undo it now (made today, not undone, still holds)."""
    if not can_assign_case(user, case):
        return None
    last = case.assignments.order_by("-at", "-id").first()
    if last is None or last.kind != CaseAssignment.Kind.ASSIGN or last.undone_at is not None:
        return None
    if last.on != local_today():
        return None
    if user.role == Role.TEAM_LEAD and last.from_team_id not in (user.team_id, None):
        return None
    return last


@dataclass(frozen=True)
class LoadRow:
    """One person's load: open cases and the amount due on them against their capacity."""

    user: User
    open_cases: int
    due_fen: int
    capacity: int | None

    @property
    def over_capacity(self) -> bool:
        return self.capacity is not None and self.open_cases > self.capacity

    @property
    def percent(self) -> int | None:
        if not self.capacity:
            return None
        return self.open_cases * 100 // self.capacity


@dataclass(frozen=True)
class TeamLoad:
    team: Team
    rows: list[LoadRow]
    unassigned_cases: int
    unassigned_due_fen: int


def team_load(user: User, team: Team) -> TeamLoad:
    """Open cases and amount due (latest end-of-day figures, eod LoanState) per person.

    Counted over the cases the user may see in `team`, per slot the person holds (a
    collector's, a field agent's, a legal officer's); `unassigned` is the team's open cases
    with no collector.
    """
    from arrears.eod.models import LoanState

    state = LoanState.objects.filter(loan_id=OuterRef("loan_id")).values("total_due_fen")[:1]
    open_cases = (
        cases_for(user)
        .filter(status=Case.Status.OPEN, team=team)
        .annotate(due_fen=Subquery(state, output_field=BigIntegerField()))
    )
    members = list(
        User.objects.filter(team=team, is_active=True, role__in=ASSIGNABLE_ROLES).order_by(
            "role", "username"
        )
    )
    due = Sum("due_fen")
    counts: dict[int, tuple[int, int]] = {}
    for slot in ("collector", "field_agent", "legal_officer"):
        for pk, n, fen in (
            open_cases.filter(**{f"{slot}__in": members})
            .values_list(f"{slot}_id")
            .annotate(n=Count("id"), due=due)
            .values_list(f"{slot}_id", "n", "due")
            .order_by()
        ):
            old = counts.get(pk, (0, 0))
            counts[pk] = (old[0] + n, old[1] + int(fen or 0))
    free = open_cases.filter(collector__isnull=True).aggregate(n=Count("id"), due=due)
    rows = [LoadRow(m, *counts.get(m.pk, (0, 0)), capacity=m.case_capacity) for m in members]
    return TeamLoad(team, rows, free["n"] or 0, int(free["due"] or 0))


def load_teams(user: User) -> QuerySet[Team]:
    """The teams whose load `user` may read: a team lead's own, every team for managers."""
    if not user.is_authenticated:
        return Team.objects.none()
    if user.role == Role.TEAM_LEAD:
        return Team.objects.filter(pk=user.team_id)
    if user.role in (Role.ADMIN, Role.MANAGER, Role.AUDITOR) or user.is_superuser:
        return Team.objects.order_by("name")
    return Team.objects.none()


def loan_holder(loan) -> Case | object:
    """Who works a loan, read from the one place: its current case (open, else the latest),
    or for a loan that never had a case its home assignment from the loan book. Either has
    team, collector, field_agent, legal_officer and agency attributes."""
    case = (
        Case.objects.filter(loan=loan)
        .select_related("team", "collector", "field_agent", "legal_officer", "agency")
        .order_by("-pk")
        .first()
    )
    return case if case is not None else loan
