"""The notices pages: the case panel and its forms, a notice's page, and template management."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from arrears.core.dates import local_today
from arrears.notices.models import Notice, NoticeTemplate
from arrears.notices.tests.conftest import JPEG_BYTES
from arrears.notices.views import panel_context

pytestmark = pytest.mark.django_db


def client_for(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_the_panel_lists_notices_with_the_next_step_and_an_issue_form(issue, case, people):
    notice = issue()
    request = RequestFactory().get("/")
    request.user = people["carl"]
    panel = panel_context(request, case)
    (shown,) = panel["notices"]
    assert shown == notice and shown.serve_form is not None and shown.sign_form is None
    assert panel["issue_form"] is not None
    html = render_to_string("notices/_case_panel.html", {"panel": panel}, request=request)
    assert notice.number in html
    assert reverse("notices:pdf", args=[notice.pk]) in html
    assert reverse("notices:serve", args=[notice.pk]) in html
    assert "11,265.00" in html
    request.user = people["aud"]
    panel = panel_context(request, case)
    assert panel["issue_form"] is None and panel["notices"][0].serve_form is None


def test_issuing_from_the_case_page_goes_back_to_the_case(case, people):
    today = local_today()
    template = NoticeTemplate.objects.get(code="cn_default", active=True)
    response = client_for(people["carl"]).post(
        reverse("notices:case_issue", args=[case.pk]),
        {
            "issue-template": str(template.pk),
            "issue-as_of": "2026年11月20日",
            "issue-pay_by": (today + dt.timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert (notice.as_of, notice.total_due_fen) == (dt.date(2026, 11, 20), 1_126_500)
    assert response["Location"] in (f"/cases/{case.pk}/", reverse("notices:case", args=[case.pk]))


def test_a_refused_issue_shows_the_error_on_the_field(case, people):
    template = NoticeTemplate.objects.get(code="cn_default", active=True)
    response = client_for(people["carl"]).post(
        reverse("notices:case_issue", args=[case.pk]),
        {
            "issue-template": str(template.pk),
            "issue-as_of": "2026-03-01",
            "issue-pay_by": "2099-01-01",
        },
    )
    assert response.status_code == 400
    form = response.context["panel"]["issue_form"]
    assert form.errors["as_of"] == ["Nothing is due on the loan as of this date."]
    assert "Nothing is due on the loan as of this date." in response.content.decode()


def test_serving_and_signing_from_the_page(issue, people):
    notice = issue()
    today = local_today().isoformat()
    fay = client_for(people["fay"])
    response = fay.post(
        reverse("notices:serve", args=[notice.pk]),
        {f"n{notice.pk}-serve-method": "in_person", f"n{notice.pk}-serve-served_on": today},
    )
    assert response.status_code == 302
    response = fay.post(
        reverse("notices:sign", args=[notice.pk]),
        {
            f"n{notice.pk}-sign-signed_on": today,
            f"n{notice.pk}-sign-receipt": SimpleUploadedFile(
                "回执.jpg", JPEG_BYTES, content_type="image/jpeg"
            ),
        },
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == "signed" and notice.receipt.category.code == "notice_receipt"
    page = fay.get(reverse("notices:detail", args=[notice.pk]))
    assert page.status_code == 200 and notice.number in page.content.decode()


def test_a_refused_step_is_shown_on_the_notice_page(issue, people):
    notice = issue()
    response = client_for(people["fay"]).post(
        reverse("notices:serve", args=[notice.pk]),
        {f"n{notice.pk}-serve-method": "post", f"n{notice.pk}-serve-served_on": "2026-11-19"},
    )
    assert response.status_code == 400
    assert response.context["notice"].serve_form.errors["served_on"] == [
        "A notice cannot be served before it was issued."
    ]


def test_another_collectors_notice_is_a_404(issue, people):
    notice = issue()
    cora = client_for(people["cora"])
    for name in ("notices:detail", "notices:pdf"):
        assert cora.get(reverse(name, args=[notice.pk])).status_code == 404
    response = cora.post(
        reverse("notices:serve", args=[notice.pk]),
        {f"n{notice.pk}-serve-method": "post", f"n{notice.pk}-serve-served_on": "2026-11-21"},
    )
    assert response.status_code == 404


def test_the_pdf_downloads(issue, people):
    notice = issue()
    response = client_for(people["carl"]).get(reverse("notices:pdf", args=[notice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_managers_see_templates_and_a_threatening_edit_shows_the_findings(people):
    template = NoticeTemplate.objects.get(code="cn_default", active=True)
    mia = client_for(people["mia"], language="zh-hans")
    assert mia.get(reverse("notices:templates")).status_code == 200
    page = mia.get(reverse("notices:template", args=[template.pk]))
    assert page.status_code == 200 and "催款通知书" in page.content.decode()
    response = mia.post(
        reverse("notices:template", args=[template.pk]),
        {
            "language": "zh-hans",
            "title": "催款通知书",
            "body": template.body + "\n\n再不还钱就让你好看。",
            "note": "",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "让你好看" in html and "不得威胁、恐吓或暗示暴力。" in html
    assert NoticeTemplate.objects.filter(code="cn_default").count() == 1


def test_a_manager_saves_a_new_version_from_the_page(people):
    template = NoticeTemplate.objects.get(code="en_default", active=True)
    response = client_for(people["mia"]).post(
        reverse("notices:template", args=[template.pk]),
        {
            "language": "en",
            "title": "Payment reminder",
            "body": template.body,
            "note": "softer title",
        },
    )
    assert response.status_code == 302
    new = NoticeTemplate.objects.get(code="en_default", active=True)
    assert (new.version, new.title, new.note) == (2, "Payment reminder", "softer title")


def test_collectors_may_not_manage_templates(people):
    template = NoticeTemplate.objects.get(code="cn_default")
    carl = client_for(people["carl"])
    assert carl.get(reverse("notices:templates")).status_code == 403
    assert carl.post(reverse("notices:template_activate", args=[template.pk])).status_code == 403


def test_the_pages_speak_chinese(issue, case, people):
    notice = issue()
    mia = client_for(people["mia"], language="zh-hans")
    html = mia.get(reverse("notices:templates")).content.decode()
    assert "通知书模板" in html and "新增模板" in html
    html = mia.get(reverse("notices:case", args=[case.pk])).content.decode()
    assert "催款通知书" in html and "发出催款通知书" in html and "登记送达" in html
    html = mia.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert "逾期本金" in html and "还款期限" in html


def test_the_notice_form_offers_the_pages_language_first(people, case):
    """Issue 13: a Chinese page offered the English template first."""
    import re

    from django.test import Client

    from arrears.notices.models import NoticeTemplate

    assert NoticeTemplate.objects.filter(language="en").exists()
    for accept, first_language in (("zh-hans", "zh-hans"), ("en", "en")):
        client = Client(HTTP_ACCEPT_LANGUAGE=accept)
        client.force_login(people["carl"])
        html = client.get(f"/notices/case/{case.pk}/").content.decode()
        select = html.split('name="issue-template"', 1)[1].split("</select>", 1)[0]
        options = re.findall(r"<option [^>]*>", select)
        languages = [re.search(r'lang="([^"]+)"', o).group(1) for o in options]
        assert languages and languages[0] == first_language, (accept, languages)
        assert "selected" in options[0]
