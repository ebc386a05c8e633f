"""Writes to plans: propose, decide, escalate, accept, cancel, the waiver, the authority table.

Views, the API and the end-of-day phase all call these. Each change writes its history row
(PlanApproval) and an audit entry in the same transaction; a refusal raises a PlanError and
writes nothing. The rules are in docs/casework.md ("Repayment plans").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.book.models import Loan, Payment
from arrears.core.audit import audit_record
from arrears.core.dates import add_months, local_today
from arrears.core.models import User
from arrears.core.money import format_yuan
from arrears.core.roles import Role
from arrears.plans import selectors
from arrears.plans.errors import PlanConflict, PlanForbidden, PlanInvalid, PlanNotFound
from arrears.plans.models import BP, Plan, PlanApproval, PlanAuthority, PlanInstallment

# Sanity bounds: beyond them the input is a typo, whatever anyone's authority.
MAX_INSTALLMENTS = 120
MAX_TERM_MONTHS = 120
MAX_NOTE = 2000
WAIVER_PREFIX = "WAIVE-"


@dataclass(frozen=True)
class Spread:
    """`count` equal installments from `first_due_on`, monthly or every `interval` days."""

    count: int
    first_due_on: dt.date
    interval: str | int = "month"


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def term_months(start: dt.date, end: dt.date) -> int:
    """Whole months from `start` to `end`, rounded up: 2026-11-28 → 2027-05-28 is 6."""
    months = 0
    while add_months(start, months, start.day) < end:
        months += 1
    return months


def bp_of(part: int, whole: int) -> int:
    """part/whole in basis points, rounded half-up (for display; limits compare exactly)."""
    if whole <= 0:
        return 0
    return (2 * part * BP + whole) // (2 * whole)


def percent_text(bp: int | None) -> str:
    return _("unlimited") if bp is None else f"{bp // 100}.{bp % 100:02d}%"


def spread_installments(
    total_fen: int, count: int, first_due_on: dt.date, interval: str | int = "month"
) -> list[tuple[dt.date, int]]:
    """Split `total_fen` into `count` installments; the last takes the rounding remainder.

    Monthly dates keep the first date's day of month, clamped to the month's end.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise PlanInvalid("count", _("The number of installments must be at least 1."))
    if count > MAX_INSTALLMENTS:
        raise PlanInvalid("count", _("At most %(n)s installments.") % {"n": MAX_INSTALLMENTS})
    if interval == "month":
        dates = [add_months(first_due_on, k, first_due_on.day) for k in range(count)]
    else:
        try:
            days = int(interval)
        except (TypeError, ValueError):
            raise PlanInvalid(
                "interval", _('The interval must be "month" or a number of days.')
            ) from None
        if not 1 <= days <= 366:
            raise PlanInvalid("interval", _("The interval must be between 1 and 366 days."))
        dates = [first_due_on + dt.timedelta(days=days * k) for k in range(count)]
    if total_fen < count:
        raise PlanInvalid("count", _("Each installment must be at least 0.01."))
    each = total_fen // count
    amounts = [each] * (count - 1) + [total_fen - each * (count - 1)]
    return list(zip(dates, amounts, strict=True))


def _rows(
    installments: Sequence[tuple[dt.date, int]] | Spread | tuple, agreed_total_fen: int
) -> tuple[list[tuple[dt.date, int]], bool]:
    """The schedule as (due_on, amount_fen) rows, and whether it was given as a spread."""
    if isinstance(installments, Spread):
        spread = installments
    elif (
        isinstance(installments, tuple)
        and len(installments) == 3
        and isinstance(installments[0], int)
        and isinstance(installments[1], dt.date)
    ):
        spread = Spread(*installments)
    else:
        rows = [tuple(r) for r in installments or ()]
        if not rows:
            raise PlanInvalid("installments", _("Give at least one installment."))
        if len(rows) > MAX_INSTALLMENTS:
            raise PlanInvalid(
                "installments", _("At most %(n)s installments.") % {"n": MAX_INSTALLMENTS}
            )
        return rows, False
    if not isinstance(spread.first_due_on, dt.date):
        raise PlanInvalid("first_due_on", _("Give the first due date."))
    return (
        spread_installments(agreed_total_fen, spread.count, spread.first_due_on, spread.interval),
        True,
    )


