"""A case that ends, ends cleanly: promises superseded, unaccepted plans withdrawn, no stale
actions on the page, history kept; a new delinquency opens a fresh case linked to the old."""

from __future__ import annotations

import datetime as dt
import re

from arrears.book.services import payment_post
from arrears.cases.assignment import assign_target, case_assign
from arrears.cases.models import Case
from arrears.cases.tests.conftest import client_for
from arrears.core.dates import local_today
from arrears.core.models import AuditEntry
from arrears.eod.phases import EodPhaseContext
from arrears.eod.services import eod_run
from arrears.plans.eod import plans_case_closed_phase
from arrears.plans.models import Plan
from arrears.plans.selectors import amount_due
from arrears.plans.services import plan_propose
from arrears.promises.eod import promises_case_closed_phase
from arrears.promises.models import Promise
from arrears.promises.services import promise_record
from arrears.testing import make_loan

D = dt.date


def _close(case) -> None:
    Case.objects.filter(pk=case.pk).update(
        status="closed", closed_on=local_today(), close_reason="cured"
    )
    ctx = EodPhaseContext(as_of=local_today(), is_latest=True)
    promises_case_closed_phase(ctx)
    plans_case_closed_phase(ctx)
    case.refresh_from_db()


def _forms(html: str) -> list[str]:
    return sorted(
        a
        for a in set(re.findall(r'action="([^"]+)"', html))
        if a.startswith(("/cases", "/plans", "/promises", "/notices"))
    )


def test_closing_supersedes_the_pending_promise_and_withdraws_the_unaccepted_plan(people, case):
    promise = promise_record(
        case=case,
        amount_fen=50_000,
        promised_on=local_today() + dt.timedelta(days=3),
        actor=people["carl"],
        source="web",
    )
    plan = plan_propose(
        case=case,
        kind="installment_plan",
        agreed_total_fen=amount_due(case.loan).full,
        installments=(3, local_today() + dt.timedelta(days=10), "month"),
        actor=people["carl"],
    )
    assert plan.status == "approved"

    _close(case)

    promise.refresh_from_db()
    plan.refresh_from_db()
    assert (promise.status, promise.judged_on) == ("superseded", local_today())
    assert plan.status == "cancelled"
    last = plan.history.order_by("-at", "-id").first()
    assert (last.action, last.reason) == ("cancelled", "case_closed")
    assert AuditEntry.objects.filter(event="promise.supersede", object_id=str(promise.pk)).exists()
    assert AuditEntry.objects.filter(event="plan.withdraw", object_id=str(plan.pk)).exists()
    # Running the phases again changes nothing.
    ctx = EodPhaseContext(as_of=local_today(), is_latest=True)
    assert promises_case_closed_phase(ctx) == {"superseded": 0}
    assert plans_case_closed_phase(ctx) == {"withdrawn": 0}


def test_a_closed_case_shows_its_history_and_no_stale_actions(people, case):
    promise_record(
        case=case,
        amount_fen=50_000,
        promised_on=local_today() + dt.timedelta(days=3),
        actor=people["carl"],
        source="web",
    )
    case_assign(
        case=case,
        actor=people["tom"],
        target=assign_target(role="collector", user=people["carl"], team=None),
        reason="x",
    )  # already carl's: nothing moves
    open_html = client_for(people["tom"]).get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/assign/" in open_html

    _close(case)

    for who in ("tom", "carl", "mia"):
        html = client_for(people[who]).get(f"/cases/{case.pk}/").content.decode()
        assert _forms(html) == [], who
        assert 'id="closed-note"' in html
        # The promise stays in the history, superseded.
        assert "500.00" in html
        quick = re.search(r'<nav class="quick".*?</nav>', html, re.S).group(0)
        assert "#panel-promises" not in quick and "#panel-plans" not in quick
        assert "#situations" not in quick and "#profile" not in quick
    assert Promise.objects.get().status == "superseded"
    assert not Plan.objects.exists()


def test_a_new_delinquency_opens_a_fresh_case_linked_to_the_old_worked_by_its_people(people):
    carl, cora = people["carl"], people["cora"]
    loan = make_loan(
        method="equal_principal", principal="2000.00", term_months=2, collector=carl, team=carl.team
    )
    eod_run(as_of=D(2026, 2, 11))
    first = Case.objects.get()
    case_assign(
        case=first,
        actor=people["tom"],
        target=assign_target(role="collector", user=cora),
        reason="轮换",
    )
    payment_post(
        loan=loan, external_id="P1", paid_on=D(2026, 2, 12), amount_fen=102_100, source="import"
    )
    eod_run(as_of=D(2026, 2, 12))
    eod_run(as_of=D(2026, 3, 11))

    first.refresh_from_db()
    second = Case.objects.exclude(pk=first.pk).get()
    assert (first.status, second.status) == ("closed", "open")
    assert second.previous_case == first
    assert (second.collector, second.team) == (cora, carl.team)
    html = client_for(people["mia"]).get(f"/cases/{first.pk}/").content.decode()
    assert f"/cases/{second.pk}/" in html
