"""POST/GET /api/v1/activities/: 201, 422 naming the field, 409 with the rule ids, 404 outside
the scope (a collector guessing another's case or activity ID), 403 for the auditor."""

from __future__ import annotations

import pytest

from arrears.activities.models import Activity
from arrears.activities.services import activity_log
from arrears.activities.tests.conftest import local, yesterday
from arrears.api.tests.conftest import ApiClient
from arrears.cases.models import Complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(people):
    return lambda username: ApiClient(people[username])


def body(case, **kw) -> dict:
    data = {
        "case": case.pk,
        "channel": "call",
        "outcome": "right_party_contact",
        "occurred_at": local(yesterday(), 10, 0).isoformat(),
        "duration_seconds": 60,
        "note": "客户表示月底还款\n已告知还款方式",
    }
    data.update(kw)
    return data


def logged(case, actor, hh, **kw):
    kw.setdefault("channel", "call")
    kw.setdefault("outcome", "right_party_contact")
    return activity_log(
        case=case, actor=actor, occurred_at=local(yesterday(), hh), source="api", **kw
    )


def test_post_logs_the_activity(api_as, people, case):
    response = api_as("carl").post("/activities", body(case))
    assert response.status_code == 201, response.json()
    out = response.json()
    assert out["case_id"] == case.pk and out["loan_id"] == "L-CARL"
    assert (out["channel"], out["outcome"], out["connected"]) == (
        "call",
        "right_party_contact",
        True,
    )
    assert out["number"] == "138****5678"
    assert out["target_kind"] == "borrower" and out["created_by"] == "carl"
    assert out["note"] == "客户表示月底还款\n已告知还款方式"
    assert out["warnings"] == [] and out["corrects"] is None and out["corrected_by"] is None
    a = Activity.objects.get()
    assert a.source == "api" and a.number == "13812345678"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"outcome": "shouted"}, "outcome"),
        ({"occurred_at": "2026-11-01T10:00:00"}, "occurred_at"),  # no zone
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"duration_seconds": -5}, "duration_seconds"),
        ({"channel": "letter", "outcome": "busy"}, "outcome"),
        ({"number": "13311112222"}, "number"),
        ({"contact": 999999}, "contact"),
        ({"corrects": 999999}, "corrects"),
        ({"note": "a\x00b"}, "note"),
        ({"promise_amount": "100.00"}, "promised_on"),
    ],
)
def test_bad_input_is_422_naming_the_field(api_as, case, change, field):
    response = api_as("carl").post("/activities", body(case, **change))
    assert response.status_code == 422, response.json()
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Activity.objects.exists()


def test_a_contact_at_2200_local_is_409_with_the_rule_id(api_as, case):
    response = api_as("carl").post(
        "/activities", body(case, occurred_at=local(yesterday(), 22, 0).isoformat())
    )
    assert response.status_code == 409
    (error,) = response.json()["errors"]
    assert error["code"] == "CN.CONTACT_HOURS" and error["field"] == "occurred_at"
    assert "22:00" in error["message"] and "Next allowed" in error["message"]
    assert (
        api_as("carl")
        .post("/activities", body(case, occurred_at=local(yesterday(), 21, 59).isoformat()))
        .status_code
        == 201
    )


def test_a_hold_is_409_and_the_complaint_purpose_allowed(api_as, case):
    Complaint.objects.create(
        case=case, borrower=case.borrower, category="sales", description="x", opened_on=yesterday()
    )
    response = api_as("carl").post("/activities", body(case))
    assert response.status_code == 409
    assert response.json()["errors"] == [
        {
            "code": "CN.HOLD_DISPUTE",
            "field": None,
            # Issue 13: the purpose in words, not the code `complaint`.
            "message": "Collection contact is held because of an open dispute (purposes still "
            "allowed: contact about the complaint).",
        }
    ]
    assert api_as("carl").post("/activities", body(case, purpose="complaint")).status_code == 201


