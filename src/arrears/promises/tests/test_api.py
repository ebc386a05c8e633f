"""/api/v1/promises/: record, list, detail — scope, roles and field errors."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.api.tests.conftest import ApiClient
from arrears.book.services import payment_post
from arrears.core.dates import local_today
from arrears.promises.models import Promise

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(people):
    return lambda name: ApiClient(people[name])


def later(days):
    return (local_today() + dt.timedelta(days=days)).isoformat()


def test_a_collector_records_a_promise_and_reads_it_back(api, case):
    response = api("carl").post(
        "/promises", {"case": case.pk, "amount": "1234.56", "promised_on": later(7)}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == "1234.56"
    assert body["status"] == "pending"
    assert body["paid"] == "0.00"
    assert body["paid_so_far"] == "0.00"
    assert body["created_on"] == local_today().isoformat()
    assert body["promised_on"] == later(7)
    assert body["deadline"] == later(7)
    assert body["loan_id"] == "L-PTP"
    assert (body["created_by"], body["fee"], body["fee_waived"]) == ("carl", None, False)
    assert Promise.objects.get().source == "api"

    detail = api("carl").get(f"/promises/{body['id']}")
    assert detail.status_code == 200
    assert detail.json()["amount"] == "1234.56"
    listed = api("carl").get("/promises", case=case.pk).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]


def test_paid_so_far_shows_payments_before_end_of_day(api, case):
    promise = (
        api("carl")
        .post("/promises", {"case": case.pk, "amount": "1000", "promised_on": later(7)})
        .json()
    )
    payment_post(
        loan=case.loan,
        external_id="P1",
        paid_on=local_today(),
        amount_fen=40_000,
        source="import",
    )
    body = api("carl").get(f"/promises/{promise['id']}").json()
    assert (body["status"], body["paid"], body["paid_so_far"]) == ("pending", "0.00", "400.00")


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"amount": "0"}, "amount", "greater than zero"),
        ({"amount": "12.345"}, "amount", "two decimal places"),
        ({"amount": 12.5}, "amount", "string"),
        ({"amount": "99999999"}, "amount", "more than everything owed"),
        ({"promised_on": "2026-02-30"}, "promised_on", ""),
        ({"promised_on": "yesterday"}, "promised_on", ""),
        ({"promised_on": "past"}, "promised_on", "in the past"),
        ({"promised_on": "far"}, "promised_on", "at most 30 days ahead"),
        ({"case": 0}, "case", ""),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api, case, payload, field, words):
    body = {"case": case.pk, "amount": "100.00", "promised_on": later(3)} | payload
    if body["promised_on"] == "past":
        body["promised_on"] = later(-1)
    elif body["promised_on"] == "far":
        body["promised_on"] = later(31)
    response = api("carl").post("/promises", body)
    assert response.status_code == 422, response.json()
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert words in error["message"]
    assert not Promise.objects.exists()


def test_a_case_out_of_scope_is_a_404(api, case, other_case):
    response = api("carl").post(
        "/promises", {"case": other_case.pk, "amount": "100", "promised_on": later(3)}
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
    assert api("carl").get("/promises", case=other_case.pk).status_code == 404
    theirs = api("tina").post(
        "/promises", {"case": other_case.pk, "amount": "100", "promised_on": later(3)}
    )
    assert theirs.status_code == 201
    assert api("carl").get(f"/promises/{theirs.json()['id']}").status_code == 404
    assert api("carl").get("/promises").json()["count"] == 0
    assert api("mia").get("/promises").json()["count"] == 1


def test_the_auditor_reads_but_may_not_record(api, case):
    api("carl").post("/promises", {"case": case.pk, "amount": "100", "promised_on": later(3)})
    response = api("aud").post(
        "/promises", {"case": case.pk, "amount": "100", "promised_on": later(3)}
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "forbidden"
    assert api("aud").get("/promises", case=case.pk).json()["count"] == 1


def test_a_closed_case_is_refused_on_the_case_field(api, case):
    case.status = "closed"
    case.closed_on = local_today()
    case.save()
    response = api("carl").post(
        "/promises", {"case": case.pk, "amount": "100", "promised_on": later(3)}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "case"


def test_filter_by_status(api, case):
    api("carl").post("/promises", {"case": case.pk, "amount": "100", "promised_on": later(3)})
    api("carl").post("/promises", {"case": case.pk, "amount": "200", "promised_on": later(5)})
    assert api("carl").get("/promises", status="superseded").json()["count"] == 1
    assert api("carl").get("/promises", status="pending").json()["items"][0]["amount"] == "200.00"
    assert api("carl").get("/promises", status="nonsense").status_code == 422
