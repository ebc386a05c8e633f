"""Reads of plans: the full amount due, scoped plan lists, the approval queue, authority."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Prefetch, QuerySet

from arrears.book.models import Loan
from arrears.book.selectors import loan_position, payoff_quote
from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.core.roles import Role
from arrears.core.scoping import cases_for, loan_scope_q
from arrears.plans.models import BP, Plan, PlanApproval, PlanAuthority

# Who decides on proposals beyond the proposer's authority, lowest first. A plan waits for
# the lowest of these whose authority covers it; escalating passes it one rung up.
APPROVER_LADDER: tuple[str, ...] = (Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN)
_RANK = {role: i + 1 for i, role in enumerate(APPROVER_LADDER)}


def role_rank(role: str) -> int:
    """0 for roles that do not approve, then team lead 1, manager 2, admin 3."""
    return _RANK.get(role, 0)


@dataclass(frozen=True)
class AmountDue:
    """What a loan's borrower owes as of a date, replayed from the ledger (fen).

    `full` is the payoff quote (book.selectors.payoff_quote): what ends the loan early on the
    date — all principal, interest due by then and accrued on the running period, penalty,
    the fees the cap allows and the product's early-repayment fee, less credit held. Future
    interest not yet accrued is not part of it, so a settlement's discount (and so who must
    approve it) is measured against what the borrower really owes. `overdue` is the part due
    now (the loan page's "total due now"). `contract_rest` is everything the schedule still
    holds (future interest too): what a completed plan's waiver clears from the book.
    """

    as_of: dt.date
    principal: int
    interest: int
    penalty: int
    fees: int
    credit: int
    overdue: int
    dpd: int
    early_repayment_fee: int = 0
    payoff: int = 0
    contract_rest: int = 0

    @property
    def full(self) -> int:
        return self.payoff


def amount_due(loan: Loan, as_of: dt.date | None = None, *, position=None) -> AmountDue:
    """The payoff amount of a loan as of a date (default today), to the fen; `position`
    (book.selectors.loan_position as of the same date) reuses a replay already made."""
    as_of = as_of or local_today()
    if position is None or position.as_of != as_of:
        loan = (
            Loan.objects.select_related("product")
            .prefetch_related("installments", "payments", "charges")
            .get(pk=loan.pk)
        )
        position = loan_position(loan, as_of)
    pos = position
    quote = payoff_quote(loan, as_of, position=pos)
    interest_due = sum(i.interest_left for i in pos.result.installments if i.due_on <= as_of)
    rest = (
        pos.outstanding_principal
        + sum(i.interest_left for i in pos.result.installments)
        + pos.penalty
        + pos.fees
        - pos.credit_balance
    )
    return AmountDue(
        as_of=as_of,
        principal=pos.outstanding_principal,
        interest=interest_due + quote.interest_accrued,
        penalty=pos.penalty,
        fees=pos.fees,
        credit=pos.credit_balance,
        overdue=pos.total_due,
        dpd=pos.dpd,
        early_repayment_fee=quote.early_repayment_fee,
        payoff=quote.total,
        contract_rest=max(rest, 0),
    )


def plan_amount_fen(loan: Loan, due: AmountDue | None = None) -> int:
    """The amount a plan or settlement form starts from, and its "full amount" button: what
    ends the loan today. One function on purpose: when the money issue's payoff quote lands
    (issue 11), this is the one line to switch to it."""
    return (due or amount_due(loan)).full


def authority_for(role: str) -> PlanAuthority | None:
    return PlanAuthority.objects.filter(role=role).first()


def authorities() -> list[PlanAuthority]:
    """The whole table, approver ladder order (collector-level roles first)."""
    rows = list(PlanAuthority.objects.all())
    return sorted(rows, key=lambda a: (role_rank(a.role), a.role))


def lowest_approver(*, discount_fen: int, full_due_fen: int, term_months: int) -> str | None:
    """The lowest role of the approver ladder whose authority covers a plan, or None."""
    table = {a.role: a for a in PlanAuthority.objects.filter(role__in=APPROVER_LADDER)}
    for role in APPROVER_LADDER:
        auth = table.get(role)
        if auth is not None and auth.covers(
            discount_fen=discount_fen, full_due_fen=full_due_fen, term_months=term_months
        ):
            return role
    return None


def with_details(qs: QuerySet[Plan]) -> QuerySet[Plan]:
    return qs.select_related(
        "case", "loan", "borrower", "created_by", "decided_by", "accepted_by", "waiver_payment"
    ).prefetch_related(
        "installments",
        Prefetch("history", queryset=PlanApproval.objects.select_related("actor")),
    )


def plans_for(user: User) -> QuerySet[Plan]:
    """Plans on loans in the user's scope."""
    return Plan.objects.filter(loan_scope_q(user, "loan__"))


def plan_get(user: User, pk: int) -> Plan | None:
    """One plan with its schedule and history, if the user may see its loan."""
    return with_details(plans_for(user)).filter(pk=pk).first()


def case_plans(user: User, case) -> list[Plan]:
    """The plans of a case, newest first (the caller has checked the user sees the case)."""
    return list(with_details(plans_for(user)).filter(case=case))


def loan_arrangements(loan) -> list[Plan]:
    """Plans the borrower accepted on this loan (running, completed or broken), newest first.

    This is what the loan book shows of a plan: the contract's schedule stays as it was (an
    arrangement does not cure arrears or improve the five-category class), and the plan's
    own schedule and what has been paid against it sit beside it. The caller has checked that
    the user sees the loan.
    """
    return list(
        Plan.objects.filter(loan=loan, accepted_on__isnull=False)
        .prefetch_related("installments")
        .order_by("-accepted_on", "-pk")
    )


def active_plan(case) -> Plan | None:
    """The plan running on the case's loan (at most one per loan), if any."""
    return Plan.objects.filter(loan_id=case.loan_id, status=Plan.Status.ACTIVE).first()


def plans_awaiting(user: User) -> QuerySet[Plan]:
    """Plans waiting for a decision that this user may take: in scope, within their authority,
    at or above the rung the plan waits for, and not their own proposal."""
    if not user.is_authenticated or user.is_read_only or not user.can("plan.approve"):
        return Plan.objects.none()
    auth = authority_for(user.role)
    if auth is None:
        return Plan.objects.none()
    below = [r for r in APPROVER_LADDER if role_rank(r) <= role_rank(user.role)]
    qs = (
        plans_for(user)
        .filter(status=Plan.Status.PENDING_APPROVAL, awaiting_role__in=below)
        .exclude(created_by=user)
    )
    if auth.max_term_months is not None:
        qs = qs.filter(term_months__lte=auth.max_term_months)
    if auth.max_discount_bp is not None:
        qs = qs.annotate(_lhs=F("discount_fen") * BP, _rhs=F("full_due_fen") * auth.max_discount_bp)
        qs = qs.filter(_lhs__lte=F("_rhs"))
    return with_details(qs).order_by("created_at", "id")


def case_for(user: User, pk: int):
    """The case if the user may see it, else None: out of scope and missing look the same."""
    return cases_for(user).select_related("loan", "borrower").filter(pk=pk).first()


def can_see_case(user: User, case) -> bool:
    return cases_for(user).filter(pk=case.pk).exists()


def may_decide(user: User, plan: Plan) -> bool:
    """Whether the approve/reject buttons apply to this user (the service checks again)."""
    if plan.status != Plan.Status.PENDING_APPROVAL or not user.can("plan.approve"):
        return False
    if user.is_read_only or plan.created_by_id == user.pk:
        return False
    if role_rank(user.role) < role_rank(plan.awaiting_role):
        return False
    auth = authority_for(user.role)
    return auth is not None and auth.covers(
        discount_fen=plan.discount_fen, full_due_fen=plan.full_due_fen, term_months=plan.term_months
    )


def may_escalate(user: User, plan: Plan) -> bool:
    return (
        plan.status == Plan.Status.PENDING_APPROVAL
        and user.can("plan.approve")
        and not user.is_read_only
        and role_rank(user.role) >= role_rank(plan.awaiting_role)
        and any(role_rank(r) > role_rank(user.role) for r in APPROVER_LADDER)
    )


def may_accept(user: User, plan: Plan) -> bool:
    return (
        plan.status == Plan.Status.APPROVED and user.can("plan.propose") and not user.is_read_only
    )


def may_cancel(user: User, plan: Plan) -> bool:
    if user.is_read_only or not plan.is_open:
        return False
    if user.can("plan.approve"):
        return True
    # The proposer may withdraw a proposal the borrower has not accepted yet.
    return plan.created_by_id == user.pk and plan.status != Plan.Status.ACTIVE
