"""A suspended case (停催) takes no collection contact: the activity service, the case page's
form and the API refuse a call, SMS, letter or visit with ALL.HOLD_SUSPENSION, naming the
reason and the end date; the borrower's own call is still recorded; lifting the suspension
lets the call through at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from arrears.activities.errors import ContactRefused
from arrears.activities.models import Activity, RecordedFact
from arrears.activities.services import activity_log
from arrears.activities.tests.conftest import SHANGHAI, client_for
from arrears.api.tests.conftest import ApiClient
from arrears.cases.suspension import case_suspend, suspension_lift
from arrears.core.dates import local_today

pytestmark = pytest.mark.django_db
RULE = "ALL.HOLD_SUSPENSION"


def just_now() -> dt.datetime:
    return (
        (timezone.now() - dt.timedelta(minutes=2))
        .astimezone(SHANGHAI)
        .replace(second=0, microsecond=0)
    )


@pytest.fixture
def suspended(case, people):
    # The borrower agreed to calls at any hour: only the suspension decides, whenever the
    # test runs.
    RecordedFact.objects.create(
        case=case,
        loan=case.loan,
        borrower=case.borrower,
        kind=RecordedFact.Kind.CONSENT_OUTSIDE_HOURS,
        happened_on=local_today(),
    )
    case_suspend(
        case=case,
        reason="hospitalised",
        ends_on=local_today() + dt.timedelta(days=10),
        note="住院治疗",
        actor=people["carl"],
    )
    return case


def log(case, actor, **kw):
    kw.setdefault("channel", "call")
    kw.setdefault("outcome", "right_party_contact")
    return activity_log(case=case, actor=actor, occurred_at=just_now(), source="web", **kw)


@pytest.mark.parametrize(
    ("channel", "outcome", "extra"),
    [
        ("call", "no_answer", {}),
        ("sms", "other", {"note": "请尽快还款，回复TD退订"}),
        ("letter", "other", {"note": "还款提醒"}),
        ("visit", "right_party_contact", {"participants": 2, "recording_ref": "rec/1.mp4"}),
    ],
)
def test_the_service_refuses_contact_naming_the_rule_reason_and_end(
    suspended, people, channel, outcome, extra
):
    with pytest.raises(ContactRefused) as exc:
        log(suspended, people["carl"], channel=channel, outcome=outcome, **extra)
    assert RULE in exc.value.rule_ids
    held = next(o for o in exc.value.blocking if o.rule_id == RULE)
    end = (local_today() + dt.timedelta(days=10)).isoformat()
    assert "Hospitalised" in held.message_en and end in held.message_en
    resumes = local_today() + dt.timedelta(days=11)
    assert exc.value.decision.next_allowed_at.date() == resumes
    assert not Activity.objects.exists()


def test_no_role_may_override_it(suspended, people):
    with pytest.raises(ContactRefused) as exc:
        log(suspended, people["mia"], override_reason="客户要求今天联系，经理批准")
    assert "cannot be overridden" in exc.value.override_problem


def test_the_borrowers_own_call_is_recorded_with_a_warning(suspended, people):
    a = log(suspended, people["carl"], direction="inbound")
    assert a.pk and RULE in [w["rule_id"] for w in a.warnings]


def test_lifting_the_suspension_lets_the_call_through(suspended, people):
    with pytest.raises(ContactRefused):
        log(suspended, people["carl"])
    suspension_lift(
        suspension=suspended.suspensions.get(), reason="客户已出院", actor=people["carl"]
    )
    assert log(suspended, people["carl"]).pk


def test_the_case_page_form_refuses_with_the_rule_id_in_both_languages(suspended, people):
    form = {
        "log-channel": "call",
        "log-target": "borrower:phone",
        "log-outcome": "no_answer",
        "log-occurred_at": just_now().strftime("%Y-%m-%dT%H:%M"),
        "log-direction": "outbound",
        "log-purpose": "collect",
    }
    url = f"/activities/case/{suspended.pk}/log/"
    response = client_for(people["carl"]).post(url, form)
    assert response.status_code == 409
    html = response.content.decode()
    assert f"({RULE})" in html and "Collection is suspended (Hospitalised)" in html
    zh = client_for(people["carl"], "zh-hans").post(url, form).content.decode()
    assert f"（{RULE}）" in zh and "案件已停催（原因：住院）" in zh
    assert not Activity.objects.exists()


def test_the_api_answers_409_with_the_rule_id(suspended, people):
    body = {
        "case": suspended.pk,
        "channel": "call",
        "outcome": "no_answer",
        "occurred_at": just_now().isoformat(),
    }
    response = ApiClient(people["carl"]).post("/activities", body)
    assert response.status_code == 409, response.json()
    assert RULE in [e["code"] for e in response.json()["errors"]]
    suspension_lift(
        suspension=suspended.suspensions.get(), reason="误操作撤销", actor=people["carl"]
    )
    assert ApiClient(people["carl"]).post("/activities", body).status_code == 201


def test_the_case_page_shows_the_hold_with_reason_and_resume_day(suspended, people):
    page = client_for(people["carl"]).get(f"/cases/{suspended.pk}/").content.decode()
    resumes = (local_today() + dt.timedelta(days=11)).isoformat()
    assert 'data-hold="suspended"' in page
    assert "Collection suspended (停催): Hospitalised" in page and resumes in page
    zh = client_for(people["carl"], "zh-hans").get(f"/cases/{suspended.pk}/").content.decode()
    assert 'data-hold="suspended"' in zh and "住院" in zh
