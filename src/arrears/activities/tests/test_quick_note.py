"""The case page's quick note (issue 4: "quick forms to log an outcome, a promise or a note")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from arrears.activities.models import Activity
from arrears.activities.signals import case_contact_signals
from arrears.activities.tests.conftest import client_for
from arrears.cases.models import Complaint

pytestmark = pytest.mark.django_db


def test_a_note_is_saved_now_and_shown_on_the_case_page_in_chinese(people, case):
    client = client_for(people["carl"], "zh-hans")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'href="#act-note"' in page and "添加备注" in page  # the quick action and the form
    before = timezone.now()
    response = client.post(
        f"/activities/case/{case.pk}/note/", {"note-note": "  客户说下周会主动来电  "}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/cases/{case.pk}/#panel-activities")
    a = Activity.objects.get()
    assert (a.channel, a.outcome, a.note, a.created_by, a.source) == (
        "other",
        "other",
        "客户说下周会主动来电",
        people["carl"],
        "web",
    )
    assert before - dt.timedelta(seconds=1) <= a.occurred_at <= timezone.now()
    assert a.number == "" and a.connected is False
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "客户说下周会主动来电" in page and "备注已添加" in page


def test_a_note_is_not_a_contact_attempt(people, case):
    client_for(people["carl"]).post(f"/activities/case/{case.pk}/note/", {"note-note": "备忘"})
    signals = case_contact_signals(case)
    assert signals["contact_attempts"] == 0
    assert signals["right_party_contacts"] == 0


def test_an_empty_note_is_an_error_on_the_field(people, case):
    response = client_for(people["carl"]).post(
        f"/activities/case/{case.pk}/note/", {"note-note": "   "}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="note-note-error"' in html and "Write the note." in html
    assert not Activity.objects.exists()


def test_a_case_on_hold_still_takes_a_note(people, case):
    Complaint.objects.create(
        case=case,
        borrower=case.borrower,
        category="sales",
        description="x",
        opened_on=case.opened_on,
    )
    response = client_for(people["carl"]).post(
        f"/activities/case/{case.pk}/note/", {"note-note": "投诉处理中，暂停催收"}
    )
    assert response.status_code == 302
    assert Activity.objects.get().note == "投诉处理中，暂停催收"


def test_another_collectors_case_is_404_and_the_auditor_403(people, cases):
    assert (
        client_for(people["cora"])
        .post(f"/activities/case/{cases['carl'].pk}/note/", {"note-note": "x"})
        .status_code
        == 404
    )
    auditor = client_for(people["aud"])
    assert (
        auditor.post(f"/activities/case/{cases['carl'].pk}/note/", {"note-note": "x"}).status_code
        == 403
    )
    page = auditor.get(f"/cases/{cases['carl'].pk}/").content.decode()
    assert "note-note" not in page  # no form for a read-only role
    assert not Activity.objects.exists()