def _field(spread: bool, i: int, part: str) -> str:
    if spread:
        return "first_due_on" if part == "due_on" else "agreed_total"
    return f"installments.{i}.{part}"


def _check_scope(actor: User, case) -> None:
    if not selectors.can_see_case(actor, case):
        raise PlanNotFound(_("No such case."))


def _history(
    plan: Plan,
    actor: User | None,
    action: str,
    note: str = "",
    *,
    reason: str = "",
    ref: str = "",
) -> PlanApproval:
    return PlanApproval.objects.create(
        plan=plan,
        actor=actor if actor is not None and actor.pk else None,
        role=actor.role if actor is not None else "",
        action=action,
        note=note,
        reason=reason,
        ref=ref,
    )


def _snapshot(plan: Plan) -> dict:
    return {
        "status": plan.status,
        "kind": plan.kind,
        "loan": plan.loan.external_id,
        "case": plan.case_id,
        "full_due_fen": plan.full_due_fen,
        "agreed_total_fen": plan.agreed_total_fen,
        "discount_fen": plan.discount_fen,
        "discount_bp": plan.discount_bp,
        "term_months": plan.term_months,
        "installments": plan.installment_count,
        "awaiting_role": plan.awaiting_role,
        "accepted_on": plan.accepted_on.isoformat() if plan.accepted_on else None,
    }


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise PlanInvalid("note", _("The note is longer than %(n)s characters.") % {"n": MAX_NOTE})
    return note


