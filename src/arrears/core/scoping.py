"""The one place that decides which loans and borrowers a user may see.

Every selector, page and API endpoint that reads the book starts from these querysets;
there is no unscoped path. A collector, field agent or legal officer sees what is assigned
to them, a team lead the team's, an agency user only its placements, and admins, managers
and auditors everything. "Assigned" is read in one place: the case (cases.Case team,
collector, field_agent, legal_officer, agency), changed only by cases.assignment (the agency
only by agencies.services, placing and recalling); a loan follows its current case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from arrears.core.roles import READ_ALL_ROLES, Role

if TYPE_CHECKING:
    from arrears.core.models import User


def _assigned_q(user: User, prefix: str = "") -> Q | None:
    """The user's own slot on a Case (or, with the same column names, a Loan's home assignment);
    None when the role reads everything, Q(pk__in=[]) when it holds nothing."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    role = user.role
    if role in READ_ALL_ROLES or user.is_superuser:
        return None
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


def case_scope_q(user: User, prefix: str = "") -> Q:
    """A filter on Case (or a model reaching Case through `prefix`, e.g. 'case__').

    The case's own assignment decides (cases.assignment changes it), plus any active assist
    (协催) granted to the user or, for a team assist, to the user's team: the helper sees the
    case and the owners keep it.
    """
    own = _assigned_q(user, prefix)
    if own is None:
        return Q()
    if not user.is_authenticated or not user.is_active:
        return own
    from arrears.cases.models import CaseAssist
    from arrears.core.dates import local_today

    helper = Q(user=user)
    if user.team_id and user.role != Role.AGENCY:
        helper |= Q(team_id=user.team_id)
    assisted = CaseAssist.objects.filter(
        helper, status=CaseAssist.Status.ACTIVE, until__gte=local_today()
    ).values("case_id")
    return own | Q(**{f"{prefix}pk__in": assisted})


def loan_scope_q(user: User, prefix: str = "") -> Q:
    """A filter on Loan (or on a model reaching Loan through `prefix`, e.g. 'loan__').

    Who works a loan is who works its current case — the open one, or after a close the
    latest — so a reassigned case takes its loan (payments, activities, documents) with it.
    A loan that never had a case is seen through its home assignment from the loan book
    (Loan.team, collector, …), which otherwise only seeds the first case (docs/assignment.md).
    """
    own = _assigned_q(user)
    if own is None:
        return Q()
    from arrears.book.models import Loan
    from arrears.cases.models import Case

    newer = Case.objects.filter(loan_id=OuterRef("loan_id"), pk__gt=OuterRef("pk"))
    current = Case.objects.filter(case_scope_q(user)).filter(~Exists(newer)).values("loan_id")
    home = Loan.objects.filter(own, cases__isnull=True).values("pk")
    return Q(**{f"{prefix}pk__in": current}) | Q(**{f"{prefix}pk__in": home})


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
    """Collection cases the user may see: assigned to them (or their team), or assisted."""
    from arrears.cases.models import Case

    return Case.objects.filter(case_scope_q(user))


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
