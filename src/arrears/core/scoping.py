"""The one place that decides which loans and borrowers a user may see.

Every selector, page and API endpoint that reads the book starts from these querysets;
there is no unscoped path. A collector, field agent or legal officer sees what is assigned
to them, a team lead the team's, an agency user only its placements, and admins, managers
and auditors everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from arrears.core.roles import READ_ALL_ROLES, Role

if TYPE_CHECKING:
    from arrears.core.models import User


def loan_scope_q(user: User, prefix: str = "") -> Q:
    """A filter on Loan (or on a model reaching Loan through `prefix`, e.g. 'loan__')."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    role = user.role
    if role in READ_ALL_ROLES or user.is_superuser:
        return Q()
    if role == Role.COLLECTOR:
        return Q(**{f"{prefix}collector": user})
    if role == Role.FIELD_AGENT:
        return Q(**{f"{prefix}field_agent": user})
    if role == Role.LEGAL:
        return Q(**{f"{prefix}legal_officer": user})
    if role == Role.TEAM_LEAD:
        return Q(**{f"{prefix}team": user.team}) if user.team_id else Q(pk__in=[])
    if role == Role.AGENCY:
        return Q(**{f"{prefix}agency": user.agency}) if user.agency_id else Q(pk__in=[])
    return Q(pk__in=[])


def loans_for(user: User) -> QuerySet:
    from arrears.book.models import Loan

    return Loan.objects.filter(loan_scope_q(user))


def borrowers_for(user: User) -> QuerySet:
    from arrears.book.models import Borrower

    if user.is_authenticated and (user.role in READ_ALL_ROLES or user.is_superuser):
        return Borrower.objects.all()
    return Borrower.objects.filter(pk__in=loans_for(user).values("borrower_id"))


def payments_for(user: User) -> QuerySet:
    from arrears.book.models import Payment

    return Payment.objects.filter(loan_scope_q(user, "loan__"))


def cases_for(user: User) -> QuerySet:
    """Collection cases the user may see: those of the loans in their scope."""
    from arrears.cases.models import Case

    return Case.objects.filter(loan_scope_q(user, "loan__"))


# Which capability lets a role reveal (and search by) each kind of personal number.
REVEAL_CAPABILITY = {"id_number": "pii.id_number", "phone": "pii.phone"}


def may_reveal(user: User, kind: str) -> bool:
    """Whether `user` may reveal a masked number of `kind` ("phone" or "id_number").

    The auditor reads masked figures only: revealing is for the roles that work cases.
    """
    return user.is_authenticated and not user.is_read_only and user.can(REVEAL_CAPABILITY[kind])


def show_id_number(user: User, value: str) -> str:
    """An ID number as shown: always masked (5101**********1234).

    Revealing one in full is a deliberate, audited action for the roles that may
    (book.pii.pii_reveal); no page or API answer carries it otherwise.
    """
    from arrears.core.ids import mask_id_number

    return mask_id_number(value)


def show_phone(user: User, value: str) -> str:
    """A phone number as shown: always masked (138****5678); revealed as show_id_number."""
    from arrears.core.ids import mask_phone

    return mask_phone(value)
