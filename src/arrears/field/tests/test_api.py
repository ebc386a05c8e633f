"""POST /api/v1/visits: what the phone page sends, idempotent by the phone's visit_id."""

from __future__ import annotations

import datetime as dt

from arrears.api.tests.conftest import ApiClient
from arrears.book.models import Payment
from arrears.field.models import Visit

DAY = "2026-12-01"


def body(**kw):
    out = {
        "visit_id": "phone-7f3a",
        "loan_id": "L-WS1",
        "visited_on": DAY,
        "visited_at": f"{DAY}T10:30:00+08:00",
        "participants": ["tom"],
        "recording_ref": "REC-9",
        "outcome": "见到本人",
        "cash_principal": "100.00",
        "cash_interest": "20.50",
        "receipt_no": "SJ-77",
        "latitude": "28.123456",
        "longitude": "112.654321",
    }
    out.update(kw)
    return out


def test_the_same_visit_sent_twice_is_recorded_once(people, loan):
    api = ApiClient(people["fay"])
    first = api.post("/visits", body())
    assert first.status_code == 201, first.content
    data = first.json()
    assert (data["outcome"], data["cash_principal"], data["cash_interest"]) == (
        "met_borrower",
        "100.00",
        "20.50",
    )
    assert data["participants"] == ["fay", "tom"]
    again = api.post("/visits", body())
    assert again.status_code == 200
    assert again.json()["created_at"] == data["created_at"]
    assert Visit.objects.count() == 1
    assert Payment.objects.get().amount_fen == 12_050


def test_the_same_id_with_other_details_is_a_conflict(people, loan):
    api = ApiClient(people["fay"])
    api.post("/visits", body())
    r = api.post("/visits", body(outcome="not_home", cash_principal=None, receipt_no=""))
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "visit_id"


def test_a_visit_is_listed_and_read_by_who_sees_the_loan(people, loan):
    ApiClient(people["fay"]).post("/visits", body())
    assert ApiClient(people["carl"]).get("/visits/phone-7f3a").status_code == 200
    assert ApiClient(people["tina"]).get("/visits/phone-7f3a").status_code == 404
    listed = ApiClient(people["tom"]).get("/visits", date_from=DAY, date_to=DAY).json()
    assert [v["visit_id"] for v in listed["items"]] == ["phone-7f3a"]
    assert ApiClient(people["tina"]).get("/visits").json()["count"] == 0


def test_a_loan_outside_the_scope_is_not_found_and_the_auditor_may_not(people, loan):
    assert ApiClient(people["tina"]).post("/visits", body()).status_code == 404
    assert ApiClient(people["aud"]).post("/visits", body()).status_code == 403
    assert not Visit.objects.exists()


def test_bad_input_names_the_field(people, loan):
    api = ApiClient(people["fay"])
    r = api.post("/visits", body(outcome="跑了"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "outcome"
    r = api.post("/visits", body(cash_interest="601.00"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "cash_interest"
    r = api.post("/visits", body(visited_on=(dt.date.today() + dt.timedelta(days=3)).isoformat()))
    assert r.status_code == 422
    assert not Visit.objects.exists()


def test_a_photo_sent_twice_is_filed_once(people, loan):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from arrears.documents.tests.conftest import JPEG_BYTES

    api = ApiClient(people["fay"])
    api.post("/visits", body())

    def send():
        return api.client.post(
            "/api/v1/visits/phone-7f3a/photos",
            {"file": SimpleUploadedFile("门前.jpg", JPEG_BYTES, content_type="image/jpeg")},
            headers=api.headers,
        )

    first, again = send(), send()
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["document_id"] == again.json()["document_id"]
    visit = Visit.objects.get()
    assert [d.category.code for d in visit.documents.all()] == ["visit_photo"]
    assert visit.activity.documents.count() == 1
