"""The promises panel of the case page and the "record a promise" form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from arrears.book.models import Charge
from arrears.book.services import payment_post
from arrears.cases.panels import case_panels
from arrears.core.dates import local_today
from arrears.promises.models import Promise
from arrears.promises.services import promise_record
from arrears.promises.views import case_panel_context
from arrears.testing import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, who):
    assert client.login(username=who, password=PASSWORD)


def later(days):
    return local_today() + dt.timedelta(days=days)


def panel_html(user, case, lang="zh-hans"):
    request = RequestFactory().get(f"/cases/{case.pk}/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    with translation.override(lang):
        return render_to_string(
            "promises/_case_promises.html",
            {"panel": case_panel_context(request, case)},
            request=request,
        )


def record(case, actor, amount=100_000, days=7):
    return promise_record(
        case=case, amount_fen=amount, promised_on=later(days), actor=actor, source="web"
    )


def test_the_panel_is_registered_for_the_case_page():
    [panel] = [p for p in case_panels() if p.key == "promises"]
    assert panel.template == "promises/_case_promises.html"


def test_the_panel_lists_promises_with_what_was_paid_so_far(people, case):
    p = record(case, people["carl"])
    payment_post(
        loan=case.loan, external_id="P1", paid_on=local_today(), amount_fen=40_000, source="import"
    )
    html = panel_html(people["carl"], case, "en")
    assert f'id="promise-{p.pk}"' in html
    assert "Pending" in html
    assert "Paid so far" in html and "¥400.00" in html and "¥1,000.00" in html
    assert later(7).isoformat() in html
    assert "Record a promise" in html and 'name="amount"' in html
    assert reverse("promises:record", args=[case.pk]) in html


def test_judged_promises_show_status_paid_and_fee(people, case, product):
    Promise.objects.create(
        case=case,
        loan=case.loan,
        borrower=case.borrower,
        amount_fen=50_000,
        created_on=dt.date(2026, 8, 1),
        promised_on=dt.date(2026, 8, 10),
        status="broken",
        judged_on=dt.date(2026, 8, 11),
        fee_charge=Charge.objects.create(
            loan=case.loan, kind="broken_promise", charged_on=dt.date(2026, 8, 11), amount_fen=5_000
        ),
    )
    html = panel_html(people["carl"], case, "en")
    assert "Broken" in html and "badge-overdue" in html
    assert "Broken-promise fee" in html and "¥50.00" in html and "2026-08-11" in html
    assert "broken <strong>1</strong>" in html


def test_the_panel_in_chinese(people, case):
    record(case, people["carl"])
    html = panel_html(people["carl"], case)
    assert "承诺还款" in html and "待履行" in html and "登记承诺" in html and "已还" in html


def test_the_auditor_sees_the_panel_without_the_form(people, case):
    record(case, people["carl"])
    html = panel_html(people["aud"], case, "en")
    assert "Pending" in html
    assert 'name="amount"' not in html


def test_recording_from_the_case_page_goes_back_to_it(client, people, case):
    login(client, "carl")
    response = client.post(
        reverse("promises:record", args=[case.pk]),
        {"amount": "1,500.00", "promised_on": later(5).isoformat()},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/#panel-promises"
    p = Promise.objects.get()
    assert (p.amount_fen, p.promised_on, p.created_by, p.source) == (
        150_000,
        later(5),
        people["carl"],
        "web",
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f'id="promise-{p.pk}"' in page.content.decode()


def test_bad_input_shows_the_error_on_the_field(client, people, case):
    login(client, "carl")
    with translation.override("en"):
        response = client.post(
            reverse("promises:record", args=[case.pk]),
            {"amount": "1500", "promised_on": later(40).isoformat()},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="promised_on-error"' in html
    assert "at most 30 days ahead" in html
    response = client.post(
        reverse("promises:record", args=[case.pk]),
        {"amount": "abc", "promised_on": later(3).isoformat()},
    )
    assert response.status_code == 400
    assert 'id="amount-error"' in response.content.decode()
    assert not Promise.objects.exists()


def test_out_of_scope_is_a_404_and_a_read_only_role_a_403(client, people, case, other_case):
    login(client, "carl")
    url = reverse("promises:record", args=[other_case.pk])
    assert client.post(url, {"amount": "1", "promised_on": later(3).isoformat()}).status_code == 404
    client.logout()
    login(client, "aud")
    url = reverse("promises:record", args=[case.pk])
    assert client.post(url, {"amount": "1", "promised_on": later(3).isoformat()}).status_code == 403
    assert not Promise.objects.exists()


def test_the_form_page_needs_a_login(client, case):
    response = client.get(reverse("promises:record", args=[case.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]