def plan_propose(
    *,
    case,
    kind: str,
    agreed_total_fen: int,
    installments: Sequence[tuple[dt.date, int]] | Spread | tuple,
    actor: User,
    note: str = "",
    source: str = "web",
    today: dt.date | None = None,
) -> Plan:
    """Propose a plan or settlement on a case; approved at once if within the actor's authority.

    The full amount due is computed first (as of `today`, default the business date), and the
    discount is what the agreed total gives up of it. `installments` is a list of
    (due_on, amount_fen) or a Spread / (count, first_due_on, interval) tuple.
    """
    if actor.is_read_only or not actor.can("plan.propose"):
        raise PlanForbidden(_("Your role may not propose repayment plans."))
    _check_scope(actor, case)
    today = today or local_today()
    note = _note(note)
    if kind not in Plan.Kind.values:
        raise PlanInvalid("kind", _('The kind must be "installment_plan" or "settlement".'))
    if case.status != "open":
        raise PlanInvalid("case", _("The case is closed; a plan needs an open case."))
    # The full amount due comes first: everything else is measured against it.
    due = selectors.amount_due(case.loan, today)
    if due.full <= 0:
        raise PlanInvalid(
            "case",
            _("Nothing is owed on loan %(loan)s as of %(day)s.")
            % {"loan": case.loan.external_id, "day": today},
        )
    if isinstance(agreed_total_fen, bool) or not isinstance(agreed_total_fen, int):
        raise PlanInvalid("agreed_total", _("The agreed total must be an amount in fen."))
    if agreed_total_fen <= 0:
        raise PlanInvalid("agreed_total", _("The agreed total must be greater than zero."))
    if agreed_total_fen > due.full:
        raise PlanInvalid(
            "agreed_total",
            _(
                "The agreed total %(agreed)s is more than the full amount due %(full)s as of %(day)s."
            )
            % {
                "agreed": format_yuan(agreed_total_fen),
                "full": format_yuan(due.full),
                "day": today,
            },
        )
    rows, spread = _rows(installments, agreed_total_fen)
    if kind == Plan.Kind.SETTLEMENT and len(rows) != 1:
        raise PlanInvalid(
            "count" if spread else "installments",
            _("A settlement is one lump sum: give exactly one installment."),
        )
    previous: dt.date | None = None
    for i, (due_on, amount) in enumerate(rows):
        if not isinstance(due_on, dt.date):
            raise PlanInvalid(_field(spread, i, "due_on"), _("Give a due date (YYYY-MM-DD)."))
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise PlanInvalid(
                _field(spread, i, "amount"), _("Each amount must be greater than zero.")
            )
        if previous is None and due_on < today:
            raise PlanInvalid(
                _field(spread, i, "due_on"),
                _("The first due date %(day)s is in the past.") % {"day": due_on},
            )
        if previous is not None and due_on <= previous:
            raise PlanInvalid(
                _field(spread, i, "due_on"),
                _("Due dates must increase: %(day)s is not after %(previous)s.")
                % {"day": due_on, "previous": previous},
            )
        previous = due_on
    total = sum(amount for _day, amount in rows)
    if total != agreed_total_fen:
        raise PlanInvalid(
            "installments",
            _("The installments add up to %(total)s, not the agreed total %(agreed)s.")
            % {"total": format_yuan(total), "agreed": format_yuan(agreed_total_fen)},
        )
    first_due, last_due = rows[0][0], rows[-1][0]
    months = term_months(today, last_due)
    if months > MAX_TERM_MONTHS:
        raise PlanInvalid(
            _field(spread, len(rows) - 1, "due_on") if not spread else "count",
            _("A plan may run at most %(n)s months.") % {"n": MAX_TERM_MONTHS},
        )
    discount = due.full - agreed_total_fen
    figures = dict(discount_fen=discount, full_due_fen=due.full, term_months=months)
    own = selectors.authority_for(actor.role)
    within_own = own is not None and own.covers(**figures)
    awaiting = "" if within_own else selectors.lowest_approver(**figures)
    if awaiting is None:
        raise PlanInvalid(
            "agreed_total",
            _("A discount of %(discount)s over %(months)s months is beyond every role's authority.")
            % {"discount": percent_text(bp_of(discount, due.full)), "months": months},
            code="beyond_authority",
        )
    now = timezone.now()
    with transaction.atomic():
        plan = Plan.objects.create(
            case=case,
            loan=case.loan,
            borrower_id=case.borrower_id,
            kind=kind,
            status=Plan.Status.APPROVED if within_own else Plan.Status.PENDING_APPROVAL,
            proposed_on=today,
            due_principal_fen=due.principal,
            due_interest_fen=due.interest,
            due_penalty_fen=due.penalty,
            due_fees_fen=due.fees,
            due_credit_fen=due.credit,
            overdue_fen=due.overdue,
            full_due_fen=due.full,
            agreed_total_fen=agreed_total_fen,
            discount_fen=discount,
            discount_bp=bp_of(discount, due.full),
            installment_count=len(rows),
            first_due_on=first_due,
            last_due_on=last_due,
            term_days=(last_due - today).days,
            term_months=months,
            awaiting_role=awaiting,
            note=note,
            source=source,
            created_by=actor,
            created_at=now,
            decided_by=actor if within_own else None,
            decided_at=now if within_own else None,
        )
        PlanInstallment.objects.bulk_create(
            PlanInstallment(plan=plan, number=n, due_on=d, amount_fen=a)
            for n, (d, a) in enumerate(rows, start=1)
        )
        _history(plan, actor, PlanApproval.Action.SUBMITTED, note)
        if within_own:
            _history(plan, actor, PlanApproval.Action.APPROVED, reason="within_authority")
        audit_record(
            actor=actor,
            event="plan.propose",
            object_type="plan",
            object_id=plan.pk,
            after=_snapshot(plan),
            source=source,
        )
    return plan


