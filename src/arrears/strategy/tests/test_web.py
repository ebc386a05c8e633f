"""The strategy pages: a manager edits the default strategy in the browser (the editor), the next
end-of-day uses the new version; who sees what; the case page's treatment panel; the API."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import yaml
from django.test import Client

from arrears.cases.models import Case
from arrears.eod.services import eod_run
from arrears.strategy.models import CaseTreatment, HandOver, Strategy
from arrears.strategy.seed import DEFAULT_DEFINITION
from arrears.testing import make_loan

pytestmark = pytest.mark.django_db


def client_for(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_a_manager_edits_the_default_and_the_next_end_of_day_uses_it(people):
    loan = make_loan(disbursed_on=dt.date(2026, 1, 10), collector=people["carl"])
    eod_run(as_of=dt.date(2026, 2, 20))  # DPD 10: the early segment
    case = Case.objects.get(loan=loan)
    assert CaseTreatment.objects.get(case=case).segment_key == "early"

    mia = client_for(people["mia"])
    page = mia.get("/strategy/default/edit/")
    assert page.status_code == 200
    data = yaml.safe_load(page.context["form"].initial["definition"])
    # Move the early cases to a new first-day call by the team lead: drop the split.
    early = next(s for s in data["segments"] if s["key"] == "early")
    early["paths"] = [
        {
            "key": "lead",
            "share": 100,
            "steps": [
                {"key": "lead_call", "offset_days": 0, "channel": "call", "role": "team_lead"}
            ],
        }
    ]
    response = mia.post(
        "/strategy/default/edit/",
        {"definition": yaml.safe_dump(data, allow_unicode=True), "note": "team leads call M1"},
    )
    assert response.status_code == 302
    latest = Strategy.objects.get(code="default").latest()
    assert (latest.number, latest.note, latest.created_by) == (
        2,
        "team leads call M1",
        people["mia"],
    )
    detail = mia.get("/strategy/default/").content.decode()
    assert "segment “early”: paths and steps changed" in detail

    eod_run(as_of=dt.date(2026, 2, 21))
    t = CaseTreatment.objects.get(case=case)
    assert (t.strategy_version.number, t.segment_key, t.path_key) == (2, "early", "lead")
    from arrears.strategy.selectors import due_actions

    assert [
        (r["step_key"], r["role"])
        for r in due_actions(dt.date(2026, 2, 22))
        if r["case_id"] == case.pk
    ] == [("lead_call", "team_lead")]


def test_the_editor_shows_problems_naming_segment_and_step_and_saves_nothing(people):
    mia = client_for(people["mia"], "zh-hans")
    data = {"segments": [dict(s) for s in DEFAULT_DEFINITION["segments"]]}
    data["segments"][6] = dict(
        data["segments"][6], when={"all": [{"field": "bucket", "op": "eq", "value": "M9"}]}
    )
    data["segments"][8] = dict(
        data["segments"][8],
        paths=[
            {
                "key": "main",
                "share": 100,
                "steps": [{"key": "fax1", "offset_days": 0, "channel": "fax", "role": "collector"}],
            }
        ],
    )
    response = mia.post(
        "/strategy/default/edit/", {"definition": yaml.safe_dump(data, allow_unicode=True)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "early" in html and "M9" in html
    assert "m2_m3 / main / fax1" in html and "fax" in html
    assert Strategy.objects.get(code="default").latest().number == 1


def test_broken_yaml_is_an_error_on_the_page(people):
    response = client_for(people["mia"]).post(
        "/strategy/default/edit/", {"definition": "code: x\nsegments: [\n"}
    )
    assert response.status_code == 200
    assert "Not valid YAML (line 2)." in response.content.decode()


def test_team_leads_read_without_editing_and_collectors_see_nothing(people):
    tom = client_for(people["tom"])
    assert tom.get("/strategy/").status_code == 200
    detail = tom.get("/strategy/default/").content.decode()
    assert 'id="edit-link"' not in detail
    assert tom.get("/strategy/default/edit/").status_code == 403
    assert tom.post("/strategy/default/edit/", {"definition": "x"}).status_code == 403
    assert client_for(people["carl"]).get("/strategy/").status_code == 403
    assert 'id="edit-link"' in client_for(people["mia"]).get("/strategy/default/").content.decode()


def test_the_detail_page_shows_results_per_path_in_chinese(people):
    for _ in range(4):
        make_loan(disbursed_on=dt.date(2026, 1, 10))
    eod_run(as_of=dt.date(2026, 2, 20))
    html = client_for(people["mia"], "zh-hans").get("/strategy/default/").content.decode()
    assert "默认催收策略" in html and "早期（M1）" in html
    assert html.count('id="result-early-') == 2  # both paths of the split are listed
    counts = sum(
        CaseTreatment.objects.filter(segment_key="early", path_key=p).count()
        for p in ("sms_first", "call_first")
    )
    assert counts == 4


def test_the_case_page_shows_the_treatment_and_hand_overs(people):
    loan = make_loan(disbursed_on=dt.date(2025, 10, 10), collector=people["carl"])
    loan.field_agent = people["fay"]
    loan.save()
    eod_run(as_of=dt.date(2026, 4, 20))
    case = Case.objects.get(loan=loan)
    t = CaseTreatment.objects.get(case=case)
    html = client_for(people["carl"], "zh-hans").get(f"/cases/{case.pk}/").content.decode()
    assert 'id="treatment"' in html and "策略处置" in html
    HandOver.objects.create(case=case, channel="visit", created_on=dt.date(2026, 4, 21))
    fay = client_for(people["fay"])
    html = fay.get(f"/cases/{case.pk}/").content.decode()
    assert "Field visit" in html and t.segment_key  # the hand-over is listed
    item = HandOver.objects.get(case=case, channel="visit")
    response = fay.post(f"/strategy/handovers/{item.pk}/take/", {"next": f"/cases/{case.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    item.refresh_from_db()
    assert (item.status, item.taken_by) == ("taken", people["fay"])


def test_the_api_validates_and_saves(people):
    from arrears.api.tests.conftest import BASE

    mia = client_for(people["mia"])
    bad = {
        "segments": [
            dict(
                DEFAULT_DEFINITION["segments"][-1],
                when={"all": [{"field": "dpd", "op": "gt", "value": 9}]},
            )
        ]
    }
    answer = mia.post(f"{BASE}/strategies/validate", bad, content_type="application/json").json()
    assert answer["valid"] is False
    assert answer["errors"][0]["field"] == "segments.other.when"
    response = mia.post(f"{BASE}/strategies/default/versions", bad, content_type="application/json")
    assert response.status_code == 422
    assert "catch_all" in [e["code"] for e in response.json()["errors"]]
    ok = mia.post(
        f"{BASE}/strategies/default/versions",
        {**DEFAULT_DEFINITION, "note": "via API"},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["number"] == 2


def test_the_form_rows_reorder_segments_and_change_shares_and_holding_days(people):
    mia = client_for(people["mia"])
    rows = mia.get("/strategy/default/edit/").context["rows"]
    keys = [r["key"] for r in rows]
    early = keys.index("early")
    post = {"form": "rows", "note": "challenger 30%"}
    for r in rows:
        post[f"pos-{r['i']}"] = r["pos"]
        post[f"hold-{r['i']}"] = r["holding_days"]
        for p in r["paths"]:
            post[f"share-{r['i']}-{p['j']}"] = p["share"]
    post[f"share-{early}-0"], post[f"share-{early}-1"] = 70, 30
    post[f"hold-{early}"] = 14
    # Move the over-two-years segment before the early one.
    post[f"pos-{keys.index('over_two_years')}"] = (
        early  # just before early (ties keep the old order)
    )
    response = mia.post("/strategy/default/edit/", post)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = Strategy.objects.get(code="default").latest()
    segs = latest.definition["segments"]
    order = [s["key"] for s in segs]
    assert order.index("over_two_years") < order.index("early")
    e = next(s for s in segs if s["key"] == "early")
    assert (e["holding_days"], [p["share"] for p in e["paths"]]) == (14, [70, 30])
    assert latest.note == "challenger 30%"


def test_form_rows_with_shares_not_adding_up_save_nothing(people):
    mia = client_for(people["mia"])
    rows = mia.get("/strategy/default/edit/").context["rows"]
    early = [r["key"] for r in rows].index("early")
    response = mia.post("/strategy/default/edit/", {"form": "rows", f"share-{early}-0": "80"})
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert (
        '<strong translate="no">early</strong> <code translate="no">share</code>: '
        "The paths' shares add up to 130%, not 100%."
    ) in text
    assert Strategy.objects.get(code="default").latest().number == 1
