"""Proposing plans and settlements: the full amount due first, validation, approval by role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from arrears.core.models import AuditEntry
from arrears.plans import selectors
from arrears.plans.errors import PlanConflict, PlanForbidden, PlanInvalid, PlanNotFound
from arrears.plans.models import Plan, PlanAuthority
from arrears.plans.services import (
    Spread,
    plan_accept,
    plan_cancel,
    plan_decide,
    plan_escalate,
    plan_propose,
    spread_installments,
)

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Service messages are phrased in the active language; these tests read the English.
    with translation.override("en"):
        yield


TODAY = D(2026, 10, 1)
# As of 2026-10-01: 10,000.00 principal + 600.00 interest + 83 days × 5.00 penalty.
FULL = 1_101_500


def propose(case, actor, agreed, installments=None, kind="installment_plan", **kw):
    if installments is None:
        installments = Spread(3, D(2026, 10, 10))
    return plan_propose(
        case=case,
        kind=kind,
        agreed_total_fen=agreed,
        installments=installments,
        actor=actor,
        today=kw.pop("today", TODAY),
        **kw,
    )


def actions(plan):
    return [(h.action, h.actor.username if h.actor else None) for h in plan.history.all()]


def test_the_full_amount_due_is_computed_first_and_kept_with_its_parts(people, case):
    plan = propose(case, people["carl"], FULL)
    assert (
        plan.proposed_on,
        plan.due_principal_fen,
        plan.due_interest_fen,
        plan.due_penalty_fen,
        plan.due_fees_fen,
        plan.overdue_fen,
        plan.full_due_fen,
    ) == (TODAY, 1_000_000, 60_000, 41_500, 0, 1_101_500, 1_101_500)
    assert (plan.discount_fen, plan.discount_bp) == (0, 0)
    # 11,015.00 in three: 3,671.66, 3,671.66 and the rounding in the last.
    assert [(i.due_on, i.amount_fen) for i in plan.installments.all()] == [
        (D(2026, 10, 10), 367_166),
        (D(2026, 11, 10), 367_166),
        (D(2026, 12, 10), 367_168),
    ]
    assert (plan.term_months, plan.term_days) == (3, 70)


def test_a_collector_within_their_authority_is_approved_at_once(people, case):
    carl = people["carl"]
    plan = propose(case, carl, FULL)
    assert plan.status == Plan.Status.APPROVED
    assert (plan.decided_by, plan.awaiting_role) == (carl, "")
    assert actions(plan) == [("submitted", "carl"), ("approved", "carl")]
    audit = AuditEntry.objects.get(event="plan.propose")
    assert audit.after["status"] == "approved" and audit.actor == carl


@pytest.mark.parametrize(
    ("agreed", "installments", "why"),
    [
        (FULL - 100, Spread(3, D(2026, 10, 10)), "any discount"),
        (FULL, Spread(7, D(2026, 10, 10)), "7 months > 6"),
    ],
)
def test_a_collector_over_their_limit_waits_for_a_team_lead(
    people, case, agreed, installments, why
):
    plan = propose(case, people["carl"], agreed, installments)
    assert plan.status == Plan.Status.PENDING_APPROVAL, why
    assert plan.awaiting_role == "team_lead"
    assert plan.decided_by is None
    assert actions(plan) == [("submitted", "carl")]


def test_a_team_lead_approves_up_to_ten_percent(people, case):
    plan = propose(case, people["carl"], FULL - 110_150)  # exactly 10.00%
    assert (plan.discount_fen, plan.discount_bp, plan.awaiting_role) == (110_150, 1000, "team_lead")
    assert selectors.may_decide(people["tom"], plan)
    assert list(selectors.plans_awaiting(people["tom"])) == [plan]
    plan_decide(plan, actor=people["tom"], approve=True, note="hardship, verified")
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by) == (Plan.Status.APPROVED, people["tom"])
    assert actions(plan) == [("submitted", "carl"), ("approved", "tom")]
    assert plan.history.last().note == "hardship, verified"
    assert plan.history.last().role == "team_lead"
    assert AuditEntry.objects.filter(event="plan.approve", object_id=str(plan.pk)).exists()


def test_one_fen_over_ten_percent_is_beyond_a_team_lead(people, case):
    plan = propose(case, people["carl"], FULL - 110_151)
    assert plan.awaiting_role == "manager"
    with pytest.raises(PlanForbidden):
        plan_decide(plan, actor=people["tom"], approve=True)


def test_a_team_lead_cannot_approve_25_percent_a_manager_can(people, case):
    plan = propose(case, people["carl"], FULL - 275_375)  # 25.00%
    assert (plan.discount_bp, plan.awaiting_role) == (2500, "manager")
    assert list(selectors.plans_awaiting(people["tom"])) == []
    assert list(selectors.plans_awaiting(people["mia"])) == [plan]
    with pytest.raises(PlanForbidden) as refused:
        plan_decide(plan, actor=people["tom"], approve=True)
    assert refused.value.message.startswith("Beyond your authority")
    assert "10.00%" in refused.value.message and "25.00%" in refused.value.message
    assert "Collection manager" in refused.value.message
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PENDING_APPROVAL  # nothing written
    plan_decide(plan, actor=people["mia"], approve=True)
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by) == (Plan.Status.APPROVED, people["mia"])
    assert actions(plan) == [("submitted", "carl"), ("approved", "mia")]


def test_a_manager_cannot_approve_beyond_thirty_percent_an_admin_can(people, case):
    plan = propose(case, people["carl"], FULL // 2)
    assert plan.awaiting_role == "admin"
    with pytest.raises(PlanForbidden):
        plan_decide(plan, actor=people["mia"], approve=True)
    plan_decide(plan, actor=people["alice"], approve=True)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.APPROVED


def test_the_term_counts_too(people, case):
    # No discount, 13 months: beyond a team lead's 12.
    plan = propose(case, people["carl"], FULL, Spread(13, D(2026, 10, 10)))
    assert (plan.term_months, plan.awaiting_role) == (13, "manager")


def test_rejection_is_kept_in_the_history(people, case):
    plan = propose(case, people["carl"], FULL - 50_000)
    plan_decide(plan, actor=people["tom"], approve=False, note="ask for more")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.REJECTED
    assert actions(plan) == [("submitted", "carl"), ("rejected", "tom")]
    with pytest.raises(PlanConflict):
        plan_decide(plan, actor=people["mia"], approve=True)


def test_the_proposer_never_approves_their_own_plan_beyond_their_authority(people, case):
    plan = propose(case, people["tom"], FULL - 275_375)
    assert plan.awaiting_role == "manager"
    with pytest.raises(PlanForbidden, match="You proposed this plan"):
        plan_decide(plan, actor=people["tom"], approve=True)
    assert list(selectors.plans_awaiting(people["tom"])) == []


def test_a_team_lead_proposing_within_their_authority_is_approved_at_once(people, case):
    plan = propose(case, people["tom"], FULL - 50_000)
    assert (plan.status, plan.decided_by) == (Plan.Status.APPROVED, people["tom"])


def test_escalating_passes_the_plan_up_a_rung(people, case):
    plan = propose(case, people["carl"], FULL - 50_000)
    plan_escalate(plan, actor=people["tom"], note="large account")
    plan.refresh_from_db()
    assert plan.awaiting_role == "manager"
    assert actions(plan) == [("submitted", "carl"), ("escalated", "tom")]
    last = plan.history.last()
    assert (last.note, last.reason, last.ref) == ("large account", "passed_up", "manager")
    with pytest.raises(PlanForbidden, match="passed up"):
        plan_decide(plan, actor=people["tom"], approve=True)
    assert list(selectors.plans_awaiting(people["tom"])) == []
    plan_decide(plan, actor=people["mia"], approve=True)


def test_collectors_cannot_decide_and_auditors_cannot_propose(people, case):
    plan = propose(case, people["carl"], FULL - 50_000)
    with pytest.raises(PlanForbidden):
        plan_decide(plan, actor=people["cora"], approve=True)
    with pytest.raises(PlanForbidden):
        propose(case, people["aud"], FULL)


def test_a_user_who_cannot_see_the_case_gets_not_found(people, case, other_case):
    with pytest.raises(PlanNotFound):
        propose(other_case, people["carl"], FULL)
    plan = propose(case, people["carl"], FULL - 50_000)
    with pytest.raises(PlanNotFound):
        plan_decide(plan, actor=people["tina"], approve=True)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"agreed": FULL + 1}, "agreed_total"),
        ({"agreed": 0}, "agreed_total"),
        ({"kind": "moratorium"}, "kind"),
        ({"installments": [(D(2026, 9, 30), FULL)]}, "installments.0.due_on"),
        (
            {"installments": [(D(2026, 10, 10), 100_000), (D(2026, 10, 10), FULL - 100_000)]},
            "installments.1.due_on",
        ),
        (
            {"installments": [(D(2026, 10, 10), 100_000), (D(2026, 11, 10), 0)]},
            "installments.1.amount",
        ),
        ({"installments": [(D(2026, 10, 10), 100_000)]}, "installments"),
        ({"installments": []}, "installments"),
        (
            {
                "kind": "settlement",
                "installments": [(D(2026, 10, 10), 100_000), (D(2026, 11, 10), FULL - 100_000)],
            },
            "installments",
        ),
        ({"kind": "settlement", "installments": Spread(2, D(2026, 10, 10))}, "count"),
        ({"installments": Spread(0, D(2026, 10, 10))}, "count"),
        ({"installments": Spread(3, D(2026, 9, 1))}, "first_due_on"),
        ({"installments": Spread(3, D(2026, 10, 10), "fortnight")}, "interval"),
        ({"installments": Spread(200, D(2026, 10, 10))}, "count"),
    ],
)
def test_bad_proposals_are_refused_naming_the_field(people, case, kwargs, field):
    args = {"agreed": FULL, "kind": "installment_plan", "installments": None} | kwargs
    with pytest.raises(PlanInvalid) as refused:
        propose(case, people["carl"], args["agreed"], args["installments"], kind=args["kind"])
    assert refused.value.field == field
    assert Plan.objects.count() == 0


def test_a_closed_case_takes_no_plan(people, case):
    case.status, case.closed_on = "closed", D(2026, 9, 1)
    case.save()
    with pytest.raises(PlanInvalid) as refused:
        propose(case, people["carl"], FULL)
    assert refused.value.field == "case"


def test_a_discount_beyond_every_role_is_refused(people, case):
    PlanAuthority.objects.filter(role="admin").update(max_discount_bp=5000)
    with pytest.raises(PlanInvalid) as refused:
        propose(case, people["carl"], FULL // 4)
    assert (refused.value.field, refused.value.code) == ("agreed_total", "beyond_authority")


def test_a_settlement_is_one_lump_sum_with_its_discount(people, case):
    plan = propose(case, people["carl"], 800_000, [(D(2026, 10, 20), 800_000)], kind="settlement")
    assert (plan.kind, plan.installment_count, plan.discount_fen) == ("settlement", 1, 301_500)
    assert plan.discount_percent == "27.37"
    assert plan.awaiting_role == "manager"


def test_spreading_keeps_the_day_of_month_and_puts_the_rounding_last():
    assert spread_installments(100_000, 3, D(2027, 1, 31)) == [
        (D(2027, 1, 31), 33_333),
        (D(2027, 2, 28), 33_333),
        (D(2027, 3, 31), 33_334),
    ]
    assert spread_installments(1_000, 2, D(2027, 1, 1), 14) == [
        (D(2027, 1, 1), 500),
        (D(2027, 1, 15), 500),
    ]


# --- acceptance -----------------------------------------------------------------------------


def test_accepting_starts_the_plan_and_supersedes_the_loans_other_proposals(people, case):
    carl = people["carl"]
    alternative = propose(case, carl, FULL - 50_000)  # pending
    plan = propose(case, carl, FULL)
    plan_accept(plan, actor=carl, accepted_on=D(2026, 10, 2), today=D(2026, 10, 2))
    plan.refresh_from_db()
    alternative.refresh_from_db()
    assert (plan.status, plan.accepted_on, plan.accepted_by) == ("active", D(2026, 10, 2), carl)
    assert actions(plan) == [("submitted", "carl"), ("approved", "carl"), ("accepted", "carl")]
    assert alternative.status == Plan.Status.CANCELLED
    last = alternative.history.last()
    assert (last.reason, last.ref) == ("superseded", str(plan.pk))
    assert selectors.active_plan(case) == plan
    assert AuditEntry.objects.get(event="plan.accept").after["superseded"] == [alternative.pk]


def test_only_one_plan_runs_per_loan(people, case):
    carl = people["carl"]
    first = propose(case, carl, FULL)
    plan_accept(first, actor=carl, accepted_on=TODAY, today=TODAY)
    second = propose(case, carl, FULL)  # proposed while the first runs
    with pytest.raises(PlanConflict, match="already has an active plan"):
        plan_accept(second, actor=carl, accepted_on=TODAY, today=TODAY)
    plan_cancel(first, actor=people["tom"], note="renegotiated")
    plan_accept(second, actor=carl, accepted_on=TODAY, today=TODAY)
    assert selectors.active_plan(case) == second


def test_a_plan_must_be_approved_before_it_is_accepted(people, case):
    plan = propose(case, people["carl"], FULL - 50_000)
    with pytest.raises(PlanConflict):
        plan_accept(plan, actor=people["carl"], accepted_on=TODAY, today=TODAY)


@pytest.mark.parametrize(
    ("accepted_on", "why"),
    [
        (D(2026, 9, 30), "before the proposal"),
        (D(2026, 10, 11), "after the first due date"),
        (D(2026, 10, 6), "in the future"),
    ],
)
def test_bad_acceptance_dates_are_refused(people, case, accepted_on, why):
    plan = propose(case, people["carl"], FULL)
    with pytest.raises(PlanInvalid) as refused:
        plan_accept(
            plan,
            actor=people["carl"],
            accepted_on=accepted_on,
            today=D(2026, 10, 5) if why != "after the first due date" else D(2026, 10, 12),
        )
    assert refused.value.field == "accepted_on", why


def test_cancelling_a_running_plan_needs_a_reason_and_an_approver(people, case):
    carl = people["carl"]
    plan = propose(case, carl, FULL)
    plan_accept(plan, actor=carl, accepted_on=TODAY, today=TODAY)
    with pytest.raises(PlanForbidden):
        plan_cancel(plan, actor=carl, note="changed my mind")
    with pytest.raises(PlanInvalid) as refused:
        plan_cancel(plan, actor=people["tom"])
    assert refused.value.field == "note"
    plan_cancel(plan, actor=people["tom"], note="borrower asked for a new plan")
    plan.refresh_from_db()
    assert plan.status == "cancelled"


def test_the_proposer_may_withdraw_before_acceptance(people, case):
    plan = propose(case, people["carl"], FULL - 50_000)
    plan_cancel(plan, actor=people["carl"], note="borrower declined")
    plan.refresh_from_db()
    assert plan.status == "cancelled"
    assert actions(plan)[-1] == ("cancelled", "carl")