def _locked(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().select_related("loan", "case").get(pk=plan.pk)


def _authority_refusal(actor: User, plan: Plan, auth: PlanAuthority | None) -> str:
    facts = {
        "role": _role_label(actor.role),
        "discount": f"{plan.discount_percent}%",
        "months": plan.term_months,
        "needed": _role_label(plan.awaiting_role) if plan.awaiting_role else "?",
    }
    if auth is None:
        return (
            _(
                "Beyond your authority: as %(role)s you have none of your own. This plan gives a "
                "%(discount)s discount over %(months)s months and needs a %(needed)s."
            )
            % facts
        )
    facts["max_discount"] = percent_text(auth.max_discount_bp)
    facts["max_months"] = (
        auth.max_term_months if auth.max_term_months is not None else _("any number of")
    )
    return (
        _(
            "Beyond your authority: as %(role)s you may agree discounts up to %(max_discount)s "
            "and terms up to %(max_months)s months. This plan gives a %(discount)s discount over "
            "%(months)s months and needs a %(needed)s."
        )
        % facts
    )


def plan_decide(
    plan: Plan, *, actor: User, approve: bool, note: str = "", source: str = "web"
) -> Plan:
    """Approve or reject a plan waiting for approval.

    Only a user who can see the case, holds `plan.approve`, stands at or above the rung the
    plan waits for and whose own authority covers its discount and term decides; the
    proposer never approves their own proposal beyond their authority.
    """
    if actor.is_read_only or not actor.can("plan.approve"):
        raise PlanForbidden(_("Your role may not decide on repayment plans."))
    note = _note(note)
    with transaction.atomic():
        plan = _locked(plan)
        _check_scope(actor, plan.case)
        if plan.status != Plan.Status.PENDING_APPROVAL:
            raise PlanConflict(
                _("Plan %(id)s is not awaiting approval (%(status)s).")
                % {"id": plan.pk, "status": plan.get_status_display()}
            )
        auth = selectors.authority_for(actor.role)
        covers = auth is not None and auth.covers(
            discount_fen=plan.discount_fen,
            full_due_fen=plan.full_due_fen,
            term_months=plan.term_months,
        )
        if plan.created_by_id == actor.pk and not covers:
            raise PlanForbidden(
                _(
                    "You proposed this plan and it is beyond your authority: someone else must decide."
                )
            )
        if not covers:
            raise PlanForbidden(_authority_refusal(actor, plan, auth))
        if selectors.role_rank(actor.role) < selectors.role_rank(plan.awaiting_role):
            raise PlanForbidden(
                _("This plan was passed up to a %(role)s: it is theirs to decide.")
                % {"role": _role_label(plan.awaiting_role)}
            )
        before = _snapshot(plan)
        plan.status = Plan.Status.APPROVED if approve else Plan.Status.REJECTED
        plan.decided_by = actor
        plan.decided_at = timezone.now()
        plan.save(update_fields=["status", "decided_by", "decided_at"])
        _history(
            plan,
            actor,
            PlanApproval.Action.APPROVED if approve else PlanApproval.Action.REJECTED,
            note,
        )
        audit_record(
            actor=actor,
            event="plan.approve" if approve else "plan.reject",
            object_type="plan",
            object_id=plan.pk,
            before=before,
            after=_snapshot(plan) | {"note": note},
            source=source,
        )
    return plan


def plan_escalate(plan: Plan, *, actor: User, note: str = "", source: str = "web") -> Plan:
    """Pass a waiting plan one rung up the approver ladder (team lead → manager → admin)."""
    if actor.is_read_only or not actor.can("plan.approve"):
        raise PlanForbidden(_("Your role may not escalate repayment plans."))
    note = _note(note)
    with transaction.atomic():
        plan = _locked(plan)
        _check_scope(actor, plan.case)
        if plan.status != Plan.Status.PENDING_APPROVAL:
            raise PlanConflict(
                _("Plan %(id)s is not awaiting approval (%(status)s).")
                % {"id": plan.pk, "status": plan.get_status_display()}
            )
        floor = max(selectors.role_rank(actor.role), selectors.role_rank(plan.awaiting_role))
        if selectors.role_rank(actor.role) < selectors.role_rank(plan.awaiting_role):
            raise PlanForbidden(
                _("This plan already waits for a %(role)s.")
                % {"role": _role_label(plan.awaiting_role)}
            )
        above = [r for r in selectors.APPROVER_LADDER if selectors.role_rank(r) > floor]
        if not above:
            raise PlanConflict(_("There is nobody above an administrator to pass the plan to."))
        before = _snapshot(plan)
        plan.awaiting_role = above[0]
        plan.save(update_fields=["awaiting_role"])
        _history(
            plan,
            actor,
            PlanApproval.Action.ESCALATED,
            note,
            reason=PlanApproval.Reason.PASSED_UP,
            ref=above[0],
        )
        audit_record(
            actor=actor,
            event="plan.escalate",
            object_type="plan",
            object_id=plan.pk,
            before=before,
            after=_snapshot(plan) | {"note": note},
            source=source,
        )
    return plan


def plan_accept(
    plan: Plan,
    *,
    actor: User,
    accepted_on: dt.date,
    note: str = "",
    source: str = "web",
    today: dt.date | None = None,
) -> Plan:
    """Record that the borrower agreed to an approved plan on `accepted_on`; the plan runs.

    `accepted_on` is a limitation restart event (the debtor agreeing to perform). One plan
    runs per loan: the loan's other proposals still open are cancelled as superseded.
    """
    if actor.is_read_only or not actor.can("plan.propose"):
        raise PlanForbidden(_("Your role may not record plan acceptance."))
    note = _note(note)
    today = today or local_today()
    if not isinstance(accepted_on, dt.date):
        raise PlanInvalid("accepted_on", _("Give the date the borrower accepted (YYYY-MM-DD)."))
    with transaction.atomic():
        # The loan row serialises acceptances on one loan (one active plan per loan).
        Loan.objects.select_for_update().filter(pk=plan.loan_id).first()
        plan = _locked(plan)
        _check_scope(actor, plan.case)
        if plan.status != Plan.Status.APPROVED:
            raise PlanConflict(
                _("Plan %(id)s cannot be accepted: it is %(status)s.")
                % {"id": plan.pk, "status": plan.get_status_display()}
            )
        if accepted_on < plan.proposed_on:
            raise PlanInvalid(
                "accepted_on",
                _("%(day)s is before the plan was proposed (%(proposed)s).")
                % {"day": accepted_on, "proposed": plan.proposed_on},
            )
        if accepted_on > today:
            raise PlanInvalid("accepted_on", _("%(day)s is in the future.") % {"day": accepted_on})
        if accepted_on > plan.first_due_on:
            raise PlanInvalid(
                "accepted_on",
                _("%(day)s is after the plan's first due date (%(first)s): propose a new plan.")
                % {"day": accepted_on, "first": plan.first_due_on},
            )
        running = (
            Plan.objects.filter(loan_id=plan.loan_id, status=Plan.Status.ACTIVE)
            .exclude(pk=plan.pk)
            .first()
        )
        if running is not None:
            raise PlanConflict(
                _("Loan %(loan)s already has an active plan (%(id)s): cancel it first.")
                % {"loan": plan.loan.external_id, "id": running.pk}
            )
        before = _snapshot(plan)
        plan.status = Plan.Status.ACTIVE
        plan.accepted_on = accepted_on
        plan.accepted_by = actor
        plan.save(update_fields=["status", "accepted_on", "accepted_by"])
        _history(plan, actor, PlanApproval.Action.ACCEPTED, note)
        superseded = list(
            Plan.objects.select_for_update()
            .filter(loan_id=plan.loan_id, status__in=Plan.OPEN_STATUSES)
            .exclude(pk=plan.pk)
        )
        now = timezone.now()
        for other in superseded:
            other.status = Plan.Status.CANCELLED
            other.cancelled_at = now
            _history(
                other,
                actor,
                PlanApproval.Action.CANCELLED,
                reason=PlanApproval.Reason.SUPERSEDED,
                ref=str(plan.pk),
            )
        Plan.objects.bulk_update(superseded, ["status", "cancelled_at"])
        audit_record(
            actor=actor,
            event="plan.accept",
            object_type="plan",
            object_id=plan.pk,
            before=before,
            after=_snapshot(plan) | {"superseded": [p.pk for p in superseded]},
            source=source,
        )
    return plan


def plan_cancel(plan: Plan, *, actor: User, note: str = "", source: str = "web") -> Plan:
    """Withdraw a proposal, or end a running plan (e.g. to renegotiate). History and audit kept.

    The proposer may withdraw their own proposal until the borrower accepts it; approvers
    (plan.approve) may cancel any open plan they can see, a running one with a reason.
    """
    if actor.is_read_only:
        raise PlanForbidden(_("Your role may not change plans."))
    note = _note(note)
    with transaction.atomic():
        plan = _locked(plan)
        _check_scope(actor, plan.case)
        if not plan.is_open:
            raise PlanConflict(
                _("Plan %(id)s is already %(status)s.")
                % {"id": plan.pk, "status": plan.get_status_display()}
            )
        if not selectors.may_cancel(actor, plan):
            raise PlanForbidden(
                _("Only the proposer (before acceptance) or an approver may cancel a plan.")
            )
        if plan.status == Plan.Status.ACTIVE and not note:
            raise PlanInvalid("note", _("Give the reason for ending a running plan."))
        before = _snapshot(plan)
        plan.status = Plan.Status.CANCELLED
        plan.cancelled_at = timezone.now()
        plan.save(update_fields=["status", "cancelled_at"])
        _history(plan, actor, PlanApproval.Action.CANCELLED, note)
        audit_record(
            actor=actor,
            event="plan.cancel",
            object_type="plan",
            object_id=plan.pk,
            before=before,
            after=_snapshot(plan) | {"note": note},
            source=source,
        )
    return plan


def plan_waive(plan: Plan, *, on: dt.date, actor: User | None = None) -> Payment | None:
    """Post a completed plan's discount to the book: a WAIVER payment of what is still owed.

    The amount is what the ledger says is left on `on` after the borrower's payments (the
    discount, plus penalty that accrued while the plan ran); it goes through
    book.services.payment_post, so the loan replays and ends paid off. Idempotent on the
    payment ID WAIVE-<plan id>. Returns None when nothing is left to waive.
    """
    from arrears.book.services import payment_post

    # Everything the schedule still holds (future interest too): the plan settled the loan.
    due = selectors.amount_due(plan.loan, on)
    if due.contract_rest <= 0:
        return None
    payment, _created = payment_post(
        loan=plan.loan,
        external_id=f"{WAIVER_PREFIX}{plan.pk}",
        paid_on=on,
        amount_fen=due.contract_rest,
        channel=Payment.Channel.WAIVER,
        actor=actor,
        source="plan",
    )
    Plan.objects.filter(pk=plan.pk).update(waiver_payment=payment)
    return payment


def authority_set(
    *,
    role: str,
    max_discount_bp: int | None,
    max_term_months: int | None,
    actor: User,
    source: str = "web",
) -> PlanAuthority:
    """Change one role's authority (None: unlimited). Administrators only; audited."""
    if actor.is_read_only or not actor.can("plan.authority"):
        raise PlanForbidden(_("Only an administrator changes plan authority."))
    if role not in Role.values:
        raise PlanInvalid("role", _("Unknown role %(role)s.") % {"role": role})
    if max_discount_bp is not None and not 0 <= max_discount_bp <= BP:
        raise PlanInvalid("max_discount", _("The discount limit must be between 0% and 100%."))
    if max_term_months is not None and not 0 <= max_term_months <= MAX_TERM_MONTHS:
        raise PlanInvalid(
            "max_term_months",
            _("The term limit must be between 0 and %(n)s months.") % {"n": MAX_TERM_MONTHS},
        )
    with transaction.atomic():
        auth = PlanAuthority.objects.select_for_update().filter(role=role).first()
        before = (
            None
            if auth is None
            else {"max_discount_bp": auth.max_discount_bp, "max_term_months": auth.max_term_months}
        )
        auth = auth or PlanAuthority(role=role)
        auth.max_discount_bp = max_discount_bp
        auth.max_term_months = max_term_months
        auth.updated_at = timezone.now()
        auth.save()
        audit_record(
            actor=actor,
            event="plan.authority",
            object_type="plan_authority",
            object_id=role,
            before=before,
            after={"max_discount_bp": max_discount_bp, "max_term_months": max_term_months},
            source=source,
        )
    return auth
