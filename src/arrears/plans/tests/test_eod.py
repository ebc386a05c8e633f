"""End-of-day monitoring of running plans: kept, broken (and escalated), completed (waiver)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from arrears.book.models import Loan, Payment
from arrears.book.selectors import loan_position
from arrears.book.services import payment_post
from arrears.cases import services as case_services
from arrears.cases.models import Case
from arrears.core.models import AuditEntry
from arrears.eod.models import LoanSnapshot
from arrears.eod.phases import EodPhaseContext, eod_phases
from arrears.eod.services import eod_run
from arrears.plans.eod import plans_eod_phase
from arrears.plans.models import Plan, PlanApproval
from arrears.plans.services import Spread, plan_accept, plan_decide, plan_propose

D = dt.date
pytestmark = pytest.mark.django_db

PROPOSED = D(2026, 8, 1)
# As of 2026-08-01: 10,000.00 + 600.00 interest + 22 days × 5.00 penalty.
FULL = 1_071_000


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def escalations(monkeypatch):
    """Stand in for the cases app's cases_escalate_many (its contract), recording the calls."""
    calls = []

    def cases_escalate_many(*, escalations, reason, actor=None, source="eod"):
        found = [(case_id, reason, on, source) for case_id, on in escalations]
        calls.extend(found)
        return len(found)

    monkeypatch.setattr(case_services, "cases_escalate_many", cases_escalate_many)
    return calls


def running_plan(people, case, agreed=FULL, installments=None, kind="installment_plan"):
    """A plan proposed and accepted on 2026-08-01 (approved by mia when it needs it)."""
    plan = plan_propose(
        case=case,
        kind=kind,
        agreed_total_fen=agreed,
        installments=installments or Spread(3, D(2026, 8, 10)),
        actor=people["carl"],
        today=PROPOSED,
    )
    if plan.status == Plan.Status.PENDING_APPROVAL:
        plan_decide(plan, actor=people["mia"], approve=True)
    plan_accept(plan, actor=people["carl"], accepted_on=PROPOSED, today=PROPOSED)
    plan.refresh_from_db()
    return plan


def pay(loan, ref, day, fen, channel="bank_transfer"):
    payment_post(
        loan=loan, external_id=ref, paid_on=day, amount_fen=fen, channel=channel, source="import"
    )


def run(day, latest=True):
    return plans_eod_phase(EodPhaseContext(as_of=day, is_latest=latest))


def state(plan):
    plan.refresh_from_db()
    return plan.status, [i.paid_fen for i in plan.installments.all()], plan.paid_fen


def test_the_phase_is_registered_after_promises():
    [phase] = [p for p in eod_phases() if p.name == "plans"]
    assert phase.order == 20


def test_a_plan_kept_on_schedule_stays_active_and_shows_what_was_paid(people, loan, case):
    plan = running_plan(people, case)
    assert [i.amount_fen for i in plan.installments.all()] == [357_000] * 3
    pay(loan, "P1", D(2026, 8, 10), 357_000)
    pay(loan, "P2", D(2026, 9, 9), 357_000)
    summary = run(D(2026, 9, 20))
    assert summary == {
        "active": 1,
        "broken": 0,
        "escalated": 0,
        "completed": 0,
        "waived_fen": 0,
        "expired": 0,
    }
    assert state(plan) == ("active", [357_000, 357_000, 0], 714_000)
    assert plan.monitored_on == D(2026, 9, 20)


def test_a_missed_installment_breaks_the_plan_after_the_grace_days_and_escalates(
    people, loan, case, escalations
):
    plan = running_plan(people, case)
    pay(loan, "P1", D(2026, 8, 10), 357_000)
    # Installment 2 is due 2026-09-10; three days' grace run to 2026-09-13.
    run(D(2026, 9, 13))
    assert state(plan)[0] == "active"
    summary = run(D(2026, 9, 14))
    assert (summary["broken"], summary["escalated"]) == (1, 1)
    plan.refresh_from_db()
    assert (plan.status, plan.broken_on, plan.paid_fen) == ("broken", D(2026, 9, 14), 357_000)
    last = plan.history.last()
    assert (last.action, last.actor, last.reason, last.ref) == ("broken", None, "short", "3,570.00")
    assert escalations == [(case.pk, "broken_plan", D(2026, 9, 14), "eod")]
    audit = AuditEntry.objects.get(event="plan.broken")
    assert audit.after["broken_on"] == "2026-09-14"

    # Running the day again changes nothing.
    history, audits = plan.history.count(), AuditEntry.objects.count()
    assert run(D(2026, 9, 14))["broken"] == 0
    assert (plan.history.count(), AuditEntry.objects.count(), len(escalations)) == (
        history,
        audits,
        1,
    )


def test_the_broken_date_is_the_day_after_the_grace_even_when_judged_later(
    people, loan, case, escalations
):
    plan = running_plan(people, case)
    # Nothing paid at all; the first end-of-day in weeks finds it.
    run(D(2026, 9, 30))
    plan.refresh_from_db()
    assert (plan.status, plan.broken_on) == ("broken", D(2026, 8, 14))


