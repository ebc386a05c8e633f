"""Reads of the queues, always scoped by the requesting user.

Whose queues a user sees: their own (collectors, field agents, legal officers, agencies);
a team lead their team's people; managers, admins and auditors everyone's. The exclusions
(cases left out by the compliance rules) are for those who oversee: team leads (their team's
cases) and managers.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from arrears.core.models import User
from arrears.core.roles import READ_ALL_ROLES, Role
from arrears.queues.models import ChannelEffort, PaymentProbability, QueueEntry, QueueExclusion


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


def exclusions(*, user: User, on: dt.date, channel: str = "", rule: str = "") -> QuerySet:
    """The cases left out of the day's queues the user may see (team lead: their team's)."""
    from arrears.core.scoping import case_scope_q

    if not may_oversee(user):
        return QueueExclusion.objects.none()
    qs = QueueExclusion.objects.filter(case_scope_q(user, "case__"), on=on)
    if channel:
        qs = qs.filter(channel=channel)
    if rule:
        qs = qs.filter(rule_id=rule)
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
