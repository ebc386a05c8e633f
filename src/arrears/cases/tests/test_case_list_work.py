"""The case list shows and filters what a collector sorts by; the home page lists today's
callbacks and promises due (issue 13, "Work the collector can see")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arrears.activities.services import outcome_log
from arrears.cases.models import Complaint, DeathReport
from arrears.cases.selectors import case_list, work_today
from arrears.cases.services import complaint_open
from arrears.cases.tests.conftest import bullet, client_for, open_case
from arrears.core.dates import local_today
from arrears.eod.models import LoanSnapshot
from arrears.plans.models import Plan
from arrears.promises.models import Promise
from arrears.testing import make_borrower

pytestmark = pytest.mark.django_db


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hh, mm))


def log_call(case, user, *, when, outcome="no_answer", next_action_at=None):
    return outcome_log(
        case=case,
        channel="call",
        outcome=outcome,
        occurred_at=when,
        actor=user,
        source="web",
        number=case.borrower.phone,
        next_action_at=next_action_at,
    )


def state(case, total_due_fen):
    """The day's end-of-day figures of the case's loan (LoanState is a view over these)."""
    return LoanSnapshot.objects.create(
        loan=case.loan,
        as_of=local_today(),
        dpd=case.dpd,
        bucket=case.bucket,
        classification="special_mention",
        overdue_principal_fen=0,
        overdue_interest_fen=0,
        penalty_fen=0,
        fees_fen=0,
        outstanding_principal_fen=0,
        total_due_fen=total_due_fen,
    )


def test_a_callback_set_with_an_outcome_is_the_cases_next_action(cases, people):
    carl = people["carl"]
    yesterday = local_today() - dt.timedelta(days=1)
    log_call(cases["carl"], carl, when=at(yesterday, 10), next_action_at=at(local_today(), 15, 30))

    row = case_list(user=carl).get(pk=cases["carl"].pk)

    assert row.last_contact_at == at(yesterday, 10)
    assert row.last_outcome == "no_answer"
    assert row.next_action_at == at(local_today(), 15, 30)
    assert [c.pk for c in case_list(user=carl, next_action="today")] == [cases["carl"].pk]


def test_an_outcome_logged_without_a_callback_clears_it_but_a_note_does_not(cases, people):
    carl, case = people["carl"], cases["carl"]
    today = local_today()
    two_days_ago = today - dt.timedelta(days=2)
    log_call(case, carl, when=at(two_days_ago, 10), next_action_at=at(today, 9))
    from arrears.activities.services import activity_log

    activity_log(
        case=case,
        channel="other",
        outcome="other",
        occurred_at=at(two_days_ago, 11),
        actor=carl,
        source="web",
        note="借款人说下午再打",
    )
    assert case_list(user=carl).get(pk=case.pk).next_action_at == at(today, 9)

    log_call(case, carl, when=at(two_days_ago, 12), outcome="busy")
    assert case_list(user=carl).get(pk=case.pk).next_action_at is None


def test_a_callback_before_the_contact_is_refused(cases, people):
    from arrears.activities.errors import ActivityInvalid

    today = local_today() - dt.timedelta(days=1)
    with pytest.raises(ActivityInvalid) as exc:
        log_call(cases["carl"], people["carl"], when=at(today, 10), next_action_at=at(today, 9))
    assert exc.value.field == "next_action_at"


def test_the_list_marks_holds_and_filters_by_them(cases, people):
    complaint_open(
        case=cases["cora"],
        category=Complaint.Category.SALES,
        description="销售误导",
        owner=None,
        opened_on=local_today(),
        actor=people["tom"],
        source="web",
    )
    DeathReport.objects.create(
        case=cases["carl"],
        borrower=cases["carl"].borrower,
        reported_on=local_today(),
        source="relative",
        reported_by=people["carl"],
    )
    tom = people["tom"]

    rows = {c.pk: c for c in case_list(user=tom)}
    assert rows[cases["cora"].pk].hold_dispute is True
    assert rows[cases["cora"].pk].hold_death_verification is False
    assert rows[cases["carl"].pk].hold_death_verification is True
    assert [c.pk for c in case_list(user=tom, hold="dispute")] == [cases["cora"].pk]
    assert {c.pk for c in case_list(user=tom, hold="any")} == {cases["cora"].pk, cases["carl"].pk}
    assert list(case_list(user=tom, hold="none")) == []

    page = client_for(tom).get("/cases/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert "⏸ 投诉" in html
    assert "⏸ 报称死亡" in html


def test_the_list_filters_region_dpd_amount_promise_and_plan(cases, people):
    tom = people["tom"]
    carl_case, cora_case = cases["carl"], cases["cora"]
    far = make_borrower(
        external_id="B-FAR", name="远村", county="另县", town="山镇", village="石村"
    )
    far_case = open_case(
        bullet("L-FAR", far, team=tom.team, collector=people["carl"]), dpd=95, bucket="M4"
    )
    state(carl_case, 1_060_000)
    state(cora_case, 58_190)
    state(far_case, 2_345_678_90)
    Promise.objects.create(
        case=cora_case,
        loan=cora_case.loan,
        borrower=cora_case.borrower,
        amount_fen=58_190,
        created_on=local_today(),
        promised_on=local_today(),
        created_by=people["cora"],
    )
    Plan.objects.create(
        case=carl_case,
        loan=carl_case.loan,
        borrower=carl_case.borrower,
        kind="settlement",
        status="pending_approval",
        proposed_on=local_today(),
        due_principal_fen=1_000_000,
        due_interest_fen=60_000,
        due_penalty_fen=0,
        due_fees_fen=0,
        overdue_fen=1_060_000,
        full_due_fen=1_060_000,
        agreed_total_fen=900_000,
        discount_fen=160_000,
        discount_bp=1509,
        installment_count=1,
        first_due_on=local_today(),
        last_due_on=local_today(),
        term_days=0,
        term_months=0,
        awaiting_role="manager",
        note="一次结清",
        created_by=people["carl"],
    )

    def pks(**kw):
        return [c.pk for c in case_list(user=tom, **kw)]

    assert pks(county="另县") == [far_case.pk]
    assert pks(town="山镇", village="石村") == [far_case.pk]
    assert pks(dpd_min=90) == [far_case.pk]
    assert set(pks(dpd_max=30)) == {carl_case.pk, cora_case.pk}
    assert pks(due_min_fen=1_000_000, due_max_fen=1_060_000) == [carl_case.pk]
    assert pks(promise="today") == [cora_case.pk]
    assert pks(plan_awaiting=True) == [carl_case.pk]
    # Sorted by amount due, largest first.
    assert pks(sort="due") == [far_case.pk, carl_case.pk, cora_case.pk]

    html = client_for(tom).get("/cases/?due_min=10,600.00&sort=due").content.decode()
    assert "10,600.00" in html and "581.90" not in html
    html = client_for(tom).get("/cases/?county=另县").content.decode()
    assert "另县 · 山镇 · 石村" in html
    assert "2,345,678.90" in html


def test_the_list_costs_the_same_queries_for_two_cases_or_twelve(cases, people):
    tom = people["tom"]
    client = client_for(tom)
    yesterday = local_today() - dt.timedelta(days=1)
    log_call(
        cases["carl"], people["carl"], when=at(yesterday, 10), next_action_at=at(local_today(), 15)
    )
    client.get("/cases/")  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/cases/").status_code == 200
    for n in range(10):
        b = make_borrower(external_id=f"B-N{n}", name=f"钱{n}")
        case = open_case(bullet(f"L-N{n}", b, team=tom.team, collector=people["cora"]))
        log_call(case, people["cora"], when=at(yesterday, 11), next_action_at=at(local_today(), 16))
    with CaptureQueriesContext(connection) as many:
        page = client.get("/cases/")
    assert page.status_code == 200
    assert page.content.decode().count('class="case-row') == 12
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_the_home_page_lists_my_callbacks_and_promises_due_today(cases, people):
    carl, cora = people["carl"], people["cora"]
    today = local_today()
    yesterday = today - dt.timedelta(days=1)
    log_call(cases["carl"], carl, when=at(yesterday, 10), next_action_at=at(today, 15, 30))
    log_call(cases["cora"], cora, when=at(yesterday, 10), next_action_at=at(today, 9))
    Promise.objects.create(
        case=cases["carl"],
        loan=cases["carl"].loan,
        borrower=cases["carl"].borrower,
        amount_fen=58_190,
        created_on=yesterday,
        promised_on=today,
        created_by=carl,
    )

    work = work_today(user=carl)
    assert [c.pk for c in work["callbacks"]] == [cases["carl"].pk]
    assert [c.pk for c in work["promises"]] == [cases["carl"].pk]
    # A collector's "/" is the workbench (queues app); the overview keeps the list too.
    html = client_for(carl).get("/overview/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "今日工作" in html
    assert "15:30" in html and "王小二" in html
    assert "李四" not in html  # cora's callback is hers
    workbench = client_for(carl).get("/").content.decode()
    assert "15:30" in workbench and "王小二" in workbench
    # The team lead sees the team's callbacks.
    assert {c.pk for c in work_today(user=people["tom"])["callbacks"]} == {
        cases["carl"].pk,
        cases["cora"].pk,
    }
    # An auditor works nothing: no work list.
    assert "今日工作" not in client_for(people["aud"]).get("/").content.decode()
