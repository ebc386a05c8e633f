"""The activities panel on the case page, the quick "log an outcome" form and corrections."""

from __future__ import annotations

import sys
import types

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from arrears.activities.models import Activity
from arrears.activities.tests.conftest import client_for, local, yesterday
from arrears.cases.models import Complaint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def document_store(settings, tmp_path):
    settings.ARREARS_DOCUMENT_ROOT = tmp_path / "documents"


def form(**kw) -> dict:
    data = {
        "log-channel": "call",
        "log-target": "borrower:phone",
        "log-outcome": "right_party_contact",
        "log-default_reason": "lack_of_funds",
        "log-duration_seconds": "75",
        "log-occurred_at": local(yesterday(), 10, 30).strftime("%Y-%m-%dT%H:%M"),
        "log-direction": "outbound",
        "log-purpose": "collect",
        "log-note": "说月底发工资后还",
    }
    data.update({f"log-{k}": v for k, v in kw.items()})
    return data


def test_the_case_page_shows_the_panel_with_the_form_and_masked_numbers(people, case, spouse):
    from arrears.activities.services import activity_log

    activity_log(
        case=case,
        actor=people["carl"],
        channel="call",
        outcome="no_answer",
        occurred_at=local(yesterday(), 9, 15),
        source="web",
    )
    response = client_for(people["carl"]).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="panel-activities"' in html and 'id="activities"' in html
    assert f'action="/activities/case/{case.pk}/log/"' in html
    assert "138****5678" in html and "13812345678" not in html  # borrower, masked
    assert "王秀兰" in html and "139****5678" in html  # the spouse, as a choice
    assert '<meta name="viewport"' in html
    assert "09:15" in html


def test_logging_an_outcome_saves_it_and_goes_back_to_the_case(people, case):
    client = client_for(people["carl"])
    response = client.post(f"/activities/case/{case.pk}/log/", form())
    assert response.status_code == 302
    assert response["Location"].endswith(f"/cases/{case.pk}/#panel-activities")
    a = Activity.objects.get()
    assert (a.outcome, a.duration_seconds, a.default_reason, a.number, a.source) == (
        "right_party_contact",
        75,
        "lack_of_funds",
        "13812345678",
        "web",
    )
    assert a.occurred_at == local(yesterday(), 10, 30)
    page = client.get(f"/activities/case/{case.pk}/").content.decode()
    assert "说月底发工资后还" in page


def test_a_refusal_is_a_form_error_with_the_rule_id_in_the_pages_language(people, case):
    # Issue 13: the rule's reason in the page's language only (it was both), its id kept.
    Complaint.objects.create(
        case=case, borrower=case.borrower, category="sales", description="x", opened_on=yesterday()
    )
    response = client_for(people["carl"]).post(f"/activities/case/{case.pk}/log/", form())
    assert response.status_code == 409
    html = response.content.decode()
    assert "Collection contact is held because of an open dispute" in html
    assert "(CN.HOLD_DISPUTE)" in html and "案件因存在未结争议" not in html
    zh = client_for(people["carl"], "zh-hans").post(f"/activities/case/{case.pk}/log/", form())
    assert "案件因存在未结争议/投诉暂停催收联系" in zh.content.decode()
    assert "Collection contact is held" not in zh.content.decode()
    assert 'role="alert"' in html
    assert not Activity.objects.exists()


def test_the_hour_rule_refuses_at_2200_borrower_local(people, case):
    late = local(yesterday(), 22, 0).strftime("%Y-%m-%dT%H:%M")
    response = client_for(people["carl"]).post(
        f"/activities/case/{case.pk}/log/", form(occurred_at=late)
    )
    assert response.status_code == 409
    assert "CN.CONTACT_HOURS" in response.content.decode()


