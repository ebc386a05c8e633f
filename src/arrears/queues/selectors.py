"""Reads of the queues, always scoped by the requesting user.

Whose queues a user sees: their own (collectors, field agents, legal officers, agencies);
a team lead their team's people; managers, admins and auditors everyone's. The exclusions
(cases left out by the compliance rules) are for those who oversee: team leads (their team's
cases) and managers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from arrears.core.models import User
from arrears.core.roles import READ_ALL_ROLES, Role
from arrears.queues.models import ChannelEffort, PaymentProbability, QueueEntry, QueueExclusion

# Whose rows the coverage page shows: the people a queue is built for by the team's rules.
COVERAGE_ROLES = (Role.COLLECTOR, Role.FIELD_AGENT)


def queue_owner_q(user: User, prefix: str = "") -> Q:
    """A filter on QueueEntry (or a model with a `user` through `prefix`): whose queues the
    user may see."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser or user.role in READ_ALL_ROLES:
        return Q()
    if user.role == Role.TEAM_LEAD:
        if not user.team_id:
            return Q(**{f"{prefix}user": user})
        return Q(**{f"{prefix}user__team_id": user.team_id}) | Q(**{f"{prefix}user": user})
    return Q(**{f"{prefix}user": user})


def _done_expr(day: dt.date):
    """An entry is done once an activity on its channel is logged on its case that day."""
    from arrears.activities.models import Activity
    from arrears.cases.selectors import local_day_bounds

    start, end = local_day_bounds(day)
    return Exists(
        Activity.objects.filter(
            case_id=OuterRef("case_id"),
            channel=OuterRef("channel"),
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
    )


def queue_entries(
    *, user: User, on: dt.date, person: User | None = None, with_done: bool = True
) -> QuerySet[QueueEntry]:
    """The queue entries of day `on` the user may see (one person's when `person` is given),
    in order: person, then position. `done` says whether the action was logged that day."""
    qs = QueueEntry.objects.filter(queue_owner_q(user), on=on)
    if person is not None:
        qs = qs.filter(user=person)
    if with_done:
        qs = qs.annotate(done=_done_expr(on))
    return qs.select_related("case", "case__borrower", "loan", "user").order_by(
        "user__username", "position"
    )


def my_queue(*, user: User, on: dt.date) -> list[QueueEntry]:
    """The user's own queue for the day, in order, each with `done`."""
    return list(queue_entries(user=user, on=on, person=user))


def next_entry(*, user: User, on: dt.date) -> QueueEntry | None:
    """The first entry of the user's queue not yet done."""
    return (
        QueueEntry.objects.filter(user=user, on=on)
        .annotate(done=_done_expr(on))
        .filter(done=False)
        .select_related("case")
        .order_by("position")
        .first()
    )


def may_oversee(user: User) -> bool:
    return user.is_active and user.can("queue.oversee")


def exclusions(
    *, user: User, on: dt.date, channel: str = "", rule: str = "", person: int | None = None
) -> QuerySet:
    """The cases left out of the day's queues the user may see (team lead: their team's);
    `person`: only those left out of that person's queue."""
    from arrears.core.scoping import case_scope_q

    if not may_oversee(user):
        return QueueExclusion.objects.none()
    qs = QueueExclusion.objects.filter(case_scope_q(user, "case__"), on=on)
    if channel:
        qs = qs.filter(channel=channel)
    if rule:
        qs = qs.filter(rule_id=rule)
    if person:
        qs = qs.filter(user_id=person)
    return qs.select_related("case", "case__borrower", "user").order_by("case_id", "channel")


def probability_table() -> QuerySet[PaymentProbability]:
    return PaymentProbability.objects.select_related("debtor_type", "updated_by").order_by(
        "bucket", "debtor_type_id", "min_dpd", "broken_min"
    )


def channel_efforts() -> list[tuple[str, int]]:
    """(channel, minutes) for every queue channel, the table's value or the default."""
    from arrears.queues.engine import channel_minutes
    from arrears.queues.models import QueueChannel

    minutes = channel_minutes()
    return [(c, minutes[c]) for c in QueueChannel.values]


def efforts_qs() -> QuerySet[ChannelEffort]:
    return ChannelEffort.objects.all()


def queue_size(*, user: User, on: dt.date) -> int:
    return QueueEntry.objects.filter(user=user, on=on).count()


def exclusion_summary(*, user: User, on: dt.date) -> list[tuple[str, int]]:
    """(rule id, cases left out) for the day, most first."""
    from django.db.models import Count

    return list(
        exclusions(user=user, on=on)
        .order_by()
        .values("rule_id")
        .annotate(n=Count("id"))
        .order_by("-n", "rule_id")
        .values_list("rule_id", "n")
    )


def plans_awaiting_borrower(*, user: User):
    """Plans approved and waiting for the borrower's acceptance, on the cases the user works."""
    from arrears.cases.selectors import _works_q
    from arrears.core.scoping import cases_for
    from arrears.plans.models import Plan

    mine = cases_for(user).filter(_works_q(user)).values("pk")
    return list(
        Plan.objects.filter(status=Plan.Status.APPROVED, case_id__in=mine)
        .select_related("case", "case__borrower", "loan")
        .order_by("proposed_on", "id")[:100]
    )


# --------------------------------------------------------------------------- coverage per person


@dataclass
class CoverageRow:
    """One person's day: their queue and how far it is worked, what was kept from it."""

    user_id: int | None
    username: str
    name: str
    role: str
    team: str
    capacity: int
    entries: int
    done: int
    left_out: int
    suspended: int
    absent: bool

    @property
    def remaining(self) -> int:
        return self.entries - self.done


@dataclass
class Coverage:
    """The coverage page's figures: a row per person, most work remaining first, and totals."""

    day: dt.date
    rows: list[CoverageRow]
    totals: CoverageRow


def coverage_people(*, user: User, team_id: int | None = None) -> QuerySet[User]:
    """The collectors and field agents whose queues the user oversees (a team lead: their own
    team; managers and administrators: everyone, or one team's)."""
    if not may_oversee(user):
        return User.objects.none()
    people = User.objects.filter(is_active=True, role__in=COVERAGE_ROLES)
    if user.is_superuser or user.role in READ_ALL_ROLES:
        return people.filter(team_id=team_id) if team_id else people
    if user.role == Role.TEAM_LEAD and user.team_id:
        return people.filter(team_id=user.team_id)
    return User.objects.none()


def _by_user(rows) -> dict[int, int]:
    return {u: n for u, n in rows if u is not None}


def queue_coverage(*, user: User, on: dt.date, team_id: int | None = None) -> Coverage:
    """Per person, the day's queue: capacity, entries, done (the queues' own rule, the one the
    dashboard tile and the workbench use: `queue_entries(…).done`), remaining, cases the
    compliance rules left out of their queue, open cases of theirs held by a suspension (停催)
    that day, and whether they are away (cases.models.Absence). A fixed number of grouped
    queries, whatever the number of people."""
    from django.db.models import Count

    from arrears.cases.allocation import absent_ids
    from arrears.cases.models import Case, CaseSuspension, suspended_on
    from arrears.core.scoping import cases_for
    from arrears.queues.engine import daily_capacity_default

    people = list(
        coverage_people(user=user, team_id=team_id)
        .select_related("team")
        .order_by("username")
        .only("id", "username", "first_name", "last_name", "role", "team__name", "daily_capacity")
    )
    ids = [p.pk for p in people]
    entries = queue_entries(user=user, on=on).filter(user_id__in=ids).order_by()
    total = _by_user(entries.values("user_id").annotate(n=Count("id")).values_list("user_id", "n"))
    done = _by_user(
        entries.filter(done=True)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    left_out = _by_user(
        exclusions(user=user, on=on)
        .filter(user_id__in=ids)
        .order_by()
        .values("user_id")
        .annotate(n=Count("case_id", distinct=True))
        .values_list("user_id", "n")
    )
    held = (
        cases_for(user)
        .filter(status=Case.Status.OPEN)
        .filter(Exists(CaseSuspension.objects.filter(suspended_on(on), case_id=OuterRef("pk"))))
        .order_by()
    )
    suspended: dict[int, int] = {}
    for column in ("collector_id", "field_agent_id"):
        for u, n in (
            held.filter(**{f"{column}__in": ids})
            .values(column)
            .annotate(n=Count("id"))
            .values_list(column, "n")
        ):
            suspended[u] = suspended.get(u, 0) + n
    away = absent_ids(on)
    default = daily_capacity_default()
    rows = [
        CoverageRow(
            user_id=p.pk,
            username=p.username,
            name=p.get_full_name() or p.username,
            role=p.role,
            team=p.team.name if p.team_id else "",
            capacity=p.daily_capacity if p.daily_capacity is not None else default,
            entries=total.get(p.pk, 0),
            done=done.get(p.pk, 0),
            left_out=left_out.get(p.pk, 0),
            suspended=suspended.get(p.pk, 0),
            absent=p.pk in away,
        )
        for p in people
    ]
    rows.sort(key=lambda r: (-r.remaining, r.username))
    totals = CoverageRow(
        user_id=None,
        username="",
        name="",
        role="",
        team="",
        capacity=sum(r.capacity for r in rows),
        entries=sum(r.entries for r in rows),
        done=sum(r.done for r in rows),
        left_out=sum(r.left_out for r in rows),
        suspended=sum(r.suspended for r in rows),
        absent=False,
    )
    return Coverage(day=on, rows=rows, totals=totals)


def coverage_teams(*, user: User):
    """The teams a manager may filter the coverage page by (none for a team lead)."""
    from arrears.core.models import Team

    if not may_oversee(user) or not (user.is_superuser or user.role in READ_ALL_ROLES):
        return Team.objects.none()
    return Team.objects.order_by("name")
