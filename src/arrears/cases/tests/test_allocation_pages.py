"""The pages of allocation, suspension (停催), retention and rotation, in both languages."""

from __future__ import annotations

import datetime as dt

from arrears.cases.models import AllocationRule, CaseSuspension
from arrears.cases.suspension import case_suspend
from arrears.cases.tests.conftest import client_for
from arrears.core.dates import local_today

TODAY = local_today()


def test_collector_suspends_from_the_case_page_and_sees_when_it_resumes(people, case):
    client = client_for(people["carl"])
    ends = TODAY + dt.timedelta(days=6)
    response = client.post(
        f"/cases/{case.pk}/suspend/",
        {"reason": "hospitalised", "ends_on": ends.isoformat(), "note": "住院治疗"},
    )
    assert response.status_code == 302
    row = CaseSuspension.objects.get(case=case)
    assert (row.reason, row.ends_on, row.created_by) == ("hospitalised", ends, people["carl"])
    page = client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    resumes = (ends + dt.timedelta(days=1)).isoformat()
    assert "Collection resumes on" in page and resumes in page
    listing = client.get("/cases/?hold=suspended", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "L-CARL" in listing and "Suspended (停催)" in listing


def test_a_past_end_date_is_refused_on_the_page(people, case):
    client = client_for(people["carl"])
    response = client.post(
        f"/cases/{case.pk}/suspend/",
        {"reason": "disaster", "ends_on": (TODAY - dt.timedelta(days=1)).isoformat()},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "The end date is in the past." in response.content.decode()
    assert not CaseSuspension.objects.exists()


def test_lift_from_the_page(people, case):
    case_suspend(case=case, reason="disaster", ends_on=TODAY + dt.timedelta(days=3), actor=None)
    client = client_for(people["tom"])
    client.post(f"/cases/{case.pk}/suspension/lift/", {"reason": "灾情解除"})
    assert CaseSuspension.objects.get().lifted_on == TODAY


def test_run_allocation_preview_then_apply(people):
    from arrears.cases.tests.test_allocation import fresh_case, holder

    team_a = people["tom"].team
    waiting = [fresh_case(n, team=team_a) for n in range(4)]
    client = client_for(people["tom"])
    page = client.get("/cases/allocation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "4 cases would be placed." in page
    assert [holder(c) for c in waiting] == [None] * 4
    client.post("/cases/allocation/")
    assert sorted(holder(c) for c in waiting) == ["carl", "carl", "cora", "cora"]


def test_collectors_may_not_run_allocation(people):
    assert client_for(people["carl"]).get("/cases/allocation/").status_code == 403


def test_managers_edit_rules_team_leads_read(people):
    team_b = people["tina"].team
    mia = client_for(people["mia"])
    response = mia.post(
        "/cases/allocation/rules/",
        {
            "position": 1,
            "name": "梅州客家",
            "active": "on",
            "region_prefix": "广东省/梅州市",
            "team": team_b.pk,
        },
    )
    assert response.status_code == 302
    rule = AllocationRule.objects.get()
    assert (rule.name, rule.team, rule.region_prefix) == ("梅州客家", team_b, "广东省/梅州市")
    tom = client_for(people["tom"])
    assert "梅州客家" in tom.get("/cases/allocation/rules/").content.decode()
    assert tom.post("/cases/allocation/rules/", {"name": "x"}).status_code == 403


def test_rule_with_an_upside_down_dpd_range_is_refused(people):
    mia = client_for(people["mia"])
    response = mia.post(
        "/cases/allocation/rules/",
        {"position": 1, "name": "M2", "dpd_min": 60, "dpd_max": 30, "team": people["tom"].team_id},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (
        response.status_code == 200
        and "The upper DPD is below the lower." in response.content.decode()
    )
    assert not AllocationRule.objects.exists()


def test_team_lead_records_skills_and_an_absence_for_their_people(people):
    from arrears.cases.models import Absence, CollectorSkill

    tom = client_for(people["tom"])
    carl = people["carl"]
    tom.post(
        f"/cases/people/{carl.pk}/",
        {"what": "skills", "skills": "广东省/梅州市 客家话\n湖南省"},
    )
    assert sorted(
        CollectorSkill.objects.filter(user=carl).values_list("kind", "label", "region_prefix")
    ) == [("dialect", "客家话", "广东省/梅州市"), ("region", "", "湖南省")]
    start, end = TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=5)
    tom.post(
        f"/cases/people/{carl.pk}/",
        {"what": "absence", "starts_on": start, "ends_on": end, "reason": "leave"},
    )
    absence = Absence.objects.get(user=carl)
    assert (absence.starts_on, absence.ends_on, absence.created_by) == (start, end, people["tom"])
    page = tom.get(f"/cases/people/{carl.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "客家话" in page and "休假" in page


def test_another_teams_lead_cannot_open_the_person_page(people):
    assert client_for(people["tina"]).get(f"/cases/people/{people['carl'].pk}/").status_code == 404


def test_manager_sets_rotation_and_quota(people):
    team = people["tom"].team
    client_for(people["mia"]).post(
        f"/cases/allocation/teams/{team.pk}/", {"rotation_days": "", "retain_quota": "2"}
    )
    team.refresh_from_db()
    assert (team.rotation_days, team.retain_quota) == (None, 2)
    client_for(people["mia"]).post(
        f"/cases/allocation/teams/{team.pk}/", {"rotation_days": "45", "retain_quota": "2"}
    )
    team.refresh_from_db()
    assert team.rotation_days == 45
    response = client_for(people["tom"]).post(
        f"/cases/allocation/teams/{team.pk}/", {"rotation_days": "10", "retain_quota": "2"}
    )
    assert response.status_code == 403


def test_collector_retains_from_the_case_page(people, case):
    from arrears.cases.models import CaseRetention
    from arrears.promises.services import promise_record

    carl = client_for(people["carl"])
    page = carl.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Retain (留案)" in page
    # Team A does not rotate: no period ends, so carl cannot hand the case over himself.
    assert "This case does not rotate." in page and "Hand the case over" not in page
    carl.post(f"/cases/{case.pk}/retain/", {"reason": "月底还款"})
    assert not CaseRetention.objects.exists()  # nothing in force yet: refused
    promise_record(
        case=case,
        amount_fen=30_000,
        promised_on=TODAY + dt.timedelta(days=5),
        actor=people["carl"],
        source="web",
    )
    carl.post(f"/cases/{case.pk}/retain/", {"reason": "月底还款"})
    assert CaseRetention.objects.get().collector == people["carl"]