def test_paying_within_the_grace_days_keeps_the_plan(people, loan, case, escalations):
    plan = running_plan(people, case)
    pay(loan, "P1", D(2026, 8, 13), 357_000)  # three days late: inside the grace
    run(D(2026, 8, 20))
    assert state(plan)[0] == "active"
    assert escalations == []


def test_a_shortfall_within_the_tolerance_keeps_the_plan(people, loan, case, settings):
    settings.ARREARS_PLAN_TOLERANCE_FEN = 100
    plan = running_plan(people, case)
    pay(loan, "P1", D(2026, 8, 10), 356_950)
    run(D(2026, 8, 20))
    assert state(plan) == ("active", [356_950, 0, 0], 356_950)


def test_a_broken_plan_escalates_its_case_through_the_cases_service(people, loan, case):
    # (This used to check that a plan still broke without the cases app's escalation
    # service; the service is part of the project now, and the run escalates in bulk.)
    from arrears.cases.models import Case

    plan = running_plan(people, case)
    summary = run(D(2026, 8, 14))
    assert (summary["broken"], summary["escalated"]) == (1, 1)
    assert state(plan)[0] == "broken"
    row = Case.objects.get(pk=case.pk)
    assert (row.escalation, row.escalated_on) == ("broken_plan", D(2026, 8, 14))
    audit = AuditEntry.objects.get(event="case.escalate")
    assert (audit.object_id, audit.source) == (str(case.pk), "eod")
    assert run(D(2026, 8, 15))["escalated"] == 0  # nothing breaks twice


def test_payments_before_acceptance_and_waivers_do_not_count(people, loan, case):
    pay(loan, "EARLY", D(2026, 7, 31), 100_000)
    plan = running_plan(people, case, agreed=900_000)
    pay(loan, "W1", D(2026, 8, 5), 50_000, channel=Payment.Channel.WAIVER)
    pay(loan, "P1", D(2026, 8, 10), 300_000)
    run(D(2026, 8, 20))
    assert state(plan) == ("active", [300_000, 0, 0], 300_000)


def test_a_completed_settlement_posts_the_discount_as_a_waiver_and_the_loan_is_paid_off(
    people, loan, case
):
    plan = running_plan(
        people, case, agreed=800_000, installments=[(D(2026, 8, 20), 800_000)], kind="settlement"
    )
    assert (plan.discount_fen, plan.decided_by) == (271_000, people["mia"])
    pay(loan, "P1", D(2026, 8, 18), 800_000)
    summary = run(D(2026, 8, 20))
    plan.refresh_from_db()
    assert (plan.status, plan.completed_on, plan.paid_fen) == ("completed", D(2026, 8, 18), 800_000)
    # On 2026-08-18, 8,000.00 paid 195.00 penalty (39 days), 600.00 interest and 7,205.00
    # principal: 2,795.00 principal is what the waiver covers (the discount, less the
    # penalty the plan's weeks added).
    waiver = Payment.objects.get(external_id=f"WAIVE-{plan.pk}")
    assert (waiver.channel, waiver.source, waiver.paid_on, waiver.amount_fen) == (
        "waiver",
        "plan",
        D(2026, 8, 18),
        279_500,
    )
    assert plan.waiver_payment == waiver
    assert summary["waived_fen"] == 279_500
    loan.refresh_from_db()
    assert loan.status == Loan.Status.PAID_OFF
    for day in (D(2026, 8, 18), D(2026, 8, 20), D(2026, 11, 28)):
        pos = loan_position(Loan.objects.get(pk=loan.pk), day)
        assert (
            pos.total_due,
            pos.outstanding_principal,
            pos.penalty,
            pos.fees,
            pos.credit_balance,
        ) == (0, 0, 0, 0, 0)
    assert [h.action for h in plan.history.all()][-1] == "completed"
    assert AuditEntry.objects.get(event="plan.completed").after["waived_fen"] == 279_500

    audits = AuditEntry.objects.count()
    run(D(2026, 8, 20))
    assert Payment.objects.filter(channel="waiver").count() == 1
    assert AuditEntry.objects.count() == audits


def test_a_discounted_installment_plan_is_waived_when_the_last_installment_is_paid(
    people, loan, case
):
    plan = running_plan(people, case, agreed=FULL - 50_000, installments=Spread(2, D(2026, 8, 10)))
    assert plan.decided_by == people["tom"] or plan.decided_by == people["mia"]
    pay(loan, "P1", D(2026, 8, 10), 510_500)
    run(D(2026, 8, 20))
    assert state(plan)[0] == "active"
    pay(loan, "P2", D(2026, 9, 10), 510_500)
    run(D(2026, 9, 11))
    plan.refresh_from_db()
    assert (plan.status, plan.completed_on) == ("completed", D(2026, 9, 10))
    assert plan.waiver_payment is not None
    assert loan_position(Loan.objects.get(pk=loan.pk), D(2026, 9, 11)).total_due == 0


