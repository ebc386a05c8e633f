"""/api/v1/cases/: scoped reads, the debtor type, complaints, death reports, whereabouts."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.api.tests.conftest import ApiClient
from arrears.book.selectors import loan_position
from arrears.cases import services
from arrears.cases.models import Case, Complaint, DeathReport, DebtorType
from arrears.core.money import fen_to_yuan
from arrears.eod.services import eod_run

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def api(people):
    return lambda name: ApiClient(people[name])


def error(response):
    body = response.json()
    assert set(body) == {"errors"}
    [item] = body["errors"]
    return item


def test_the_list_is_scoped_and_filtered(api, people, cases):
    services.case_set_debtor_type(
        case=cases["cora"], debtor_type=DebtorType.objects.get(code="victim"), actor=people["cora"]
    )
    body = api("carl").get("/cases").json()
    assert [row["loan_id"] for row in body["items"]] == ["L-CARL"]
    assert body["count"] == 1
    row = body["items"][0]
    assert (row["borrower_name"], row["collector"], row["debtor_type"], row["total_due"]) == (
        "王小二",
        "carl",
        None,
        None,  # no end-of-day run yet
    )
    mia = api("mia")
    assert mia.get("/cases").json()["count"] == 3
    assert [r["loan_id"] for r in mia.get("/cases", debtor_type="victim").json()["items"]] == [
        "L-CORA"
    ]
    assert [r["loan_id"] for r in mia.get("/cases", collector="carl").json()["items"]] == ["L-CARL"]
    assert mia.get("/cases", q="赵六").json()["count"] == 1
    assert api("tom").get("/cases", q="赵六").json()["count"] == 0
    bad = mia.get("/cases", status="pending")
    assert bad.status_code == 422 and error(bad)["field"] == "status"


def test_one_case_with_balances_limitation_type_suggestion_and_holds(api, people):
    from arrears.cases.tests.conftest import bullet
    from arrears.testing import make_borrower

    carl = people["carl"]
    loan = bullet("L-EOD", make_borrower(name="王五"), team=carl.team, collector=carl)
    eod_run(as_of=D(2026, 7, 11))
    case = Case.objects.get(loan=loan)
    services.complaint_open(case=case, category="company", description="x", actor=carl)
    body = api("carl").get(f"/cases/{case.pk}").json()
    position = loan_position(loan)
    assert body["loan_id"] == "L-EOD"
    assert (body["dpd"], body["bucket"]) == (1, "M1")
    assert body["position"]["total_due"] == str(fen_to_yuan(position.total_due))
    assert body["position"]["overdue_principal"] == "10000.00"
    assert body["end_of_day"]["as_of"] == "2026-07-11"
    assert body["limitation"] == {"deadline": "2029-07-10", "time_barred": False}
    assert body["holds"] == ["dispute"]
    assert body["debtor_statuses"] == []
    assert body["debtor_type"] is None
    assert body["suggestion"]["code"] == "dispute_first"
    assert body["suggestion"]["reason_zh"].startswith("1 项投诉/争议未解决")
    assert body["estate"]["estate_handling"] is False


def test_a_collector_guessing_another_case_id_gets_404(api, cases):
    theirs = cases["cora"].pk
    carl = api("carl")
    assert carl.get(f"/cases/{theirs}").status_code == 404
    assert error(carl.get(f"/cases/{theirs}"))["code"] == "not_found"
    assert carl.post(f"/cases/{theirs}/debtor-type", {"code": "victim"}).status_code == 404
    assert (
        carl.post(
            f"/cases/{theirs}/complaints", {"category": "sales", "description": "x"}
        ).status_code
        == 404
    )
    assert carl.post(f"/cases/{theirs}/death-reports", {"source": "relative"}).status_code == 404
    assert carl.post(f"/cases/{theirs}/whereabouts", {"status": "unreachable"}).status_code == 404
    assert carl.get(f"/cases/{theirs}/complaints").status_code == 404
    assert carl.get("/cases/99999").status_code == 404
    assert not Complaint.objects.exists() and not DeathReport.objects.exists()


def test_setting_the_debtor_type(api, people, case):
    carl = api("carl")
    response = carl.post(f"/cases/{case.pk}/debtor-type", {"code": "evasive"})
    assert response.status_code == 200
    body = response.json()
    assert body["debtor_type"] == {
        "code": "evasive",
        "name_zh": "逃避型",
        "name_en": "Evasive",
        "active": True,
    }
    assert body["debtor_type_set_by"] == "carl"
    bad = carl.post(f"/cases/{case.pk}/debtor-type", {"code": "dragon"})
    assert bad.status_code == 422 and error(bad)["field"] == "code"
    DebtorType.objects.filter(code="victim").update(active=False)
    retired = carl.post(f"/cases/{case.pk}/debtor-type", {"code": "victim"})
    assert retired.status_code == 422
    assert error(retired) == {
        "code": "retired",
        "field": "code",
        "message": "This debtor type is retired; choose another.",
    }
    assert carl.post(f"/cases/{case.pk}/debtor-type", {"code": None}).json()["debtor_type"] is None
    assert api("aud").post(f"/cases/{case.pk}/debtor-type", {"code": "evasive"}).status_code == 403


def test_debtor_types_are_listed_and_only_managers_edit_them(api):
    types = api("carl").get("/cases/debtor-types").json()
    assert [t["code"] for t in types][:3] == ["provocative", "evasive", "victim"]
    assert types[1]["techniques_en"][-1] == "Key to success: confidence."
    new = {
        "code": "gambler",
        "name_zh": "赌博型",
        "name_en": "Gambler",
        "techniques_zh": ["了解资金去向"],
    }
    refused = api("carl").post("/cases/debtor-types", new)
    assert refused.status_code == 403
    assert error(refused)["message"] == "your role (collector) may not edit debtor types"
    assert (
        api("tom")
        .post("/cases/debtor-types/provocative", {"name_zh": "x", "name_en": "y"})
        .status_code
        == 403
    )
    created = api("mia").post("/cases/debtor-types", new)
    assert created.status_code == 201 and created.json()["techniques_zh"] == ["了解资金去向"]
    renamed = api("mia").post(
        "/cases/debtor-types/gambler", {"name_zh": "赌徒型", "name_en": "Gambler", "active": False}
    )
    assert renamed.status_code == 200
    assert (renamed.json()["name_zh"], renamed.json()["active"]) == ("赌徒型", False)
    assert "gambler" not in [t["code"] for t in api("carl").get("/cases/debtor-types").json()]
    duplicate = api("alice").post("/cases/debtor-types", new)
    assert duplicate.status_code == 422 and error(duplicate)["field"] == "code"
    missing = api("alice").post("/cases/debtor-types", {"code": "x1", "name_en": "X"})
    assert missing.status_code == 422 and error(missing)["field"] == "name_zh"


def test_complaints_open_hold_and_resolve(api, people, case):
    carl = api("carl")
    bad = carl.post(f"/cases/{case.pk}/complaints", {"category": "weather", "description": "x"})
    assert bad.status_code == 422 and error(bad)["field"] == "category"
    bad = carl.post(
        f"/cases/{case.pk}/complaints", {"category": "sales", "description": "x", "owner": "cora"}
    )
    assert bad.status_code == 422 and error(bad)["field"] == "owner"
    created = carl.post(
        f"/cases/{case.pk}/complaints",
        {"category": "collector_conduct", "description": "态度恶劣", "opened_on": "2026-08-03"},
    )
    assert created.status_code == 201
    complaint = created.json()
    assert (complaint["status"], complaint["opened_on"], complaint["created_by"]) == (
        "open",
        "2026-08-03",
        "carl",
    )
    assert carl.get(f"/cases/{case.pk}").json()["holds"] == ["dispute"]
    assert [c["id"] for c in carl.get(f"/cases/{case.pk}/complaints").json()] == [complaint["id"]]
    path = f"/cases/complaints/{complaint['id']}/resolve"
    assert carl.post(path, {"status": "resolved", "resolution": "x"}).status_code == 403
    assert api("tina").post(path, {"status": "resolved", "resolution": "x"}).status_code == 404
    bad = api("tom").post(path, {"status": "closed", "resolution": "x"})
    assert bad.status_code == 422 and error(bad)["field"] == "status"
    done = api("tom").post(
        path, {"status": "resolved", "resolution": "已致歉", "resolved_on": "2026-08-05"}
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["resolved_on"]) == ("resolved", "2026-08-05")
    again = api("tom").post(path, {"status": "resolved", "resolution": "again"})
    assert again.status_code == 409
    assert carl.get(f"/cases/{case.pk}").json()["holds"] == []


def test_death_report_checklist_and_decision(api, people, case):
    carl = api("carl")
    created = carl.post(
        f"/cases/{case.pk}/death-reports",
        {"source": "employer", "source_detail": "厂里人事", "reported_on": "2026-08-01"},
    )
    assert created.status_code == 201
    report = created.json()
    assert report["outcome"] == "unverified"
    assert [c["item"] for c in report["checklist"]] == [
        "contacts",
        "employer",
        "relatives",
        "address",
        "phone",
        "institution",
    ]
    assert carl.get(f"/cases/{case.pk}").json()["holds"] == ["death_verification"]
    again = carl.post(f"/cases/{case.pk}/death-reports", {"source": "relative"})
    assert again.status_code == 409
    rid = report["id"]
    unverified = api("tom").post(f"/cases/death-reports/{rid}/decide", {"outcome": "confirmed"})
    assert unverified.status_code == 422 and error(unverified)["field"] == "outcome"
    checked = carl.post(
        f"/cases/death-reports/{rid}/checklist",
        {"employer": {"checked": True, "note": "人事科证实"}, "evidence": [424242]},
    )
    assert checked.status_code == 422 and error(checked)["field"] == "evidence"
    checked = carl.post(
        f"/cases/death-reports/{rid}/checklist",
        {"employer": {"checked": True, "note": "人事科证实"}},
    )
    assert checked.status_code == 200
    assert checked.json()["checklist"][1] == {
        "item": "employer",
        "checked": True,
        "note": "人事科证实",
    }
    assert (
        carl.post(f"/cases/death-reports/{rid}/decide", {"outcome": "confirmed"}).status_code == 403
    )
    # lee (legal) may decide death reports, but not on a case outside his scope.
    assert (
        api("lee").post(f"/cases/death-reports/{rid}/decide", {"outcome": "confirmed"}).status_code
        == 404
    )
    decided = api("tom").post(
        f"/cases/death-reports/{rid}/decide", {"outcome": "confirmed", "decided_on": "2026-08-09"}
    )
    assert decided.status_code == 200
    assert (decided.json()["outcome"], decided.json()["decided_by"]) == ("confirmed", "tom")
    body = carl.get(f"/cases/{case.pk}").json()
    assert (body["holds"], body["debtor_statuses"]) == ([], ["deceased"])
    assert body["estate"] == {
        "estate_handling": True,
        "since": "2026-08-09",
        "related_party_repays": None,
        "party_name": "",
        "party_relation": "",
        "agreed_amount": None,
    }
    bad = carl.post(
        f"/cases/{case.pk}/estate", {"related_party_repays": True, "agreed_amount": 5000.5}
    )
    assert bad.status_code == 422 and error(bad)["field"] == "agreed_amount"
    bad = carl.post(f"/cases/{case.pk}/estate", {"related_party_repays": True})
    assert bad.status_code == 422 and error(bad)["field"] == "party_name"
    estate = carl.post(
        f"/cases/{case.pk}/estate",
        {
            "related_party_repays": True,
            "party_name": "王大",
            "party_relation": "儿子",
            "agreed_amount": "5000.50",
        },
    )
    assert estate.status_code == 200
    assert estate.json()["estate"]["agreed_amount"] == "5000.50"
    assert Case.objects.get(pk=case.pk).estate_agreed_fen == 500_050


def test_a_false_death_report_lifts_the_hold(api, case):
    rid = api("carl").post(f"/cases/{case.pk}/death-reports", {"source": "neighbour"}).json()["id"]
    no_note = api("tom").post(f"/cases/death-reports/{rid}/decide", {"outcome": "false"})
    assert no_note.status_code == 422 and error(no_note)["field"] == "note"
    ok = api("tom").post(
        f"/cases/death-reports/{rid}/decide", {"outcome": "false", "note": "本人接听，确认健在"}
    )
    assert ok.status_code == 200
    body = api("carl").get(f"/cases/{case.pk}").json()
    assert (body["holds"], body["debtor_statuses"], body["estate"]["estate_handling"]) == (
        [],
        [],
        False,
    )


def test_whereabouts_and_escalation(api, case):
    carl = api("carl")
    bad = carl.post(f"/cases/{case.pk}/whereabouts", {"status": "moved_away"})
    assert bad.status_code == 422 and error(bad)["field"] == "detail"
    future = carl.post(
        f"/cases/{case.pk}/whereabouts",
        {"status": "unreachable", "recorded_on": "2099-01-01"},
    )
    assert future.status_code == 422 and error(future)["field"] == "recorded_on"
    made = carl.post(
        f"/cases/{case.pk}/whereabouts", {"status": "moved_away", "detail": "在深圳打工"}
    )
    assert made.status_code == 201 and made.json()["detail"] == "在深圳打工"
    assert carl.get(f"/cases/{case.pk}").json()["debtor_statuses"] == ["unreachable"]
    assert [w["status"] for w in carl.get(f"/cases/{case.pk}/whereabouts").json()] == ["moved_away"]
    willful = carl.post(f"/cases/{case.pk}/escalate", {"reason": "willful"})
    assert willful.status_code == 200 and willful.json()["escalation"] == "willful"
    assert carl.post(f"/cases/{case.pk}/escalate", {"reason": "legal_track"}).status_code == 403
    bad = carl.post(f"/cases/{case.pk}/escalate", {"reason": "broken_plan"})
    assert bad.status_code == 422 and error(bad)["field"] == "reason"


def test_malformed_bodies_are_422_not_500(api, case):
    carl = api("carl")
    for path in ("debtor-type", "complaints", "death-reports", "whereabouts", "escalate", "estate"):
        response = carl.post(f"/cases/{case.pk}/{path}", raw="{not json")
        assert response.status_code in (400, 422), path
        assert "errors" in response.json()
    nul = carl.post(
        f"/cases/{case.pk}/complaints", {"category": "sales", "description": "a\u0000b"}
    )
    assert nul.status_code == 422 and error(nul)["field"] == "description"
