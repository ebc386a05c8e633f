"""Reads of the field app, always scoped by the requesting user (core.scoping)."""

from __future__ import annotations

from django.db.models import QuerySet

from arrears.core.models import User
from arrears.core.scoping import loan_scope_q
from arrears.field.models import Region, Trip, Visit


def visits_for(user: User) -> QuerySet[Visit]:
    """Visits on the loans the user may see, newest first."""
    return (
        Visit.objects.filter(loan_scope_q(user, "loan__"))
        .select_related("loan", "borrower", "collector", "payment", "notice", "promise")
        .prefetch_related("participants")
    )


def visit_get(user: User, visit_id: str) -> Visit | None:
    return visits_for(user).filter(visit_id=visit_id).first()


def loan_for(user: User, external_id: str):
    from arrears.core.scoping import loans_for

    return (
        loans_for(user)
        .select_related("borrower", "product")
        .filter(external_id=external_id)
        .first()
    )


def regions() -> QuerySet[Region]:
    """The region tree (names of places, no personal data: every signed-in user reads it)."""
    return Region.objects.all()


def trips_for(user: User) -> QuerySet[Trip]:
    """Trips the user is on or planned; the roles that read the whole book see every trip."""
    from django.db.models import Q

    from arrears.core.roles import READ_ALL_ROLES

    qs = Trip.objects.prefetch_related("members", "regions")
    if user.role in READ_ALL_ROLES or user.is_superuser:
        return qs
    if user.team_id:
        return qs.filter(
            Q(members=user) | Q(created_by=user) | Q(members__team_id=user.team_id)
        ).distinct()
    return qs.filter(Q(members=user) | Q(created_by=user)).distinct()
