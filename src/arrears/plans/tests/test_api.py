"""/api/v1/plans/: propose, list, detail, decide, accept — scope, authority and field errors."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.api.tests.conftest import ApiClient
from arrears.core.dates import local_today
from arrears.core.money import format_yuan
from arrears.plans.models import Plan
from arrears.plans.selectors import amount_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(people):
    return lambda name: ApiClient(people[name])


@pytest.fixture
def full(loan):
    return amount_due(loan).full


def yuan(fen):
    return format_yuan(fen).replace(",", "")


def first_due(days=10):
    return (local_today() + dt.timedelta(days=days)).isoformat()


def body(case, agreed, **kw):
    return {
        "case": case.pk,
        "kind": "installment_plan",
        "agreed_total": yuan(agreed),
        "count": 3,
        "first_due_on": first_due(),
    } | kw


def test_a_collector_proposes_and_reads_the_plan_with_money_as_strings(api, case, full):
    response = api("carl").post("/plans", body(case, full))
    assert response.status_code == 201, response.json()
    plan = response.json()
    assert plan["status"] == "approved"
    assert plan["amount_due"]["full_due"] == yuan(full)
    assert plan["amount_due"]["as_of"] == local_today().isoformat()
    assert plan["amount_due"]["principal"] == "10000.00"
    assert plan["agreed_total"] == yuan(full)
    assert (plan["discount"], plan["discount_percent"]) == ("0.00", "0.00")
    assert sum(int(i["amount"].replace(".", "")) for i in plan["installments"]) == full
    assert [h["action"] for h in plan["history"]] == ["submitted", "approved"]
    assert plan["history"][1]["reason"] == "within_authority"

    listed = api("carl").get("/plans", case=case.pk).json()
    assert [p["id"] for p in listed["items"]] == [plan["id"]]
    assert api("carl").get(f"/plans/{plan['id']}").json()["loan_id"] == "L-PLAN"


def test_an_explicit_schedule_is_accepted(api, case, full):
    rows = [
        {"due_on": first_due(5), "amount": "1000.00"},
        {"due_on": first_due(35), "amount": yuan(full - 100_000)},
    ]
    response = api("carl").post(
        "/plans", body(case, full, installments=rows, count=None, first_due_on=None)
    )
    assert response.status_code == 201, response.json()
    assert [i["amount"] for i in response.json()["installments"]] == [
        "1000.00",
        yuan(full - 100_000),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"agreed_total": "99999999.00"}, "agreed_total"),
        ({"agreed_total": 1234.5}, "agreed_total"),
        ({"kind": "holiday"}, "kind"),
        ({"count": 0}, "count"),
        ({"count": None}, "count"),
        ({"first_due_on": "2020-01-01"}, "first_due_on"),
        ({"first_due_on": "2026-02-30"}, "first_due_on"),
        ({"interval": "fortnight"}, "interval"),
        ({"kind": "settlement"}, "count"),
        (
            {
                "count": None,
                "first_due_on": None,
                "installments": [{"due_on": "2020-01-01", "amount": "10.00"}],
            },
            "installments.0.due_on",
        ),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api, case, full, change, field):
    response = api("carl").post("/plans", body(case, full) | change)
    assert response.status_code == 422, response.json()
    errors = response.json()["errors"]
    assert errors[0]["field"] == field, errors
    assert Plan.objects.count() == 0


def test_beyond_a_team_leads_authority_is_a_403_saying_who_is_needed(api, case, full):
    agreed = full - full // 4  # 25%
    plan = api("carl").post("/plans", body(case, agreed)).json()
    assert (plan["status"], plan["awaiting_role"]) == ("pending_approval", "manager")

    refused = api("tom").post(f"/plans/{plan['id']}/decision", {"approve": True})
    assert refused.status_code == 403
    [error] = refused.json()["errors"]
    assert error["code"] == "forbidden"
    assert error["message"].startswith("Beyond your authority")
    assert "10.00%" in error["message"] and "Collection manager" in error["message"]

    assert api("tom").get("/plans", awaiting_me=True).json()["count"] == 0
    assert api("mia").get("/plans", awaiting_me=True).json()["count"] == 1
    approved = api("mia").post(f"/plans/{plan['id']}/decision", {"approve": True, "note": "ok"})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == "mia"
    assert [h["action"] for h in approved.json()["history"]] == ["submitted", "approved"]

    again = api("mia").post(f"/plans/{plan['id']}/decision", {"approve": False})
    assert again.status_code == 409


def test_accepting_runs_the_plan(api, case, full):
    plan = api("carl").post("/plans", body(case, full)).json()
    today = local_today().isoformat()
    response = api("carl").post(f"/plans/{plan['id']}/accept", {"accepted_on": today})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["accepted_on"]) == ("active", today)
    bad = api("carl").post(f"/plans/{plan['id']}/accept", {"accepted_on": today})
    assert bad.status_code == 409


def test_an_acceptance_date_in_the_future_is_a_422(api, case, full):
    plan = api("carl").post("/plans", body(case, full)).json()
    response = api("carl").post(f"/plans/{plan['id']}/accept", {"accepted_on": first_due(1)})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "accepted_on"


def test_out_of_scope_is_a_404(api, case, other_case, full):
    assert api("carl").post("/plans", body(other_case, full)).status_code == 404
    assert api("carl").get("/plans", case=other_case.pk).status_code == 404
    plan = api("carl").post("/plans", body(case, full - 10_000)).json()
    assert api("tina").get(f"/plans/{plan['id']}").status_code == 404
    assert api("tina").post(f"/plans/{plan['id']}/decision", {"approve": True}).status_code == 404
    assert api("cora").get(f"/plans/{plan['id']}").status_code == 404
    assert api("carl").get("/plans/999999").status_code == 404


def test_roles_that_may_not_act_get_a_403(api, case, full):
    response = api("aud").post("/plans", body(case, full))
    assert response.status_code == 403
    assert "may not propose" in response.json()["errors"][0]["message"]
    plan = api("carl").post("/plans", body(case, full - 10_000)).json()
    assert api("carl").post(f"/plans/{plan['id']}/decision", {"approve": True}).status_code == 403
    # The auditor reads, but decides nothing.
    assert api("aud").get(f"/plans/{plan['id']}").status_code == 200
    assert api("aud").post(f"/plans/{plan['id']}/decision", {"approve": True}).status_code == 403


def test_escalate_and_cancel(api, case, full):
    plan = api("carl").post("/plans", body(case, full - 10_000)).json()
    assert plan["awaiting_role"] == "team_lead"
    up = api("tom").post(f"/plans/{plan['id']}/escalate", {"note": "big one"})
    assert up.status_code == 200
    assert up.json()["awaiting_role"] == "manager"
    gone = api("carl").post(f"/plans/{plan['id']}/cancel", {"note": "declined"})
    assert gone.status_code == 200
    assert gone.json()["status"] == "cancelled"
