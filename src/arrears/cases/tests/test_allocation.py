"""Allocation by rules (分案), absence cover, rotation (轮换), retention (留案), suspension
(停催) and assist expiry, through the real services (docs/allocation.md).

Team A: lead tom, collectors carl and cora (conftest people); we add dan (a new collector)
where a test needs one. Cases open on 2026-07-11, so every case has been held for months.
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.cases.allocation import Item, Person, allocation_plan, allocation_run, plan_collectors
from arrears.cases.assignment import (
    Target,
    assignment_undo,
    assist_request,
    assists_expire,
    case_assign,
)
from arrears.cases.errors import CaseConflict, CaseForbidden, CaseInvalid
from arrears.cases.models import (
    Absence,
    AllocationRule,
    Case,
    CaseAssignment,
    CaseAssist,
    CaseCover,
    CollectorSkill,
)
from arrears.cases.rotation import case_retain, case_rotate, rotation_run
from arrears.cases.suspension import case_suspend, suspension_in_force, suspension_lift
from arrears.cases.tests.conftest import bullet, open_case
from arrears.core.dates import local_today
from arrears.core.roles import Role
from arrears.testing import make_borrower, make_user

TODAY = local_today()


def policy(people, days: int | None = 30, quota: int = 5) -> None:
    """Team A's rotation days and retention quota, set as a manager does."""
    from arrears.cases.allocation import team_rotation_set

    team_rotation_set(
        team=people["tom"].team, rotation_days=days, retain_quota=quota, actor=people["mia"]
    )


@pytest.fixture(autouse=True)
def rotating(people):
    """Team A rotates after 30 days (teams do not rotate until a manager says so)."""
    policy(people)


def fresh_case(n: int, region=("广东省", "梅州市"), **assignment) -> Case:
    borrower = make_borrower(
        external_id=f"B-AL{n}", name=f"借款人{n}", province=region[0], county=region[1]
    )
    return open_case(bullet(f"L-AL{n}", borrower, **assignment))


def holder(case) -> str | None:
    case.refresh_from_db()
    return case.collector.username if case.collector_id else None


# --- the planner (pure) ------------------------------------------------------------------------


def test_balanced_by_count_and_amount():
    people = [Person(id=i, team_id=1) for i in (1, 2, 3)]
    amounts = [900, 800, 700, 600, 500, 400, 300, 200, 100]  # yuan, 4,500 in all
    items = [Item(case_id=n, team_id=1, amount_fen=a * 100) for n, a in enumerate(amounts)]
    plan = plan_collectors(items, people)
    # Largest first to the least loaded: 900 | 800 | 700; 600→700's; 500→800's; 400→900's
    # (1,300 each); then 300, 200, 100 in turn: 1,600 / 1,500 / 1,400, the mean 1,500 ± the
    # smallest case. Three cases each.
    assert sorted((p.count, p.amount_fen) for p in people) == [
        (3, 140_000),
        (3, 150_000),
        (3, 160_000),
    ]
    assert len(plan.moves) == 9 and plan.unplaced == []


def test_balance_counts_existing_load():
    people = [Person(id=1, team_id=1, count=5, amount_fen=500_000), Person(id=2, team_id=1)]
    items = [Item(case_id=n, team_id=1, amount_fen=100_000) for n in range(5)]
    plan_collectors(items, people)
    assert [(p.count, p.amount_fen) for p in people] == [(5, 500_000), (5, 500_000)]


def test_new_collector_gets_about_half_a_share():
    people = [Person(id=1, team_id=1), Person(id=2, team_id=1), Person(id=3, team_id=1, new=True)]
    items = [Item(case_id=n, team_id=1, amount_fen=10_000) for n in range(50)]
    plan_collectors(items, people)
    assert [p.count for p in people] == [20, 20, 10]


def test_capacity_is_respected_and_the_rest_waits():
    people = [Person(id=1, team_id=1, capacity=2), Person(id=2, team_id=1, capacity=1)]
    plan = plan_collectors([Item(case_id=n, team_id=1) for n in range(5)], people)
    assert [p.count for p in people] == [2, 1]
    assert len(plan.unplaced) == 2


# --- allocation through the services ---------------------------------------------------------


def test_rules_route_to_teams_first_match_wins(people):
    team_b = people["tina"].team
    team_a = people["tom"].team
    AllocationRule.objects.create(position=1, name="梅州", region_prefix="广东省/梅州", team=team_b)
    AllocationRule.objects.create(position=2, name="全部", team=team_a)
    meizhou = fresh_case(1)
    other = fresh_case(2, region=("湖南省", "长沙县"))
    report = allocation_run(day=TODAY)
    meizhou.refresh_from_db()
    other.refresh_from_db()
    assert meizhou.team == team_b and other.team == team_a
    # Team B has no collector: the case waits at team level; team A's goes to a collector.
    assert meizhou.collector is None and holder(other) in ("carl", "cora")
    assert report.counts()["routed"] == 2
    row = CaseAssignment.objects.get(case=meizhou)
    assert row.cause == "allocation" and "Team B" in row.reason


