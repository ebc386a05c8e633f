"""case_escalate (the contract other apps call) and the willful non-payer track."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from arrears.activities.models import Activity
from arrears.cases import services
from arrears.cases.errors import CaseForbidden, CaseInvalid
from arrears.cases.models import Case
from arrears.core.models import AuditEntry

pytestmark = pytest.mark.django_db
D = dt.date
TZ = ZoneInfo("Asia/Shanghai")


def escalations():
    return list(
        AuditEntry.objects.filter(event="case.escalate")
        .order_by("id")
        .values_list("object_id", "after__escalation", "source")
    )


def test_escalating_sets_the_reason_and_day_once(people, case):
    services.case_escalate(
        case=case, reason="broken_plan", on=D(2026, 9, 4), actor=None, source="eod"
    )
    assert (case.escalation, case.escalated_on) == ("broken_plan", D(2026, 9, 4))
    # Again, or for a reason of the same weight: nothing changes, nothing is written.
    services.case_escalate(case=case, reason="broken_plan", on=D(2026, 9, 9), actor=None)
    services.case_escalate(case=case, reason="broken_promises", on=D(2026, 9, 9), actor=None)
    case.refresh_from_db()
    assert (case.escalation, case.escalated_on) == ("broken_plan", D(2026, 9, 4))
    assert escalations() == [(str(case.pk), "broken_plan", "eod")]


def test_an_escalation_moves_up_never_down(people, case):
    services.case_escalate(case=case, reason="willful", on=D(2026, 9, 1), actor=people["carl"])
    services.case_escalate(case=case, reason="legal_track", on=D(2026, 9, 2), actor=people["lee"])
    services.case_escalate(case=case, reason="broken_plan", on=D(2026, 9, 3), actor=None)
    case.refresh_from_db()
    assert (case.escalation, case.escalated_on) == ("legal_track", D(2026, 9, 2))
    assert [e[1] for e in escalations()] == ["willful", "legal_track"]


def test_who_may_escalate_and_to_what(people, case):
    with pytest.raises(CaseForbidden):  # the legal track is a supervisor's or legal's step
        services.case_escalate(
            case=case, reason="legal_track", on=D(2026, 9, 1), actor=people["carl"]
        )
    with pytest.raises(CaseForbidden):  # the auditor changes nothing
        services.case_escalate(case=case, reason="willful", on=D(2026, 9, 1), actor=people["aud"])
    with pytest.raises(CaseInvalid) as exc:
        services.case_escalate(case=case, reason="angry", on=D(2026, 9, 1), actor=people["carl"])
    assert exc.value.field == "reason"
    assert Case.objects.get(pk=case.pk).escalation == ""


def willful_call(case, day, **kw):
    return Activity.objects.create(
        case=case,
        loan=case.loan,
        borrower=case.borrower,
        channel="call",
        outcome="refusal",
        default_reason="willful",
        occurred_at=dt.datetime(2026, 9, day, 10, tzinfo=TZ),
        **kw,
    )


def test_end_of_day_marks_willful_non_payers_for_the_legal_consequences_track(people, cases):
    carl, cora = cases["carl"], cases["cora"]
    willful_call(carl, 3)
    wrong = willful_call(cora, 3)
    # cora's entry was corrected: the borrower lacks funds, not will.
    Activity.objects.create(
        case=cora,
        loan=cora.loan,
        borrower=cora.borrower,
        channel="call",
        outcome="hardship",
        default_reason="lack_of_funds",
        occurred_at=wrong.occurred_at,
        corrects=wrong,
    )
    assert services.cases_escalate_willful(as_of=D(2026, 9, 2)) == 0  # not yet recorded
    assert services.cases_escalate_willful(as_of=D(2026, 9, 3)) == 1
    carl.refresh_from_db()
    cora.refresh_from_db()
    assert (carl.escalation, carl.escalated_on) == ("willful", D(2026, 9, 3))
    assert cora.escalation == ""
    assert services.cases_escalate_willful(as_of=D(2026, 9, 4)) == 0  # a rerun adds nothing
    assert escalations() == [(str(carl.pk), "willful", "eod")]


def test_the_escalations_phase_runs_in_end_of_day(people, case):
    from arrears.eod.phases import eod_phases
    from arrears.eod.services import eod_run

    assert "escalations" in [p.name for p in eod_phases()]
    willful_call(case, 3)
    run = eod_run(as_of=D(2026, 9, 5))
    assert run.summary["escalations"] == {"willful": 1}
    assert Case.objects.get(pk=case.pk).escalation == "willful"