def test_bad_input_is_shown_on_the_field(people, case):
    response = client_for(people["carl"]).post(
        f"/activities/case/{case.pk}/log/", form(outcome="busy", channel="letter")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="log-outcome-error"' in html and "does not go with channel letter" in html


def test_the_target_must_be_one_of_the_case(people, cases, case):
    from arrears.book.models import Contact

    stranger = Contact.objects.create(
        borrower=cases["cora"].borrower, name="外人", relation="spouse", phone="13900000000"
    )
    response = client_for(people["carl"]).post(
        f"/activities/case/{case.pk}/log/", form(target=f"contact:{stranger.pk}")
    )
    assert response.status_code == 400
    assert 'id="log-target-error"' in response.content.decode()


def test_another_collectors_case_is_404_and_the_auditor_403(people, cases):
    tina_case = cases["tina"]
    carl = client_for(people["carl"])
    assert carl.post(f"/activities/case/{tina_case.pk}/log/", form()).status_code == 404
    assert carl.get(f"/activities/case/{tina_case.pk}/").status_code == 404
    assert carl.post("/activities/case/999999/log/", form()).status_code == 404
    auditor = client_for(people["aud"])
    assert auditor.post(f"/activities/case/{cases['carl'].pk}/log/", form()).status_code == 403
    page = auditor.get(f"/activities/case/{cases['carl'].pk}/").content.decode()
    assert "Log an outcome" not in page and "记录结果" not in page  # reads only
    assert not Activity.objects.exists()


def test_a_correction_from_the_timeline(people, case):
    client = client_for(people["carl"])
    client.post(f"/activities/case/{case.pk}/log/", form(outcome="no_answer", default_reason=""))
    first = Activity.objects.get()
    response = client.post(
        f"/activities/{first.pk}/correct/",
        {f"fix{first.pk}-outcome": "right_party_contact", f"fix{first.pk}-note": "其实接通了"},
    )
    assert response.status_code == 302
    fixed = Activity.objects.exclude(pk=first.pk).get()
    assert (fixed.corrects, fixed.outcome, fixed.occurred_at) == (
        first,
        "right_party_contact",
        first.occurred_at,
    )
    html = client.get(f"/activities/case/{case.pk}/").content.decode()
    assert "其实接通了" in html and "act-corrected" in html and f'id="activity-{first.pk}"' in html
    # The superseded version cannot be corrected again.
    response = client.post(f"/activities/{first.pk}/correct/", {f"fix{first.pk}-outcome": "busy"})
    assert response.status_code == 400
    assert "already corrected" in response.content.decode()


@pytest.fixture
def fake_promises(monkeypatch):
    """promises.services.promise_record (helper B2's) as the contract describes it."""
    calls = []

    class PromiseInvalid(ValueError):
        def __init__(self, field, message):
            super().__init__(message)
            self.field, self.message = field, message

    def promise_record(
        *, case, amount_fen, promised_on, actor, source, activity=None, created_on=None
    ):
        if promised_on < created_on:
            raise PromiseInvalid("promised_on", "the promised date is before the promise")
        calls.append((case, amount_fen, promised_on, actor, source, activity, created_on))
        return "promise"

    services = types.ModuleType("arrears.promises.services")
    services.promise_record = promise_record
    errors = types.ModuleType("arrears.promises.errors")
    errors.PromiseInvalid = PromiseInvalid
    monkeypatch.setitem(sys.modules, "arrears.promises.services", services)
    monkeypatch.setitem(sys.modules, "arrears.promises.errors", errors)
    return calls


def test_a_promise_to_pay_is_recorded_with_the_activity(people, case, fake_promises):
    day = yesterday()
    response = client_for(people["carl"]).post(
        f"/activities/case/{case.pk}/log/",
        form(outcome="promise_to_pay", promise_amount="1500.50", promised_on=day.isoformat()),
    )
    assert response.status_code == 302
    a = Activity.objects.get()
    assert fake_promises == [(case, 150050, day, people["carl"], "web", a, day)]


def test_a_refused_promise_leaves_no_activity(people, case, fake_promises):
    day = yesterday()
    response = client_for(people["carl"]).post(
        f"/activities/case/{case.pk}/log/",
        form(
            outcome="promise_to_pay",
            promise_amount="100",
            promised_on=(day.replace(day=1) if day.day > 1 else day)
            .replace(year=day.year - 1)
            .isoformat(),
        ),
    )
    assert response.status_code == 400
    assert 'id="log-promised_on-error"' in response.content.decode()
    assert not Activity.objects.exists()


def test_a_promise_needs_the_promise_outcome(people, case, fake_promises):
    response = client_for(people["carl"]).post(
        f"/activities/case/{case.pk}/log/",
        form(promise_amount="100", promised_on=yesterday().isoformat()),
    )
    assert response.status_code == 400
    assert 'id="log-promise_amount-error"' in response.content.decode()
    assert fake_promises == [] and not Activity.objects.exists()


def test_an_attachment_is_filed_with_the_activity(people, case):
    upload = SimpleUploadedFile("通话记录.txt", "客户说下周还".encode(), content_type="text/plain")
    data = form(attachment_category="other")
    data["log-attachment"] = upload
    response = client_for(people["carl"]).post(f"/activities/case/{case.pk}/log/", data)
    assert response.status_code == 302
    a = Activity.objects.get()
    (doc,) = a.documents.all()
    assert (doc.filename, doc.case, doc.category.code) == ("通话记录.txt", case, "other")


def test_a_manager_overrides_from_the_form(people, case):
    from arrears.activities.services import activity_log

    for hh in (9, 10, 11):
        activity_log(
            case=case,
            actor=people["carl"],
            channel="call",
            outcome="right_party_contact",
            occurred_at=local(yesterday(), hh),
            source="web",
        )
    reason = "Debtor asked to be called back at noon; call recorded."
    carl = client_for(people["carl"]).post(
        f"/activities/case/{case.pk}/log/",
        form(occurred_at=local(yesterday(), 12).strftime("%Y-%m-%dT%H:%M"), override_reason=reason),
    )
    assert carl.status_code == 409  # carl's form has no override field: the rule stands
    assert "CN.CONNECTED_CALLS" in carl.content.decode()
    mia = client_for(people["mia"]).post(
        f"/activities/case/{case.pk}/log/",
        form(occurred_at=local(yesterday(), 12).strftime("%Y-%m-%dT%H:%M"), override_reason=reason),
    )
    assert mia.status_code == 302
    assert Activity.objects.filter(created_by=people["mia"]).get().overridden[0]["rule_id"] == (
        "CN.CONNECTED_CALLS"
    )


def test_the_panel_and_a_refusal_in_chinese(people, case):
    client = client_for(people["carl"], language="zh-hans")
    html = client.get(f"/activities/case/{case.pk}/").content.decode()
    assert "记录结果" in html and "催收活动" in html and "承诺还款" in html
    late = local(yesterday(), 22, 0).strftime("%Y-%m-%dT%H:%M")
    html = client.post(f"/activities/case/{case.pk}/log/", form(occurred_at=late)).content.decode()
    assert "CN.CONTACT_HOURS" in html and "联系时间须在债务人当地时间" in html


def test_logging_a_promise_records_it_through_the_promises_service(people, case):
    """The activity form's promise goes through promises.services.promise_record (the
    promises app is part of the project: no skip guard)."""
    from arrears.promises.models import Promise

    day = yesterday()
    response = client_for(people["carl"]).post(
        f"/activities/case/{case.pk}/log/",
        form(outcome="promise_to_pay", promise_amount="1500.50", promised_on=day.isoformat()),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    promise = Promise.objects.get()
    assert (promise.amount_fen, promise.promised_on, promise.activity) == (
        150050,
        day,
        Activity.objects.get(),
    )