def test_no_rule_leaves_the_case_without_a_team(people):
    case = fresh_case(1)
    report = allocation_run(day=TODAY)
    case.refresh_from_db()
    assert case.team is None and report.no_rule == 1


def test_skill_routes_within_the_team(people):
    team_a = people["tom"].team
    CollectorSkill.objects.create(
        user=people["cora"], kind="dialect", label="客家话", region_prefix="广东省/梅州市"
    )
    hakka = [fresh_case(n, team=team_a) for n in range(3)]
    others = [fresh_case(10 + n, region=("湖南省", "长沙县"), team=team_a) for n in range(2)]
    allocation_run(day=TODAY)
    assert [holder(c) for c in hakka] == ["cora", "cora", "cora"]
    assert [holder(c) for c in others] == ["carl", "carl"]


def test_capacity_stops_allocation(people):
    team_a = people["tom"].team
    for name in ("carl", "cora"):
        people[name].case_capacity = 1
        people[name].save()
    waiting = [fresh_case(n, team=team_a) for n in range(4)]
    report = allocation_run(day=TODAY)
    assert sorted(filter(None, (holder(c) for c in waiting))) == ["carl", "cora"]
    assert report.unplaced == 2


def test_continuity_keeps_the_borrowers_collector(people):
    team_a = people["tom"].team
    borrower = make_borrower(external_id="B-KNOWN", name="熟客")
    open_case(bullet("L-K1", borrower, team=team_a, collector=people["cora"]))
    # carl holds nothing and cora one case: balance alone would pick carl.
    second = open_case(bullet("L-K2", borrower, team=team_a))
    _report, _routing, moves = allocation_plan(day=TODAY)
    assert moves[second.pk][1] == "continuity"
    allocation_run(day=TODAY)
    assert holder(second) == "cora"


def test_new_collector_shares_in_a_real_run(people):
    team_a = people["tom"].team
    from arrears.core.models import User

    # carl and cora have been here a year; dan joined today.
    User.objects.filter(username__in=["carl", "cora"]).update(
        date_joined=dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    )
    make_user("dan", Role.COLLECTOR, team=team_a)
    waiting = [fresh_case(n, region=("湖南省", "长沙县"), team=team_a) for n in range(10)]
    allocation_run(day=TODAY)
    got = [holder(c) for c in waiting]
    assert (got.count("carl"), got.count("cora"), got.count("dan")) == (4, 4, 2)


def test_absent_collectors_cases_are_covered_and_come_back(people, cases):
    carl_case = cases["carl"]
    Absence.objects.create(
        user=people["carl"], starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=2), reason="leave"
    )
    report = allocation_run(day=TODAY)
    assert report.covered == 1 and holder(carl_case) == "cora"
    cover = CaseCover.objects.get(case=carl_case)
    assert (cover.owner.username, cover.cover.username, cover.returned_on) == ("carl", "cora", None)
    move = CaseAssignment.objects.filter(case=carl_case).latest("at")
    assert move.cause == "cover" and TODAY.isoformat() in move.reason or move.reason
    # Still away tomorrow: nothing changes; the day before carl is back, the case returns.
    assert allocation_run(day=TODAY + dt.timedelta(days=1)).returned == 0
    assert holder(carl_case) == "cora"
    back = allocation_run(day=TODAY + dt.timedelta(days=2))
    assert back.returned == 1 and holder(carl_case) == "carl"
    cover.refresh_from_db()
    assert cover.returned_on == TODAY + dt.timedelta(days=2)


def test_absent_collector_gets_no_new_cases(people):
    team_a = people["tom"].team
    Absence.objects.create(user=people["cora"], starts_on=TODAY, ends_on=TODAY, reason="sick")
    Absence.objects.create(
        user=people["cora"],
        starts_on=TODAY + dt.timedelta(days=1),
        ends_on=TODAY + dt.timedelta(days=1),
        reason="sick",
    )
    waiting = [fresh_case(n, team=team_a) for n in range(3)]
    allocation_run(day=TODAY)
    assert [holder(c) for c in waiting] == ["carl", "carl", "carl"]


def test_a_suspended_case_is_not_allocated(people):
    team_a = people["tom"].team
    case = fresh_case(1, team=team_a)
    case_suspend(
        case=case, reason="hospitalised", ends_on=TODAY + dt.timedelta(days=5), actor=people["tom"]
    )
    allocation_run(day=TODAY)
    assert holder(case) is None
    # Another team lead cannot lift it (outside their scope: no such case).
    with pytest.raises(CaseInvalid):
        suspension_lift(suspension=suspension_in_force(case), reason="出院", actor=people["tina"])


