"""The documents pages: download, upload on a case, the case panel, the category list."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from arrears.core.models import AuditEntry
from arrears.documents.models import Document, DocumentCategory
from arrears.documents.services import document_file
from arrears.documents.tests.conftest import JPEG_BYTES, PDF_BYTES
from arrears.documents.views import panel_context

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def contract(people, cases):
    return document_file(
        fileobj=io.BytesIO(PDF_BYTES),
        filename="借款合同.pdf",
        declared_type="application/pdf",
        category_code="contract",
        actor=people["carl"],
        case=cases["carl"],
    )


def test_download_streams_the_stored_file_as_an_attachment(people, contract):
    response = client_for(people["carl"]).get(reverse("documents:download", args=[contract.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    # RFC 5987: the Chinese name percent-encoded as UTF-8.
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E5%80%9F%E6%AC%BE%E5%90%88%E5%90%8C.pdf"
    )
    entry = AuditEntry.objects.get(event="document.download")
    assert (entry.actor, entry.object_id, entry.source) == (people["carl"], str(contract.pk), "web")


def test_a_document_out_of_scope_is_a_404_and_not_audited(people, contract):
    for name in ("cora", "tina", "ada"):
        response = client_for(people[name]).get(reverse("documents:download", args=[contract.pk]))
        assert response.status_code == 404
    assert not AuditEntry.objects.filter(event="document.download").exists()


def test_uploading_on_a_case_files_it_and_goes_back_to_the_case(people, cases):
    case = cases["carl"]
    response = client_for(people["carl"]).post(
        reverse("documents:case_upload", args=[case.pk]),
        {
            "category": "visit_photo",
            "file": SimpleUploadedFile("门口.jpg", JPEG_BYTES, content_type="image/jpeg"),
            "note": "外访拍照",
        },
    )
    assert response.status_code == 302
    doc = Document.objects.get()
    assert (doc.case, doc.category.code, doc.filename, doc.note) == (
        case,
        "visit_photo",
        "门口.jpg",
        "外访拍照",
    )
    assert response["Location"] in (
        f"/cases/{case.pk}/",
        reverse("documents:case", args=[case.pk]),
    )


def test_a_refused_upload_shows_the_reason_on_the_file_field(people, cases):
    case = cases["carl"]
    response = client_for(people["carl"]).post(
        reverse("documents:case_upload", args=[case.pk]),
        {
            "category": "visit_photo",
            "file": SimpleUploadedFile("门口.pdf", PDF_BYTES, content_type="application/pdf"),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.context["panel"]["form"].errors["file"] == [
        "This category does not accept this kind of file."
    ]
    assert not Document.objects.exists()


def test_uploading_to_a_case_out_of_scope_is_a_404_and_an_auditor_may_not(people, cases):
    photo = {
        "category": "visit_photo",
        "file": SimpleUploadedFile("a.jpg", JPEG_BYTES, content_type="image/jpeg"),
    }
    url = reverse("documents:case_upload", args=[cases["carl"].pk])
    assert client_for(people["cora"]).post(url, photo).status_code == 404
    assert client_for(people["aud"]).post(url, photo).status_code == 403
    assert not Document.objects.exists()


def test_the_case_panel_lists_documents_and_offers_only_active_categories(people, cases, contract):
    DocumentCategory.objects.filter(code="court_document").update(active=False)
    request = RequestFactory().get("/")
    request.user = people["carl"]
    panel = panel_context(request, cases["carl"])
    assert panel["documents"] == [contract]
    codes = [c for c, _ in panel["form"].fields["category"].choices]
    assert "court_document" not in codes and "contract" in codes
    html = render_to_string("documents/_case_panel.html", {"panel": panel}, request=request)
    assert "借款合同.pdf" in html and reverse("documents:download", args=[contract.pk]) in html
    request.user = people["aud"]
    assert panel_context(request, cases["carl"])["form"] is None


def test_the_case_documents_page_renders(people, cases, contract):
    response = client_for(people["carl"]).get(reverse("documents:case", args=[cases["carl"].pk]))
    assert response.status_code == 200
    assert "借款合同.pdf" in response.content.decode()


def test_a_manager_adds_renames_and_retires_a_category(people):
    client = client_for(people["mia"])
    response = client.post(
        reverse("documents:categories"),
        {
            "code": "trip_report",
            "name_zh": "外访报告",
            "name_en": "Trip report",
            "allowed_types": ["application/pdf", "text/plain"],
        },
    )
    assert response.status_code == 302
    category = DocumentCategory.objects.get(code="trip_report")
    assert category.allowed_types == ["application/pdf", "text/plain"]
    response = client.post(
        reverse("documents:category_edit", args=[category.pk]),
        {
            "name_zh": "外访报告",
            "name_en": "Field trip report",
            "allowed_types": ["application/pdf"],
            "sort_order": "5",
        },  # "active" unticked: retire
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.name_en, category.active, category.sort_order) == (
        "Field trip report",
        False,
        5,
    )
    page = client.get(reverse("documents:categories"))
    assert page.status_code == 200 and "Field trip report" in page.content.decode()


def test_a_duplicate_code_is_shown_on_the_code_field(people):
    response = client_for(people["mia"]).post(
        reverse("documents:categories"),
        {"code": "contract", "name_zh": "合同", "name_en": "Contract"},
    )
    assert response.status_code == 400
    assert "code" in response.context["form"].errors


def test_collectors_may_not_edit_categories(people):
    client = client_for(people["carl"])
    assert client.get(reverse("documents:categories")).status_code == 403
    category = DocumentCategory.objects.get(code="contract")
    assert (
        client.post(
            reverse("documents:category_edit", args=[category.pk]), {"name_zh": "x"}
        ).status_code
        == 403
    )


def test_the_pages_speak_chinese(people, cases, contract):
    mia = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    mia.force_login(people["mia"])
    html = mia.get(reverse("documents:case", args=[cases["carl"].pk])).content.decode()
    assert "文档" in html and "上传文档" in html and "合同" in html
    html = mia.get(reverse("documents:categories")).content.decode()
    assert "文档类别" in html and "新增类别" in html and "外访照片" in html
