"""Assigning cases (分案): who may move what, history and audit, undo, scoping, assists.

The cases (conftest): carl's (team A, collector carl, field agent fay), cora's (team A,
collector cora), tina's (team B, nobody in team A sees it).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q

from arrears.cases.assignment import (
    assign_target,
    assignment_undo,
    assist_decide,
    assist_end,
    assist_request,
    case_assign,
    cases_assign_bulk,
)
from arrears.cases.errors import CaseConflict, CaseForbidden, CaseInvalid
from arrears.cases.models import Case, CaseAssignment, CaseAssist
from arrears.cases.tests.conftest import bullet, client_for, open_case
from arrears.core.dates import local_today
from arrears.core.models import AuditEntry
from arrears.core.scoping import cases_for, loans_for
from arrears.testing import make_borrower, make_user


def to(role, user=None, team=None):
    return assign_target(role=role, user=user, team=team)


def test_a_team_lead_reassigns_a_case_within_the_team(people, cases):
    case = cases["carl"]

    row = case_assign(
        case=case, actor=people["tom"], target=to("collector", people["cora"]), reason="轮换"
    )

    case.refresh_from_db()
    assert case.collector == people["cora"]
    assert (row.from_collector, row.to_collector, row.reason) == (
        people["carl"],
        people["cora"],
        "轮换",
    )
    entry = AuditEntry.objects.get(event="case.assign", object_id=str(case.pk))
    assert entry.before["collector"] == "carl"
    assert entry.after["collector"] == "cora"
    assert entry.after["reason"] == "轮换"
    assert entry.actor == people["tom"]


def test_a_team_lead_cannot_assign_outside_the_team(people, cases):
    outsider = make_user("otto", "collector", team=people["tina"].team)
    with pytest.raises(CaseForbidden):
        case_assign(
            case=cases["carl"], actor=people["tom"], target=to("collector", outsider), reason="x"
        )
    with pytest.raises(CaseForbidden):
        case_assign(
            case=cases["carl"],
            actor=people["tom"],
            target=to("team", team=people["tina"].team),
            reason="x",
        )
    # tina's case is not tom's to move (nor even to see).
    with pytest.raises(CaseInvalid):
        case_assign(
            case=cases["tina"],
            actor=people["tom"],
            target=to("collector", people["cora"]),
            reason="x",
        )
    assert not CaseAssignment.objects.exists()
    assert not AuditEntry.objects.filter(event="case.assign").exists()


def test_a_collector_cannot_assign(people, cases):
    with pytest.raises(CaseForbidden):
        case_assign(
            case=cases["carl"],
            actor=people["carl"],
            target=to("collector", people["cora"]),
            reason="x",
        )


def test_a_manager_moves_a_case_to_another_team_and_its_collector_leaves_it(people, cases):
    case = cases["carl"]
    case_assign(
        case=case, actor=people["mia"], target=to("team", team=people["tina"].team), reason="换组"
    )
    case.refresh_from_db()
    assert case.team == people["tina"].team
    assert case.collector is None  # carl is in team A
    assert case.field_agent == people["fay"]


def test_a_reason_is_required_and_roles_must_fit(people, cases):
    with pytest.raises(CaseInvalid) as exc:
        case_assign(
            case=cases["carl"],
            actor=people["mia"],
            target=to("collector", people["cora"]),
            reason=" ",
        )
    assert exc.value.field == "reason"
    with pytest.raises(CaseInvalid) as exc:
        to("collector", people["fay"])
    assert exc.value.field == "user"


def test_assigning_again_to_the_same_person_changes_nothing(people, cases):
    assert (
        case_assign(
            case=cases["carl"],
            actor=people["mia"],
            target=to("collector", people["carl"]),
            reason="x",
        )
        is None
    )
    assert not CaseAssignment.objects.exists()


def test_a_reassigned_case_leaves_the_old_collectors_list_and_api(people, cases):
    case = cases["carl"]
    assert cases_for(people["carl"]).filter(pk=case.pk).exists()
    assert loans_for(people["carl"]).filter(pk=case.loan_id).exists()

    case_assign(
        case=case, actor=people["tom"], target=to("collector", people["cora"]), reason="轮换"
    )

    assert not cases_for(people["carl"]).filter(pk=case.pk).exists()
    assert not loans_for(people["carl"]).filter(pk=case.loan_id).exists()
    assert cases_for(people["cora"]).filter(pk=case.pk).exists()
    assert loans_for(people["cora"]).filter(pk=case.loan_id).exists()
    carl = client_for(people["carl"])
    assert carl.get(f"/cases/{case.pk}/").status_code == 404
    assert carl.get("/cases/").content.decode().count("L-CARL") == 0
    from arrears.api.tests.conftest import ApiClient

    api = ApiClient(people["carl"])
    assert api.get(f"/cases/{case.pk}").status_code == 404
    assert api.get("/loans/L-CARL").status_code == 404
    assert ApiClient(people["cora"]).get(f"/cases/{case.pk}").status_code == 200


def test_bulk_by_filter_moves_only_open_cases_of_the_leads_team(people, cases):
    extra = [
        open_case(bullet(f"L-X{i}", make_borrower(), team=people["tom"].team)) for i in range(3)
    ]
    closed = open_case(bullet("L-CLOSED", make_borrower(), team=people["tom"].team))
    Case.objects.filter(pk=closed.pk).update(status="closed", closed_on=dt.date(2026, 7, 20))

    result = cases_assign_bulk(
        actor=people["tom"],
        target=to("collector", people["carl"]),
        reason="新案分配",
        queryset=Case.objects.filter(collector__isnull=True),
    )

    assert result.moved == 3
    assert sorted(result.case_ids) == sorted(c.pk for c in extra)
    assert Case.objects.filter(collector=people["carl"]).count() == 4  # his own + 3
    assert Case.objects.get(pk=cases["tina"].pk).collector is None  # team B: untouched
    assert Case.objects.get(pk=closed.pk).collector is None
    assert AuditEntry.objects.filter(event="case.assign").count() == 3
    assert CaseAssignment.objects.filter(batch=result.batch).count() == 3


def test_a_selection_with_a_case_outside_the_team_moves_nothing(people, cases):
    with pytest.raises(CaseInvalid):
        cases_assign_bulk(
            actor=people["tom"],
            target=to("collector", people["cora"]),
            reason="x",
            case_ids=[cases["carl"].pk, cases["tina"].pk],
        )
    assert Case.objects.get(pk=cases["carl"].pk).collector == people["carl"]


def test_a_move_is_undone_the_same_day(people, cases):
    case = cases["carl"]
    row = case_assign(
        case=case, actor=people["tom"], target=to("collector", people["cora"]), reason="轮换"
    )

    undo = assignment_undo(assignment=row, actor=people["tom"], reason="分错了")

    case.refresh_from_db()
    assert case.collector == people["carl"]
    assert undo.kind == "undo" and undo.undo_of == row
    row.refresh_from_db()
    assert row.undone_by == people["tom"]
    entry = AuditEntry.objects.get(event="case.assign_undo")
    assert (entry.before["collector"], entry.after["collector"]) == ("cora", "carl")
    with pytest.raises(CaseConflict):
        assignment_undo(assignment=row, actor=people["tom"])


def test_a_move_of_an_earlier_day_cannot_be_undone(people, cases):
    case = cases["carl"]
    row = case_assign(
        case=case, actor=people["tom"], target=to("collector", people["cora"]), reason="轮换"
    )
    CaseAssignment.objects.filter(pk=row.pk).update(on=local_today() - dt.timedelta(days=1))
    row.refresh_from_db()

    with pytest.raises(CaseConflict) as exc:
        assignment_undo(assignment=row, actor=people["tom"])

    assert exc.value.code == "not_today"
    case.refresh_from_db()
    assert case.collector == people["cora"]


def test_an_undo_waits_for_the_later_move(people, cases):
    case = cases["carl"]
    first = case_assign(
        case=case, actor=people["tom"], target=to("collector", people["cora"]), reason="a"
    )
    case_assign(case=case, actor=people["tom"], target=to("collector", people["carl"]), reason="b")
    with pytest.raises(CaseConflict) as exc:
        assignment_undo(assignment=first, actor=people["tom"])
    assert exc.value.code == "moved_since"


def test_a_field_agent_brought_in_sees_the_case_and_the_owners_keep_it(people, cases):
    case = cases["cora"]
    helper = make_user("fred", "field_agent", team=people["tom"].team)
    assert not cases_for(helper).filter(pk=case.pk).exists()

    # cora asks; it waits for the team lead.
    assist = assist_request(
        case=case,
        actor=people["cora"],
        user=helper,
        reason="借款人在外地，需要外访",
        until=local_today() + dt.timedelta(days=14),
    )
    assert assist.status == "requested"
    assert not cases_for(helper).filter(pk=case.pk).exists()

    assist_decide(assist=assist, actor=people["tom"], approve=True)

    assert cases_for(helper).filter(pk=case.pk).exists()
    assert loans_for(helper).filter(pk=case.loan_id).exists()
    assert cases_for(people["cora"]).filter(pk=case.pk).exists()
    assert cases_for(people["tom"]).filter(pk=case.pk).exists()
    assert Case.objects.get(pk=case.pk).collector == people["cora"]

    assist_end(assist=assist, actor=people["tom"])
    assert not cases_for(helper).filter(pk=case.pk).exists()


def test_a_team_assist_lets_the_other_team_see_the_case_until_its_date(people, cases):
    case = cases["carl"]
    assist = assist_request(
        case=case,
        actor=people["mia"],
        team=people["tina"].team,
        reason="二组熟悉该村",
        until=local_today(),
    )
    assert assist.status == "active"  # a manager grants at once
    assert cases_for(people["tina"]).filter(pk=case.pk).exists()
    CaseAssist.objects.filter(pk=assist.pk).update(until=local_today() - dt.timedelta(days=1))
    assert not cases_for(people["tina"]).filter(pk=case.pk).exists()


def test_a_collector_cannot_grant_an_assist(people, cases):
    assist = assist_request(
        case=cases["carl"],
        actor=people["carl"],
        user=make_user("fred", "field_agent"),
        reason="外访",
        until=local_today() + dt.timedelta(days=3),
    )
    with pytest.raises(CaseForbidden):
        assist_decide(assist=assist, actor=people["carl"], approve=True)
    with pytest.raises(CaseForbidden):
        assist_decide(assist=assist, actor=people["tina"], approve=True)


def test_bulk_assignment_is_set_based(people, cases, django_assert_max_num_queries):
    team = people["tom"].team
    for i in range(40):
        open_case(bullet(f"L-B{i}", make_borrower(), team=team))
    ids = list(Case.objects.filter(collector__isnull=True, team=team).values_list("pk", flat=True))
    assert len(ids) == 40
    # The query count does not grow with the number of cases.
    with django_assert_max_num_queries(25):
        result = cases_assign_bulk(
            actor=people["mia"],
            target=to("collector", people["cora"]),
            reason="批量分案",
            queryset=Case.objects.filter(Q(pk__in=ids)),
        )
    assert result.moved == 40
