"""Reads of the activities app, always through the requesting user's scope.

An activity is seen by whoever can see its case (core.scoping); one outside the scope is
missing, the same as one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from arrears.activities.models import Activity
from arrears.core.models import User
from arrears.core.scoping import loan_scope_q, show_phone


def activities_for(user: User) -> QuerySet[Activity]:
    """The activities `user` may see: those of the cases of the loans in their scope."""
    return Activity.objects.filter(loan_scope_q(user, "loan__")).select_related(
        "case", "loan", "contact", "guarantor", "created_by"
    )


def activity_for_user(user: User, pk: int) -> Activity | None:
    return activities_for(user).filter(pk=pk).prefetch_related("documents", "corrections").first()


def case_activities(case) -> QuerySet[Activity]:
    """Every entry of a case (the caller has checked the case is in scope), newest first."""
    return (
        Activity.objects.filter(case=case)
        .select_related("contact", "guarantor", "created_by")
        .prefetch_related("documents")
        .order_by("-occurred_at", "-id")
    )


@dataclass
class TimelineEntry:
    """The latest version of an entry, and the versions it replaced (newest first)."""

    activity: Activity
    history: list[Activity] = field(default_factory=list)

    @property
    def corrected(self) -> bool:
        return bool(self.history)


def case_timeline(case) -> list[TimelineEntry]:
    """The case's timeline: the latest version of each entry, newest first, with its history.

    A correction takes the place of the entry it corrects (at its own time, which may itself
    have been corrected); the versions it replaced are kept and shown beneath it.
    """
    rows = list(case_activities(case))
    by_id = {a.pk: a for a in rows}
    corrected = {a.corrects_id for a in rows if a.corrects_id is not None}
    entries = []
    for a in rows:
        if a.pk in corrected:
            continue
        history = []
        prev = by_id.get(a.corrects_id) if a.corrects_id else None
        while prev is not None:
            history.append(prev)
            prev = by_id.get(prev.corrects_id) if prev.corrects_id else None
        entries.append(TimelineEntry(activity=a, history=history))
    return entries


def reached_label(activity: Activity, borrower_name: str) -> str:
    """Who an entry reached, by name (the borrower, a contact, a guarantor)."""
    if activity.contact_id:
        return activity.contact.name
    if activity.guarantor_id:
        return activity.guarantor.name
    return borrower_name


def masked_number(user: User, activity: Activity) -> str:
    return show_phone(user, activity.number)
