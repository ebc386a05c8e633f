"""/api/v1/notices/: templates, issue, serve, deliver, sign (multipart), list, detail, PDF."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from arrears.core.dates import local_today
from arrears.core.models import ApiToken, AuditEntry
from arrears.notices.models import Notice
from arrears.notices.tests.conftest import JPEG_BYTES

pytestmark = pytest.mark.django_db
BASE = "/api/v1/notices"
# The API issues on today's date, so service and signature are today too.
TODAY = local_today().isoformat()


class Api:
    def __init__(self, user):
        _, token = ApiToken.issue(user, name="test")
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path="", **params):
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path="", body=None):
        return self.client.post(
            BASE + path, json.dumps(body), content_type="application/json", headers=self.headers
        )

    def multipart(self, path, data):
        return self.client.post(BASE + path, data, headers=self.headers)


@pytest.fixture
def api(people):
    return lambda name: Api(people[name])


def issue_body(case, **kw):
    body = {
        "case": case.pk,
        "template": "cn_default",
        "as_of": "2026-11-20",
        "pay_by": "2026-12-31",
    }
    body.update(kw)
    return body


def test_templates_lists_the_active_versions(api):
    body = api("carl").get("/templates").json()
    assert [(t["code"], t["version"], t["active"]) for t in body] == [
        ("cn_default", 1, True),
        ("en_default", 1, True),
    ]


def test_issuing_answers_201_with_the_number_and_the_amounts(api, case):
    response = api("carl").post("", issue_body(case))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("CN-") and body["number"].endswith("-000001")
    assert body["amounts"] == {
        "principal": "10000.00",
        "interest": "600.00",
        "penalty": "665.00",
        "fees": "0.00",
        "total_due": "11265.00",
    }
    assert (body["case_id"], body["loan_id"], body["borrower_name"]) == (
        case.pk,
        "L-LATE",
        "王小二",
    )
    assert (body["state"], body["template"], body["template_version"]) == (
        "issued",
        "cn_default",
        1,
    )
    pdf = api("carl").get(f"/{body['id']}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert pdf["Content-Disposition"] == f'attachment; filename="{body["number"]}.pdf"'
    assert AuditEntry.objects.filter(event="document.download", source="api").count() == 1


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"pay_by": "2020-01-01"}, "pay_by", "pay_by_past"),
        ({"as_of": "2026-03-01"}, "as_of", "nothing_due"),
        ({"template": "nope"}, "template", "no_active_template"),
        ({"as_of": "2026-13-01"}, "as_of", "date_from_datetime_parsing"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api, case, change, field, code):
    response = api("carl").post("", issue_body(case, **change))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == field
    if code != "date_from_datetime_parsing":
        assert error["code"] == code


def test_a_case_out_of_scope_is_a_404_and_an_agency_may_not_issue(api, case):
    response = api("cora").post("", issue_body(case))
    assert response.status_code == 404 and response.json()["errors"][0]["field"] == "case"
    assert api("ada").post("", issue_body(case)).status_code == 403
    assert not Notice.objects.exists()


def test_serve_deliver_and_sign_over_the_api(api, case):
    carl, fay = api("carl"), api("fay")
    notice_id = carl.post("", issue_body(case)).json()["id"]
    served = fay.post(f"/{notice_id}/serve", {"method": "post", "served_on": TODAY})
    assert served.status_code == 200, served.json()
    assert (served.json()["state"], served.json()["served_by"]) == ("served", "fay")
    delivered = fay.post(f"/{notice_id}/deliver", {"delivered_on": TODAY})
    assert delivered.json()["delivered_on"] == TODAY
    signed = fay.multipart(
        f"/{notice_id}/sign",
        {
            "signed_on": TODAY,
            "receipt": SimpleUploadedFile("回执.jpg", JPEG_BYTES, content_type="image/jpeg"),
        },
    )
    assert signed.status_code == 200, signed.json()
    body = signed.json()
    assert (body["state"], body["signed_on"]) == ("signed", TODAY)
    receipt = api("carl").client.get(
        f"/api/v1/documents/{body['receipt_id']}", headers=carl.headers
    )
    assert receipt.json()["category"] == "notice_receipt"
    listed = carl.get("", case=case.pk, state="signed").json()
    assert listed["count"] == 1 and listed["items"][0]["number"] == body["number"]


def test_serving_refusals_name_the_field(api, case):
    carl = api("carl")
    notice_id = carl.post("", issue_body(case)).json()["id"]
    response = carl.post(f"/{notice_id}/serve", {"method": "pigeon", "served_on": TODAY})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "method"
    response = carl.multipart(
        f"/{notice_id}/sign",
        {
            "signed_on": TODAY,
            "receipt": SimpleUploadedFile("r.jpg", JPEG_BYTES, content_type="image/jpeg"),
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "code": "not_served",
        "field": "signed_on",
        "message": f"{Notice.objects.get().number} has not been served",
    }
    response = carl.multipart(f"/{notice_id}/sign", {"signed_on": TODAY})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "receipt"


def test_another_collectors_notice_is_a_404(api, case):
    notice_id = api("carl").post("", issue_body(case)).json()["id"]
    cora = api("cora")
    for path in (f"/{notice_id}", f"/{notice_id}/pdf"):
        assert cora.get(path).status_code == 404
    assert (
        cora.post(f"/{notice_id}/serve", {"method": "post", "served_on": TODAY}).status_code == 404
    )
    assert cora.get("").json()["count"] == 0
    assert api("aud").get(f"/{notice_id}").status_code == 200
