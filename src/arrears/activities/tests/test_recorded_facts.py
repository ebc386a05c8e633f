"""Conduct rules fed by what a person records: each fact recorded through the web (case page)
or the API, audited, and the rule that reads it then refusing or allowing a real contact
(docs/compliance.md "Facts people record")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from arrears.activities.errors import ContactRefused
from arrears.activities.facts import base_facts
from arrears.activities.models import Activity, RecordedFact
from arrears.activities.services import activity_log
from arrears.activities.tests.conftest import client_for, local, open_case, yesterday
from arrears.book.models import Guarantor
from arrears.compliance.rules import Step, may_schedule_step
from arrears.core.models import AuditEntry
from arrears.testing import make_loan

D = dt.date
pytestmark = pytest.mark.django_db


def log(case, actor, **kw):
    kw.setdefault("channel", "call")
    kw.setdefault("outcome", "right_party_contact")
    kw.setdefault("occurred_at", local(yesterday(), 10, 0))
    kw.setdefault("source", "web")
    return activity_log(case=case, actor=actor, **kw)


def refused_ids(case, actor, **kw) -> list[str]:
    before = Activity.objects.count()
    with pytest.raises(ContactRefused) as exc:
        log(case, actor, **kw)
    assert Activity.objects.count() == before
    return exc.value.rule_ids


def record_web(user, case, **data):
    data.setdefault("on", yesterday().isoformat())
    response = client_for(user).post(reverse("activities:fact_add", args=[case.pk]), data)
    assert response.status_code == 302, response.content
    return RecordedFact.objects.latest("id")


def record_api(user, case, **payload):
    from django.test import Client

    client = Client()
    client.force_login(user)
    payload.setdefault("on", yesterday().isoformat())
    response = client.post(
        "/api/v1/activities/facts", {"case": case.pk, **payload}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def use_pack(product, code, people):
    from arrears.compliance.selectors import pack_current
    from arrears.compliance.services import product_rulepack_set, rulepack_revise

    rulepack_revise(pack=pack_current(code), changes={"is_active": True}, actor=people["alice"])
    product_rulepack_set(product=product, code=code, actor=people["alice"])


def test_consent_recorded_on_the_case_page_lifts_the_hours(people, case):
    late = local(yesterday(), 22, 30)
    assert refused_ids(case, people["carl"], occurred_at=late) == ["CN.CONTACT_HOURS"]
    fact = record_web(people["carl"], case, kind="consent_outside_hours", note="电话中同意晚间联系")
    assert AuditEntry.objects.filter(event="fact.record", object_id=str(fact.pk)).exists()
    assert log(case, people["carl"], occurred_at=late).pk


def test_a_third_party_who_refused_is_not_contacted_again(people, case, colleague):
    from arrears.cases.models import Whereabouts

    Whereabouts.objects.create(
        case=case, borrower=case.borrower, status="unreachable", detail="", recorded_on=yesterday()
    )
    locate = {"contact": colleague, "outcome": "third_party", "purpose": "locate"}
    assert log(case, people["carl"], occurred_at=local(yesterday(), 9), **locate).pk
    out = record_api(people["carl"], case, kind="third_party_refused", contact=colleague.pk)
    assert (out["kind"], out["contact"], out["active"]) == (
        "third_party_refused",
        colleague.pk,
        True,
    )
    assert refused_ids(case, people["carl"], occurred_at=local(yesterday(), 11), **locate) == [
        "CN.THIRD_PARTY"
    ]


def test_an_opt_out_stops_the_channel_until_withdrawn(people, case):
    use_pack(case.loan.product, "us_reg_f", people)
    sms = {"channel": "sms", "outcome": "other", "note": "Payment reminder. Reply STOP to opt out"}
    fact = record_web(people["carl"], case, kind="opt_out", channel="sms")
    assert "US.OPT_OUT" in refused_ids(case, people["carl"], **sms)
    # The debtor takes it back: withdrawn through the API, audited.
    from django.test import Client

    client = Client()
    client.force_login(people["carl"])
    response = client.post(
        f"/api/v1/activities/facts/{fact.pk}/withdraw",
        {"reason": "债务人来电恢复短信"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["active"] is False
    assert AuditEntry.objects.filter(event="fact.withdraw", object_id=str(fact.pk)).exists()
    assert log(case, people["carl"], **sms).pk


def test_a_time_the_debtor_named_is_avoided(people, case):
    use_pack(case.loan.product, "us_reg_f", people)
    record_api(people["carl"], case, kind="inconvenient_time", starts="12:00", ends="14:00")
    day = yesterday() - dt.timedelta(days=8)  # clear of Reg F's 7-day windows
    assert refused_ids(case, people["carl"], occurred_at=local(day, 13, 59)) == [
        "US.INCONVENIENT_TIME"
    ]
    assert log(case, people["carl"], occurred_at=local(day, 14, 0)).pk


def test_a_general_guarantor_is_asked_without_a_warning_once_enforcement_failed(people, case):
    g = Guarantor.objects.create(loan=case.loan, name="钱一般", phone="13600004444", kind="general")
    first = log(case, people["carl"], guarantor=g, occurred_at=local(yesterday(), 9))
    assert [w["rule_id"] for w in first.warnings] == ["CN.GUARANTOR_OBLIGOR"]
    record_web(people["carl"], case, kind="enforcement_exhausted", note="(2026)执终字第1号")
    second = log(case, people["carl"], guarantor=g, occurred_at=local(yesterday(), 10))
    assert second.warnings == []


def test_forbearance_recorded_lets_a_uk_escalation_through(people, case):
    use_pack(case.loan.product, "uk_conc", people)
    from arrears.compliance.selectors import pack_for_product

    step = Step(kind="legal", on=yesterday())
    pack = pack_for_product(case.loan.product)
    assert (
        "UK.FORBEARANCE_BEFORE_ESCALATION"
        in may_schedule_step(step, base_facts(case), pack=pack).blocking_ids
    )
    record_api(people["carl"], case, kind="forbearance_offered", note="offered 3 months at 0%")
    assert may_schedule_step(step, base_facts(case), pack=pack).allowed


def test_a_joint_guarantor_not_claimed_within_six_months_is_released(people, case):
    # Due 2025-07-10: the guarantee period ran to 2026-01-10, a Saturday, so Monday 2026-01-12.
    loan = make_loan(
        external_id="L-OLDG",
        borrower=case.borrower,
        method="bullet",
        term_months=6,
        disbursed_on=D(2025, 1, 10),
        team=case.team,
        collector=people["carl"],
    )
    old = open_case(loan, opened_on=D(2025, 7, 11))
    free = Guarantor.objects.create(loan=loan, name="孙连带", phone="13600005555", kind="joint")
    held = Guarantor.objects.create(loan=loan, name="周连带", phone="13600006666", kind="joint")
    # A demand on 周 within the period, recorded through the API.
    record_api(people["carl"], old, kind="guarantor_demand", guarantor=held.pk, on="2025-12-20")
    page = client_for(people["carl"]).get(reverse("cases:detail", args=[old.pk])).content.decode()
    assert "2026-01-12" in page and "released: no claim within the period" in page
    assert "claimed on 2025-12-20" in page
    assert refused_ids(old, people["carl"], guarantor=free) == ["CN.GUARANTOR_OBLIGOR"]
    assert log(old, people["carl"], guarantor=held).pk
    from django.test import Client

    client = Client()
    client.force_login(people["carl"])
    answer = client.get(f"/api/v1/activities/guarantees?case={old.pk}").json()
    assert [(g["name"], g["deadline"], g["status"]) for g in answer] == [
        ("孙连带", "2026-01-12", "released"),
        ("周连带", "2026-01-12", "claimed"),
    ]


def test_a_bad_fact_is_refused_naming_the_field(people, case):
    from django.test import Client

    client = Client()
    client.force_login(people["carl"])
    response = client.post(
        "/api/v1/activities/facts",
        {
            "case": case.pk,
            "kind": "inconvenient_time",
            "on": "2026-11-01",
            "starts": "14:00",
            "ends": "12:00",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "starts" in response.content.decode()
    assert not RecordedFact.objects.exists()
    # The auditor reads only.
    response = client_for(people["aud"]).post(
        reverse("activities:fact_add", args=[case.pk]),
        {"kind": "opt_out", "on": "2026-11-01", "channel": "sms"},
    )
    assert response.status_code == 403
    # An opt-out without its channel: refused on the page with the reason, nothing saved.
    response = client_for(people["carl"]).post(
        reverse("activities:fact_add", args=[case.pk]), {"kind": "opt_out", "on": "2026-11-01"}
    )
    assert response.status_code == 302
    assert not RecordedFact.objects.exists()


def test_a_written_acknowledgement_after_expiry_revives_the_debt_and_the_case_says_so(people, case):
    from arrears.eod.selectors import loan_state
    from arrears.eod.services import eod_run

    loan = make_loan(
        external_id="L-2020",
        borrower=case.borrower,
        method="bullet",
        term_months=6,
        disbursed_on=D(2019, 7, 10),  # due 2020-01-10: barred since 2023-01-11
        team=case.team,
        collector=people["carl"],
    )
    old = open_case(loan, opened_on=D(2020, 1, 11))
    eod_run(as_of=D(2026, 11, 20))
    assert (loan_state(loan).limitation_deadline, loan_state(loan).time_barred) == (
        D(2023, 1, 10),
        True,
    )
    page = client_for(people["carl"]).get(reverse("cases:detail", args=[old.pk])).content.decode()
    assert "time-barred since 2023-01-11" in page
    record_api(people["carl"], old, kind="acknowledgement", on="2026-11-24", note="还款承诺书")
    eod_run(as_of=D(2026, 11, 28))
    # A new period from 2026-11-24: 2029-11-24 is a Saturday, so it ends Monday 2029-11-26.
    assert (loan_state(loan).limitation_deadline, loan_state(loan).time_barred) == (
        D(2029, 11, 26),
        False,
    )
    page = client_for(people["carl"]).get(reverse("cases:detail", args=[old.pk])).content.decode()
    assert "revived: borrower acknowledged the debt in writing on 2026-11-24" in page
