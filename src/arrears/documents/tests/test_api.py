"""/api/v1/documents/: multipart upload, scoped list/detail/content, refusals in the one shape."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from arrears.core.models import ApiToken, AuditEntry
from arrears.documents.models import Document
from arrears.documents.tests.conftest import JPEG_BYTES, PDF_BYTES

pytestmark = pytest.mark.django_db
BASE = "/api/v1/documents"


class Api:
    def __init__(self, user):
        _, token = ApiToken.issue(user, name="test")
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path="", **params):
        return self.client.get(BASE + path, params, headers=self.headers)

    def upload(self, name, data, content_type, **fields):
        body = {"file": SimpleUploadedFile(name, data, content_type=content_type), **fields}
        return self.client.post(BASE, body, headers=self.headers)

    def post(self, path, body):
        import json

        return self.client.post(
            BASE + path, json.dumps(body), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api(people):
    return lambda name: Api(people[name])


def test_uploading_a_contract_on_a_case_answers_201(api, cases):
    case = cases["carl"]
    response = api("carl").upload(
        "借款合同.pdf",
        PDF_BYTES,
        "application/pdf",
        category="contract",
        case=case.pk,
        note="原件扫描",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["filename"] == "借款合同.pdf"
    assert (body["category"], body["case_id"], body["loan_id"], body["borrower_id"]) == (
        "contract",
        case.pk,
        "L-CARL",
        "B-WANG",
    )
    assert body["size"] == len(PDF_BYTES) and body["uploaded_by"] == "carl"
    assert body["content_type"] == "application/pdf" and body["note"] == "原件扫描"


def test_a_type_the_category_refuses_is_a_422_on_the_file(api, cases):
    response = api("carl").upload(
        "visit.pdf", PDF_BYTES, "application/pdf", category="visit_photo", case=cases["carl"].pk
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["code"], error["field"]) == ("type_not_allowed", "file")
    assert "application/pdf" in error["message"]


def test_a_declared_type_that_lies_is_a_422(api, cases):
    response = api("carl").upload(
        "photo.jpg", JPEG_BYTES, "application/pdf", category="visit_photo", case=cases["carl"].pk
    )
    (error,) = response.json()["errors"]
    assert response.status_code == 422
    assert (error["code"], error["field"]) == ("declared_type_mismatch", "file")


def test_a_file_over_the_limit_is_a_422(api, cases, settings):
    settings.ARREARS_DOCUMENT_MAX_BYTES = 20
    response = api("carl").upload(
        "c.pdf", PDF_BYTES, "application/pdf", category="contract", case=cases["carl"].pk
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["code"], error["field"]) == ("too_large", "file")
    assert "20 bytes" in error["message"]


def test_an_unknown_category_and_a_missing_target_are_422_on_their_fields(api, cases):
    response = api("carl").upload(
        "c.pdf", PDF_BYTES, "application/pdf", category="nope", case=cases["carl"].pk
    )
    assert response.json()["errors"][0]["field"] == "category"
    response = api("carl").upload("c.pdf", PDF_BYTES, "application/pdf", category="contract")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "case"
    response = api("carl").upload("c.pdf", PDF_BYTES, "application/pdf")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "category"


def test_filing_on_a_case_out_of_scope_is_a_404_and_an_auditor_may_not_file(api, cases):
    response = api("cora").upload(
        "c.pdf", PDF_BYTES, "application/pdf", category="contract", case=cases["carl"].pk
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "case"
    response = api("aud").upload(
        "c.pdf", PDF_BYTES, "application/pdf", category="contract", case=cases["carl"].pk
    )
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_list_detail_and_content_follow_scope(api, cases):
    carl = api("carl")
    doc_id = carl.upload(
        "合同.pdf", PDF_BYTES, "application/pdf", category="contract", case=cases["carl"].pk
    ).json()["id"]
    listed = carl.get("", case=cases["carl"].pk).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == doc_id
    assert carl.get(f"/{doc_id}").json()["sha256"] == Document.objects.get().sha256
    content = carl.get(f"/{doc_id}/content")
    assert content.status_code == 200
    assert b"".join(content.streaming_content) == PDF_BYTES
    assert content["X-Content-Type-Options"] == "nosniff"
    assert content["Content-Disposition"] == "attachment; filename*=utf-8''%E5%90%88%E5%90%8C.pdf"
    assert AuditEntry.objects.filter(event="document.download", source="api").count() == 1

    # cora guesses carl's document id: the same 404 as a missing one, and nothing is listed.
    cora = api("cora")
    assert cora.get("", case=cases["carl"].pk).status_code == 404  # not her case: as if missing
    for path in (f"/{doc_id}", f"/{doc_id}/content", "/999999"):
        response = cora.get(path)
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"


def test_deleting_a_young_document_is_a_409_naming_the_retention_rule(api, cases):
    doc_id = (
        api("carl")
        .upload(
            "合同.pdf", PDF_BYTES, "application/pdf", category="contract", case=cases["carl"].pk
        )
        .json()["id"]
    )
    response = api("alice").post(f"/{doc_id}/delete", {"reason": "uploaded by mistake"})
    assert response.status_code == 409
    (error,) = response.json()["errors"]
    assert error["code"] == "retention" and "CN.RETENTION" in error["message"]
    assert (
        api("mia").post(f"/{doc_id}/delete", {"reason": "uploaded by mistake"}).status_code == 403
    )
    assert Document.objects.filter(pk=doc_id).exists()


def test_categories_are_listed(api):
    codes = [c["code"] for c in api("carl").get("/categories").json()]
    assert codes[:3] == ["contract", "identity", "notice_receipt"]
    assert "notice" in codes


def test_an_id_that_is_not_a_number_is_a_422_naming_it(api):
    response = api("carl").get("/abc/content")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "document_id"
