"""/api/v1/imports/{kind} and /api/v1/jobs/: the same files, checks and rights as the pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from arrears.book.models import Payment
from arrears.core.models import ApiToken
from arrears.jobs.models import Job
from arrears.jobs.tests.conftest import BAD_ROWS, GOOD_ROWS, payments_csv

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user):
        _, token = ApiToken.issue(user, name="test")
        self.client = Client(headers={"Authorization": f"Bearer {token}"})

    def upload(self, kind, data, name="payments.csv", **fields):
        body = {"file": SimpleUploadedFile(name, data, "text/csv"), **fields}
        return self.client.post(f"/api/v1/imports/{kind}", body)

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params)

    def commit(self, job_id, **body):
        return self.client.post(
            f"/api/v1/jobs/{job_id}/commit", body, content_type="application/json"
        )


def test_a_dry_run_answers_the_job_with_every_row_error(people, two_loans):
    response = Api(people["mia"]).upload("payments", payments_csv(BAD_ROWS))

    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["kind"], body["status"], body["created_by"], body["source"]) == (
        "import",
        "succeeded",
        "mia",
        "api",
    )
    assert body["params"]["dry_run"] is True and body["params"]["kind"] == "payments"
    result = body["result"]
    assert (result["rows"], result["valid"], result["errors_total"]) == (2, 1, 1)
    assert result["errors"] == [
        {
            "row": 3,
            "column": "金额",
            "code": "not_an_amount",
            "message": "not an amount of money",
            "value": "五百元",
            "params": {},
        }
    ]
    assert body["error_file"] == f"/api/v1/jobs/{body['id']}/files/errors"
    download = Api(people["mia"]).get(f"/jobs/{body['id']}/files/errors")
    assert download.status_code == 200
    assert "五百元" in b"".join(download.streaming_content).decode("utf-8-sig")
    assert Payment.objects.count() == 0


def test_a_checked_file_is_committed_once_and_one_with_errors_not_at_all(people, two_loans):
    api = Api(people["mia"])
    bad = api.upload("payments", payments_csv(BAD_ROWS)).json()
    refused = api.commit(bad["id"])
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "has_errors"

    good = api.upload("payments", payments_csv(GOOD_ROWS)).json()
    done = api.commit(good["id"])
    assert done.status_code == 202
    assert (done.json()["status"], done.json()["result"]["created"]) == ("succeeded", 2)
    assert api.commit(good["id"]).json()["errors"][0]["code"] == "already_committed"
    assert Payment.objects.count() == 2


def test_dry_run_false_imports_at_once_like_the_cli(people, two_loans):
    body = Api(people["alice"]).upload("payments", payments_csv(GOOD_ROWS), dry_run="false").json()
    assert (body["status"], body["result"]["written"]) == ("succeeded", True)
    assert Payment.objects.count() == 2


def test_rights_and_scope(people, two_loans):
    refused = Api(people["carl"]).upload("payments", payments_csv(GOOD_ROWS))
    assert refused.status_code == 403
    assert Api(people["mia"]).upload("nonsense", payments_csv(GOOD_ROWS)).status_code == 404
    job = Api(people["mia"]).upload("payments", payments_csv(GOOD_ROWS)).json()
    assert Api(people["carl"]).get(f"/jobs/{job['id']}").status_code == 404
    assert Api(people["carl"]).get("/jobs").json()["count"] == 0
    assert Api(people["aud"]).get("/jobs", kind="import").json()["count"] == 1
    assert Api(people["aud"]).commit(job["id"]).status_code == 403
    assert Job.objects.count() == 1


def test_a_file_the_importers_cannot_read_is_a_422_on_the_file(people, two_loans):
    response = Api(people["mia"]).upload("payments", b"x", name="payments.docx")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