def test_the_4th_connected_call_and_the_override(api_as, people, case):
    for hh in (9, 10, 11):
        logged(case, people["cora"] if hh == 10 else people["carl"], hh)
    late = body(case, occurred_at=local(yesterday(), 15).isoformat())
    response = api_as("carl").post("/activities", late)
    assert [e["code"] for e in response.json()["errors"]] == ["CN.CONNECTED_CALLS"]
    reason = "Debtor asked for a call back at 15:00 to confirm the transfer."
    response = api_as("carl").post("/activities", {**late, "override_reason": reason})
    assert response.status_code == 409
    assert [e["code"] for e in response.json()["errors"]] == [
        "CN.CONNECTED_CALLS",
        "override_not_allowed",
    ]
    response = api_as("mia").post("/activities", {**late, "override_reason": reason})
    assert response.status_code == 201
    assert [o["rule_id"] for o in response.json()["overridden"]] == ["CN.CONNECTED_CALLS"]


def test_a_collector_guessing_another_collectors_case_gets_404(api_as, people, cases):
    tina = cases["tina"]
    theirs = logged(tina, people["tina"], 9)
    carl = api_as("carl")
    guessed = carl.post("/activities", body(tina))
    missing = carl.post("/activities", {**body(tina), "case": 999999})
    assert guessed.status_code == missing.status_code == 404
    assert guessed.json() == missing.json()
    assert carl.get(f"/activities/{theirs.pk}").status_code == 404
    assert carl.get("/activities", case=tina.pk).status_code == 404
    assert carl.get("/activities").json()["count"] == 0
    assert Activity.objects.count() == 1


def test_list_and_detail_in_scope_paginated_with_corrections(api_as, people, case):
    first = logged(case, people["carl"], 9, outcome="no_answer")
    logged(case, people["carl"], 10)
    carl = api_as("carl")
    fixed = carl.post(
        "/activities",
        body(
            case,
            outcome="busy",
            corrects=first.pk,
            occurred_at=first.occurred_at.isoformat(),
            note="",
            duration_seconds=None,
        ),
    )
    assert fixed.status_code == 201, fixed.json()
    page = carl.get("/activities", case=case.pk, page_size=2).json()
    assert page["count"] == 3 and len(page["items"]) == 2
    one = carl.get(f"/activities/{first.pk}").json()
    assert one["corrected_by"] == fixed.json()["id"]
    assert fixed.json()["corrects"] == first.pk
    # tom (team lead of team A) sees them, the auditor too, read-only.
    assert api_as("tom").get("/activities", case=case.pk).json()["count"] == 3
    assert api_as("aud").get(f"/activities/{first.pk}").status_code == 200
    assert api_as("aud").post("/activities", body(case)).status_code == 403


def test_documents_and_promise_fields(api_as, people, case, settings, tmp_path, monkeypatch):
    import io
    import sys
    import types

    from arrears.documents.services import document_file

    settings.ARREARS_DOCUMENT_ROOT = tmp_path
    doc = document_file(
        fileobj=io.BytesIO("录音转写".encode()),
        filename="转写.txt",
        declared_type="text/plain",
        category_code="other",
        actor=people["carl"],
        case=case,
    )
    calls = []
    fake = types.ModuleType("arrears.promises.services")
    fake.promise_record = lambda **kw: calls.append(kw)
    errors = types.ModuleType("arrears.promises.errors")
    errors.PromiseInvalid = type("PromiseInvalid", (ValueError,), {})
    monkeypatch.setitem(sys.modules, "arrears.promises.services", fake)
    monkeypatch.setitem(sys.modules, "arrears.promises.errors", errors)
    response = api_as("carl").post(
        "/activities",
        body(
            case,
            outcome="promise_to_pay",
            documents=[doc.pk],
            promise_amount="2000.00",
            promised_on=yesterday().isoformat(),
        ),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["documents"] == [doc.pk]
    assert calls[0]["amount_fen"] == 200000 and calls[0]["activity"].pk == response.json()["id"]
