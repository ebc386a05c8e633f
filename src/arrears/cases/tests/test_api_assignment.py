"""Assignment over the API: the answers a client sees (scope, refusals, undo, assists)."""

from __future__ import annotations

import datetime as dt

from arrears.api.tests.conftest import ApiClient
from arrears.cases.models import Case, CaseAssignment
from arrears.core.dates import local_today
from arrears.testing import make_user


def test_a_team_lead_moving_a_case_out_of_the_team_is_refused(people, cases):
    make_user("otto", "collector", team=people["tina"].team)
    api = ApiClient(people["tom"])
    response = api.post(
        f"/cases/{cases['carl'].pk}/assign", {"role": "collector", "user": "otto", "reason": "x"}
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "outside_team"
    assert Case.objects.get(pk=cases["carl"].pk).collector == people["carl"]


def test_assign_by_filter_then_undo_and_read_the_history(people, cases):
    api = ApiClient(people["mia"])
    response = api.post(
        "/cases/assign",
        {"filter": {"collector": "none"}, "role": "collector", "user": "cora", "reason": "新案"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["moved"], body["unchanged"], body["case_ids"]) == (1, 0, [cases["tina"].pk])
    case = Case.objects.get(pk=cases["tina"].pk)
    assert (case.collector, case.team) == (people["cora"], people["tom"].team)

    [move] = api.get(f"/cases/{case.pk}/assignments").json()
    assert move["before"] == {
        "team": "Team B",
        "collector": None,
        "field_agent": None,
        "legal_officer": None,
    }
    assert move["after"]["collector"] == "cora" and move["reason"] == "新案"

    undo = api.post(f"/cases/assignments/{move['id']}/undo", {"reason": "分错了"})
    assert undo.status_code == 200
    assert undo.json()["kind"] == "undo"
    assert Case.objects.get(pk=case.pk).team == people["tina"].team
    again = api.post(f"/cases/assignments/{move['id']}/undo", {})
    assert again.status_code == 409


def test_yesterdays_move_cannot_be_undone(people, cases):
    api = ApiClient(people["mia"])
    api.post(
        f"/cases/{cases['carl'].pk}/assign", {"role": "collector", "user": "cora", "reason": "x"}
    )
    row = CaseAssignment.objects.get()
    CaseAssignment.objects.filter(pk=row.pk).update(on=local_today() - dt.timedelta(days=1))
    response = api.post(f"/cases/assignments/{row.pk}/undo", {})
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "not_today"


def test_a_helper_reads_the_case_while_the_assist_runs(people, cases):
    case = cases["cora"]
    helper = ApiClient(people["lee"])
    assert helper.get(f"/cases/{case.pk}").status_code == 404
    response = ApiClient(people["tom"]).post(
        f"/cases/{case.pk}/assists",
        {
            "team": "Team B",
            "until": (local_today() + dt.timedelta(days=5)).isoformat(),
            "reason": "x",
        },
    )
    assert response.status_code == 201
    assert response.json()["status"] == "requested"  # another team: decided apart
    assist_id = response.json()["id"]
    assert ApiClient(people["tina"]).get(f"/cases/{case.pk}").status_code == 404
    ApiClient(people["mia"]).post(f"/cases/assists/{assist_id}/decide", {"approve": True})
    assert ApiClient(people["tina"]).get(f"/cases/{case.pk}").status_code == 200
    assert ApiClient(people["tina"]).get("/loans/L-CORA").status_code == 200
    assert ApiClient(people["cora"]).get(f"/cases/{case.pk}").status_code == 200