# --- rotation ----------------------------------------------------------------------------------


def rotate_today():
    return rotation_run(day=TODAY)


def test_rotation_moves_a_case_held_too_long_without_progress(people, cases):
    out = rotate_today()
    # carl's and cora's cases (held since 2026-07-11, team default 30 days) swap hands.
    assert out["rotated"] == 2
    assert holder(cases["carl"]) == "cora" and holder(cases["cora"]) == "carl"
    row = CaseAssignment.objects.filter(case=cases["carl"]).latest("at")
    assert row.cause == "rotation" and str((TODAY - dt.date(2026, 7, 11)).days) in row.reason


def test_no_rotation_before_the_holding_period(people, cases):
    policy(people, days=(TODAY - dt.date(2026, 7, 11)).days + 1)
    assert rotate_today()["rotated"] == 0
    assert holder(cases["carl"]) == "carl"


def test_no_rotation_when_the_team_does_not_rotate(people, cases):
    policy(people, days=None)
    assert rotate_today()["rotated"] == 0
    with pytest.raises(CaseForbidden):  # no period ever ends: only a team lead moves it
        case_rotate(case=cases["carl"], actor=people["carl"], reason="换人")


def test_a_fresh_move_restarts_the_clock(people, cases):
    case_assign(
        case=cases["carl"],
        actor=people["tom"],
        target=Target("collector", people["cora"], None),
        reason="调案",
    )
    rotate_today()
    assert holder(cases["carl"]) == "cora"


def test_progress_stops_rotation(people, cases):
    from arrears.activities.services import activity_log
    from arrears.book.services import payment_post

    payment_post(
        loan=cases["carl"].loan,
        external_id="P-ROT-1",
        paid_on=TODAY - dt.timedelta(days=3),
        amount_fen=10_000,
        actor=people["tom"],
    )
    from django.utils import timezone

    at = timezone.make_aware(dt.datetime.combine(TODAY - dt.timedelta(days=1), dt.time(10, 0)))
    activity_log(
        case=cases["cora"],
        channel="call",
        outcome="right_party_contact",
        occurred_at=at,
        actor=people["cora"],
        source="web",
    )
    assert rotate_today()["rotated"] == 0


def test_suspended_case_is_not_rotated(people, cases):
    case_suspend(
        case=cases["carl"],
        reason="dispute_review",
        ends_on=TODAY + dt.timedelta(days=10),
        actor=people["carl"],
    )
    rotate_today()
    assert holder(cases["carl"]) == "carl" and holder(cases["cora"]) == "carl"


def promise(case, actor):
    from arrears.promises.services import promise_record

    return promise_record(
        case=case,
        amount_fen=50_000,
        promised_on=TODAY + dt.timedelta(days=7),
        actor=actor,
        source="web",
    )


def test_retained_case_is_not_rotated(people, cases):
    promise(cases["carl"], people["carl"])
    case_retain(case=cases["carl"], actor=people["carl"], reason="月底还款")
    rotate_today()
    assert holder(cases["carl"]) == "carl"


def test_retention_refused_without_promise_or_plan(people, cases):
    with pytest.raises(CaseConflict) as err:
        case_retain(case=cases["carl"], actor=people["carl"], reason="留着")
    assert err.value.code == "nothing_in_force"
    assert "promise" in err.value.message or "承诺" in err.value.message


def test_retention_quota(people, cases):
    policy(people, quota=1)
    more = fresh_case(1, team=people["tom"].team, collector=people["carl"])
    promise(cases["carl"], people["carl"])
    promise(more, people["carl"])
    case_retain(case=cases["carl"], actor=people["carl"], reason="月底还款")
    with pytest.raises(CaseConflict) as err:
        case_retain(case=more, actor=people["carl"], reason="也要留")
    assert err.value.code == "over_quota"
    assert "1" in err.value.message


def test_only_the_collector_retains(people, cases):
    promise(cases["carl"], people["carl"])
    with pytest.raises(CaseForbidden):
        case_retain(case=cases["carl"], actor=people["cora"], reason="我来")


def test_early_move_needs_a_team_lead(people, cases):
    policy(people, days=300)
    with pytest.raises(CaseForbidden) as err:
        case_rotate(case=cases["carl"], actor=people["carl"], reason="换人")
    assert err.value.code == "early_move"
    moved = case_rotate(case=cases["carl"], actor=people["tom"], reason="客户投诉催收员")
    assert moved.collector == people["cora"]


def test_collector_hands_over_after_the_period(people, cases):
    moved = case_rotate(case=cases["carl"], actor=people["carl"], reason="联系不上")
    assert moved.collector == people["cora"]