def test_a_plan_without_discount_completes_without_a_waiver(people, loan, case):
    plan = running_plan(people, case, installments=Spread(1, D(2026, 8, 10)))
    pay(loan, "P1", D(2026, 8, 10), FULL)
    run(D(2026, 8, 11))
    plan.refresh_from_db()
    assert (plan.status, plan.waiver_payment) == ("completed", None)
    # The contract stayed the contract: 9 more days of penalty (45.00) are still owed.
    assert loan_position(Loan.objects.get(pk=loan.pk), D(2026, 8, 10)).total_due == 4_500


def test_breaking_before_completing_is_broken(people, loan, case, escalations):
    plan = running_plan(people, case, installments=Spread(2, D(2026, 8, 10)))
    pay(loan, "P1", D(2026, 8, 20), FULL)  # all of it, but after the first grace ran out
    run(D(2026, 8, 21))
    plan.refresh_from_db()
    assert (plan.status, plan.broken_on) == ("broken", D(2026, 8, 14))


def test_a_back_dated_run_changes_nothing(people, loan, case):
    plan = running_plan(people, case)
    assert run(D(2026, 9, 30), latest=False) == {"skipped": "back-dated run"}
    assert state(plan)[0] == "active"


def test_the_whole_run_settles_the_loan_and_closes_the_case(people, loan, case):
    plan = running_plan(
        people, case, agreed=800_000, installments=[(D(2026, 8, 20), 800_000)], kind="settlement"
    )
    pay(loan, "P1", D(2026, 8, 18), 800_000)
    run_ = eod_run(as_of=D(2026, 8, 20))
    assert run_.summary["plans"]["completed"] == 1
    plan.refresh_from_db()
    assert plan.status == "completed"
    eod_run(as_of=D(2026, 8, 21))
    case.refresh_from_db()
    snap = LoanSnapshot.objects.get(loan=loan, as_of=D(2026, 8, 21))
    assert (snap.total_due_fen, snap.outstanding_principal_fen) == (0, 0)
    assert (case.status, case.closed_on) == (Case.Status.CLOSED, D(2026, 8, 21))
    # Cleared with the settlement's waiver: settled, not paid off.
    assert case.close_reason == "settled"


def test_accepting_a_plan_restarts_the_limitation_period(people, loan, case):
    eod_run(as_of=D(2026, 7, 31))
    before = LoanSnapshot.objects.get(loan=loan, as_of=D(2026, 7, 31)).limitation_deadline
    assert before == D(2029, 7, 10)  # three years from the due date
    running_plan(people, case)
    eod_run(as_of=D(2026, 8, 2))
    after = LoanSnapshot.objects.get(loan=loan, as_of=D(2026, 8, 2)).limitation_deadline
    assert after == D(2029, 8, 1)  # three years from the acceptance
    assert PlanApproval.objects.filter(action="accepted").count() == 1


def test_a_proposal_not_accepted_by_its_first_due_date_expires(people, loan, case):
    plan = plan_propose(
        case=case,
        kind="installment_plan",
        agreed_total_fen=FULL,
        installments=Spread(3, D(2026, 8, 10)),
        actor=people["carl"],
        today=PROPOSED,
    )
    assert run(D(2026, 8, 10))["expired"] == 0  # still acceptable on the first due date
    assert run(D(2026, 8, 11))["expired"] == 1
    plan.refresh_from_db()
    assert plan.status == "cancelled"
    last = plan.history.last()
    assert (last.action, last.reason, last.actor) == ("cancelled", "expired", None)
    assert run(D(2026, 8, 11))["expired"] == 0


def _many(people, n, *, settle, tag):
    """n loans like the fixture's, each with an accepted plan; settled ones paid in full at a
    discount (a settlement of 10,000.00), the others never paid (broken after the grace)."""
    from arrears.plans.tests.conftest import open_case
    from arrears.testing import make_loan

    plans = []
    for k in range(n):
        loan = make_loan(
            external_id=f"L-MANY-{tag}-{k}",
            method="bullet",
            term_months=6,
            disbursed_on=D(2026, 1, 10),
            collector=people["carl"],
            team=people["carl"].team,
        )
        case = open_case(loan)
        if settle:
            plans.append(
                running_plan(
                    people,
                    case,
                    agreed=1_000_000,
                    installments=Spread(1, D(2026, 8, 10)),
                    kind="settlement",
                )
            )
            pay(loan, f"S-{tag}-{k}", D(2026, 8, 10), 1_000_000)
        else:
            plans.append(running_plan(people, case))
    return plans


@pytest.mark.parametrize("settle", [False, True])
def test_the_phase_is_set_based_whatever_the_number_of_plans(people, settle):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _many(people, 1, settle=settle, tag="a")
    with CaptureQueriesContext(connection) as one:
        first = run(D(2026, 8, 20))
    _many(people, 5, settle=settle, tag="b")
    with CaptureQueriesContext(connection) as five:
        second = run(D(2026, 8, 21))
    key = "completed" if settle else "broken"
    assert (first[key], second[key]) == (1, 5)
    if settle:
        assert second["waived_fen"] > 0
        assert Loan.objects.filter(status="paid_off").count() == 6
    # Not one audit entry, escalation or replay per plan: the same statements for five.
    assert len(five.captured_queries) <= len(one.captured_queries) + 2
