"""Assignment on the pages: the case list's assign bar, the case page's panel, team load."""

from __future__ import annotations

from arrears.cases.models import Case, CaseAssignment
from arrears.cases.tests.conftest import bullet, client_for, open_case
from arrears.core.models import User
from arrears.testing import make_borrower


def test_a_team_lead_assigns_every_case_matching_the_filter(people, cases):
    team = people["tom"].team
    for i in range(5):
        open_case(bullet(f"L-N{i}", make_borrower(), team=team))
    tom = client_for(people["tom"])
    page = tom.get("/cases/", {"collector": "none"}).content.decode()
    assert 'id="bulk-assign"' in page
    assert 'name="f-collector" value="none"' in page  # the filter travels with the form

    response = tom.post(
        "/cases/assign/",
        {
            "scope": "filter",
            "f-collector": "none",
            "to": f"u:{people['cora'].pk}",
            "reason": "新案分配",
        },
        follow=True,
    )

    assert Case.objects.filter(collector=people["cora"]).count() == 6
    assert Case.objects.get(pk=cases["tina"].pk).collector is None  # team B: not tom's
    assert "5" in response.content.decode()


def test_ticked_cases_are_assigned_and_a_bad_choice_changes_nothing(people, cases):
    tom = client_for(people["tom"])
    ids = [cases["carl"].pk, cases["cora"].pk]
    tom.post("/cases/assign/", {"case": ids, "to": f"u:{people['fay'].pk}", "reason": "外访"})
    assert set(Case.objects.filter(pk__in=ids).values_list("field_agent", flat=True)) == {
        people["fay"].pk
    }
    # A team B case ticked by a team A lead: nothing moves.
    tom.post(
        "/cases/assign/",
        {
            "case": [cases["carl"].pk, cases["tina"].pk],
            "to": f"u:{people['cora'].pk}",
            "reason": "x",
        },
    )
    assert Case.objects.get(pk=cases["carl"].pk).collector == people["carl"]


def test_a_collector_sees_no_assign_bar_and_is_refused(people, cases):
    carl = client_for(people["carl"])
    assert 'id="bulk-assign"' not in carl.get("/cases/").content.decode()
    response = carl.post(
        "/cases/assign/",
        {"case": [cases["carl"].pk], "to": f"u:{people['cora'].pk}", "reason": "x"},
    )
    assert response.status_code == 403
    assert carl.post(f"/cases/{cases['carl'].pk}/assign/", {}).status_code == 403
    assert carl.get("/cases/load/").status_code == 403


def test_reassign_and_undo_from_the_case_page(people, case):
    tom = client_for(people["tom"])
    tom.post(f"/cases/{case.pk}/assign/", {"to": f"u:{people['cora'].pk}", "reason": "请假"})
    case.refresh_from_db()
    assert case.collector == people["cora"]
    html = tom.get(f"/cases/{case.pk}/").content.decode()
    row = CaseAssignment.objects.get()
    assert f"/cases/assignments/{row.pk}/undo/" in html
    assert "请假" in html

    tom.post(f"/cases/assignments/{row.pk}/undo/")

    case.refresh_from_db()
    assert case.collector == people["carl"]
    html = tom.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/assignments/{row.pk}/undo/" not in html


def test_a_collector_requests_an_assist_and_the_team_lead_grants_it(people, case):
    carl = client_for(people["carl"])
    helper = User.objects.create_user("fred", role="field_agent", team=people["tom"].team)
    carl.post(
        f"/cases/{case.pk}/assists/",
        {"helper": f"u:{helper.pk}", "until": "2099-01-01", "reason": "外访"},
    )
    assert not case.assists.exists()  # more than 90 days: refused
    from arrears.core.dates import local_today

    until = local_today().isoformat()
    carl.post(
        f"/cases/{case.pk}/assists/", {"helper": f"u:{helper.pk}", "until": until, "reason": "外访"}
    )
    assist = case.assists.get()
    assert assist.status == "requested"
    assert client_for(helper).get(f"/cases/{case.pk}/").status_code == 404
    client_for(people["tom"]).post(f"/cases/assists/{assist.pk}/decide/", {"approve": "1"})
    assert client_for(helper).get(f"/cases/{case.pk}/").status_code == 200


def test_the_team_lead_reads_the_teams_load(people, cases):
    people["carl"].case_capacity = 1
    people["carl"].save()
    html = client_for(people["tom"]).get("/cases/load/").content.decode()
    assert 'data-user="carl"' in html and 'data-user="cora"' in html
    assert "Team B" not in html
    assert "(100%)" in html


def test_the_assignment_pages_read_in_chinese(people, cases):
    tom = client_for(people["tom"])
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    tom.cookies["django_language"] = "zh-hans"
    html = tom.get(f"/cases/{cases['carl'].pk}/", **zh).content.decode()
    assert "分派记录" in html and "申请协催" in html and "调案" in html
    html = tom.get("/cases/", **zh).content.decode()
    assert "已勾选的案件" in html and "分派给" in html
    html = tom.get("/cases/load/", **zh).content.decode()
    assert "在办案件" in html and "尚未分配催收员" in html


def test_the_load_counts_the_amount_due_per_person_to_the_fen(people, cases):
    import datetime as dt

    from arrears.cases.assignment_selectors import team_load
    from arrears.eod.services import eod_run

    # Each loan: 10,000.00 principal + 600.00 interest (12% for six months, bullet) due
    # 2026-07-10, plus penalty 10,000.00 × 18% / 360 = 5.00 a day for 07-11 and 07-12.
    eod_run(as_of=dt.date(2026, 7, 12))
    load = team_load(people["tom"], people["tom"].team)
    rows = {r.user.username: (r.open_cases, r.due_fen) for r in load.rows}
    assert rows["carl"] == (1, 1_061_000)
    assert rows["cora"] == (1, 1_061_000)
    assert rows["fay"] == (1, 1_061_000)  # field agent on carl's case
    html = client_for(people["tom"]).get("/cases/load/").content.decode()
    assert "10,610.00" in html