def test_team_lead_undoes_a_rotation_the_same_day(people, cases):
    rotate_today()
    row = CaseAssignment.objects.filter(case=cases["carl"], cause="rotation").get()
    with pytest.raises(CaseForbidden):
        assignment_undo(assignment=row, actor=people["carl"])
    assignment_undo(assignment=row, actor=people["tom"], reason="还在谈")
    assert holder(cases["carl"]) == "carl"


def test_a_rotation_of_an_earlier_day_is_not_undone(people, cases):
    rotate_today()
    row = CaseAssignment.objects.filter(case=cases["carl"], cause="rotation").get()
    CaseAssignment.objects.filter(pk=row.pk).update(on=TODAY - dt.timedelta(days=1))
    with pytest.raises(CaseConflict) as err:
        assignment_undo(assignment=row, actor=people["tom"])
    assert err.value.code == "not_today"


# --- suspension --------------------------------------------------------------------------------


def test_suspension_leaves_and_returns(people, case):
    ends = TODAY + dt.timedelta(days=4)
    row = case_suspend(
        case=case, reason="hospitalised", ends_on=ends, note="住院", actor=people["carl"]
    )
    assert suspension_in_force(case) == row
    assert suspension_in_force(case, ends) == row
    assert suspension_in_force(case, ends + dt.timedelta(days=1)) is None
    suspension_lift(suspension=row, reason="已出院", actor=people["carl"])
    assert suspension_in_force(case) is None
    from arrears.core.models import AuditEntry

    assert list(AuditEntry.objects.filter(object_id=str(case.pk)).values_list("event", flat=True))[
        -2:
    ] in (["case.suspend", "case.suspension_lift"], ["case.suspension_lift", "case.suspend"])


def test_suspension_end_in_the_past_is_refused(people, case):
    with pytest.raises(CaseInvalid) as err:
        case_suspend(
            case=case,
            reason="disaster",
            ends_on=TODAY - dt.timedelta(days=1),
            actor=people["carl"],
        )
    assert err.value.field == "ends_on" and err.value.code == "past_date"


def test_auditor_may_not_suspend(people, case):
    with pytest.raises(CaseForbidden):
        case_suspend(case=case, reason="disaster", ends_on=TODAY, actor=people["aud"])


# --- assists -----------------------------------------------------------------------------------


def test_assist_requests_expire_and_active_ones_end(people, case):
    asked = assist_request(
        case=case,
        actor=people["carl"],
        reason="需要外访",
        until=TODAY + dt.timedelta(days=10),
        user=make_user("fred", Role.FIELD_AGENT, team=people["tom"].team),
    )
    granted = assist_request(
        case=case, actor=people["mia"], reason="外访", until=TODAY, user=people["lee"]
    )
    assert (asked.status, granted.status) == ("requested", "active")
    assert assists_expire(day=TODAY) == {"expired": 0, "ended": 0}
    out = assists_expire(day=TODAY + dt.timedelta(days=3))
    assert out == {"expired": 1, "ended": 1}
    asked.refresh_from_db()
    granted.refresh_from_db()
    assert (asked.status, granted.status) == (CaseAssist.Status.EXPIRED, CaseAssist.Status.ENDED)


def test_a_registered_holding_period_source_wins_over_the_team(people, cases):
    from arrears.cases import rotation
    from arrears.cases.rotation import register_holding_period_source

    before = rotation._HOLDING_SOURCE
    entered = (TODAY - dt.timedelta(days=5)).isoformat()
    # The strategy's segments: carl's case entered its segment five days ago (period 3 days),
    # cora's is in a segment without rotation (not listed).
    register_holding_period_source(
        lambda: (
            f"SELECT id AS case_id, 3 AS holding_days, '{entered}' AS entered_on "
            f"FROM cases_case WHERE id = {cases['carl'].pk}"
        )
    )
    try:
        out = rotate_today()
    finally:
        register_holding_period_source(before)
    assert out["rotated"] == 1
    assert holder(cases["carl"]) == "cora" and holder(cases["cora"]) == "cora"
    row = CaseAssignment.objects.get(case=cases["carl"], cause="rotation")
    assert "5" in row.reason  # held 5 days since it entered the segment


def test_a_queryset_source_and_a_segment_entered_recently(people, cases):
    from django.db.models import F, IntegerField, Value

    from arrears.cases import rotation
    from arrears.cases.rotation import register_holding_period_source

    before = rotation._HOLDING_SOURCE
    register_holding_period_source(
        lambda: Case.objects.annotate(
            case_id=F("pk"),
            holding_days=Value(30, output_field=IntegerField()),
            entered_on=Value(TODAY),
        ).values("case_id", "holding_days", "entered_on")
    )
    try:
        assert rotate_today()["rotated"] == 0  # everyone entered a segment today
    finally:
        register_holding_period_source(before)
