"""The rule pack checked where a person acts: hours in the debtor's local time, connected calls
per debtor per day across users and cases, holds, third parties, visits, message text, inbound
contacts, overrides with and without the right (docs/activities.md)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from arrears.activities.errors import ActivityInvalid, ContactRefused
from arrears.activities.facts import case_facts
from arrears.activities.models import Activity
from arrears.activities.services import activity_log
from arrears.activities.tests.conftest import bullet, local, open_case, yesterday
from arrears.book.models import Borrower, Guarantor
from arrears.cases.models import Complaint
from arrears.compliance.models import RuleOverride
from arrears.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def log(case, actor, **kw):
    kw.setdefault("channel", "call")
    kw.setdefault("outcome", "right_party_contact")
    kw.setdefault("occurred_at", local(yesterday(), 10, 0))
    kw.setdefault("source", "web")
    return activity_log(case=case, actor=actor, **kw)


def refused(case, actor, **kw) -> ContactRefused:
    before = Activity.objects.count()
    with pytest.raises(ContactRefused) as exc:
        log(case, actor, **kw)
    assert Activity.objects.count() == before  # nothing saved
    return exc.value


def test_2159_is_allowed_and_2200_refused_in_the_borrowers_local_time(people, case):
    day = yesterday()
    assert log(case, people["carl"], occurred_at=local(day, 21, 59)).pk
    exc = refused(case, people["carl"], occurred_at=local(day, 22, 0))
    assert exc.rule_ids == ["CN.CONTACT_HOURS"]
    outcome = exc.blocking[0]
    assert "22:00" in outcome.message_zh and "Asia/Shanghai" in outcome.message_en
    assert exc.decision.next_allowed_at == local(day + dt.timedelta(days=1), 8, 0)
    assert exc.as_items()[0]["field"] == "occurred_at"
    assert log(case, people["carl"], occurred_at=local(day, 8, 0)).pk
    assert refused(case, people["carl"], occurred_at=local(day, 7, 59)).rule_ids == [
        "CN.CONTACT_HOURS"
    ]


def test_the_hours_are_the_borrowers_own_zone_when_recorded(people, case):
    Borrower.objects.filter(pk=case.borrower_id).update(time_zone="America/New_York")
    case.borrower.refresh_from_db()
    new_york = ZoneInfo("America/New_York")
    day = yesterday()
    # 07:30 in New York is 19:30 or 20:30 in Shanghai: fine there, too early for the debtor.
    exc = refused(case, people["carl"], occurred_at=local(day, 7, 30, new_york))
    assert exc.rule_ids == ["CN.CONTACT_HOURS"] and "America/New_York" in str(exc)
    assert log(case, people["carl"], occurred_at=local(day, 9, 0, new_york)).pk


def test_the_4th_connected_call_of_the_day_is_refused_whoever_makes_it(people, case):
    day = yesterday() - dt.timedelta(days=1)  # so that the next day is in the past too
    # A second loan of the same borrower, worked by someone else: the limit is per debtor.
    second = open_case(bullet("L-CARL-2", case.borrower, team=case.team, collector=people["cora"]))
    log(case, people["carl"], occurred_at=local(day, 9, 0))
    log(second, people["cora"], occurred_at=local(day, 10, 0))
    log(case, people["carl"], occurred_at=local(day, 10, 30), outcome="no_answer")  # not connected
    log(case, people["mia"], occurred_at=local(day, 11, 0), source="api")  # the 3rd connected
    exc = refused(case, people["carl"], occurred_at=local(day, 15, 0))
    assert exc.rule_ids == ["CN.CONNECTED_CALLS"]
    assert "3" in exc.blocking[0].message_en
    assert exc.decision.next_allowed_at == local(day + dt.timedelta(days=1), 8, 0)
    # The next local day starts afresh.
    assert log(case, people["carl"], occurred_at=local(day + dt.timedelta(days=1), 9, 0)).pk


def test_a_later_entry_does_not_count_against_an_earlier_one_logged_late(people, case):
    day = yesterday()
    for hh in (12, 13, 14):
        log(case, people["carl"], occurred_at=local(day, hh))
    # Logged after them but made in the morning: only the calls before it count.
    assert refused(case, people["carl"], occurred_at=local(day, 15)).rule_ids == [
        "CN.CONNECTED_CALLS"
    ]
    # ... and a correction does not count itself twice.
    first = Activity.objects.order_by("occurred_at").first()
    fixed = log(
        case, people["carl"], corrects=first, occurred_at=local(day, 12), outcome="promise_to_pay"
    )
    assert fixed.corrects == first


def test_the_7th_unanswered_attempt_to_a_number_is_refused_even_for_a_manager(people, case):
    day = yesterday()
    for minute in range(6):
        log(case, people["carl"], occurred_at=local(day, 9, minute), outcome="no_answer")
    exc = refused(
        case,
        people["mia"],
        occurred_at=local(day, 9, 30),
        outcome="no_answer",
        override_reason="The debtor asked us to keep trying today.",
    )
    assert exc.rule_ids == ["CN.UNANSWERED_ATTEMPTS"]
    assert "cannot be overridden" in exc.override_problem


def test_an_open_dispute_holds_collection_but_not_talk_about_the_complaint(people, case):
    Complaint.objects.create(
        case=case,
        borrower=case.borrower,
        category="collector_conduct",
        description="说催收员态度差",
        opened_on=yesterday(),
    )
    facts = case_facts(case, at=local(yesterday(), 10))
    assert facts.holds == frozenset({"dispute"})
    exc = refused(case, people["carl"])
    assert exc.rule_ids == ["CN.HOLD_DISPUTE"]
    assert "complaint" in exc.blocking[0].message_en
    assert exc.as_items()[0] == {
        "code": "CN.HOLD_DISPUTE",
        "field": None,
        "message": exc.blocking[0].message_en,
    }
    assert log(case, people["carl"], purpose="complaint").pk


def test_a_manager_may_override_with_a_reason_a_collector_may_not(people, case):
    day = yesterday()
    for hh in (9, 10, 11):
        log(case, people["carl"], occurred_at=local(day, hh))
    reason = "Debtor asked to be called back at 16:00 (call recorded)."
    # Without the right: refused, and the answer says why the override did not count.
    exc = refused(case, people["carl"], occurred_at=local(day, 16), override_reason=reason)
    assert exc.rule_ids == ["CN.CONNECTED_CALLS"]
    assert "may not override" in exc.override_problem
    assert exc.as_items()[-1]["code"] == "override_not_allowed"
    # Legal may override some rules, but the pack names only managers for this one.
    exc = refused(case, people["lee"], occurred_at=local(day, 16), override_reason=reason)
    assert "only by: manager" in exc.override_problem
    # A manager without a written reason is refused; with one, the call is logged.
    with pytest.raises(ActivityInvalid) as short:
        log(case, people["mia"], occurred_at=local(day, 16), override_reason="ok")
    assert short.value.field == "override_reason"
    a = log(case, people["mia"], occurred_at=local(day, 16), override_reason=reason)
    assert [o["rule_id"] for o in a.overridden] == ["CN.CONNECTED_CALLS"]
    override = RuleOverride.objects.get()
    assert (override.object_ref, override.actor, override.reason) == (
        f"activity:{a.pk}",
        people["mia"],
        reason,
    )
    assert AuditEntry.objects.filter(event="compliance.override").count() == 1
    assert AuditEntry.objects.get(event="activity.log", object_id=str(a.pk)).after[
        "overridden"
    ] == ["CN.CONNECTED_CALLS"]
    # The override was for that call, not for the case: the next one is refused again.
    assert refused(case, people["mia"], occurred_at=local(day, 17)).rule_ids == [
        "CN.CONNECTED_CALLS"
    ]


def test_an_override_recorded_on_the_case_holds_for_its_contacts(people, case):
    from arrears.compliance.services import override_record

    day = yesterday()
    for hh in (9, 10, 11):
        log(case, people["carl"], occurred_at=local(day, hh))
    override_record(
        actor=people["mia"],
        rule_id="CN.CONNECTED_CALLS",
        reason="Agreed daily call-backs during the settlement talks.",
        object_ref=f"case:{case.pk}",
    )
    a = log(case, people["carl"], occurred_at=local(day, 16))
    assert [o["rule_id"] for o in a.overridden] == ["CN.CONNECTED_CALLS"]


def test_third_parties_only_to_locate_an_unreachable_debtor(people, case, colleague):
    from arrears.cases.models import Whereabouts

    exc = refused(case, people["carl"], contact=colleague, outcome="third_party")
    assert exc.rule_ids == ["CN.THIRD_PARTY"]
    Whereabouts.objects.create(
        case=case, borrower=case.borrower, status="unreachable", detail="", recorded_on=yesterday()
    )
    exc = refused(case, people["carl"], contact=colleague, outcome="third_party")
    assert "locate" in exc.blocking[0].message_en
    a = log(case, people["carl"], contact=colleague, outcome="third_party", purpose="locate")
    assert (a.target_kind, a.relation, a.number) == ("third_party", "colleague", "13700001111")


def test_a_visit_needs_two_people_and_a_recording(people, case):
    exc = refused(case, people["fay"], channel="visit", participants=1)
    assert exc.rule_ids == ["CN.VISIT_TWO_PERSONS"]
    assert "at least 2" in exc.blocking[0].message_en and "recording" in exc.blocking[0].message_en
    a = log(case, people["fay"], channel="visit", participants=2, recording_ref="CAM-7/0042")
    assert a.connected is True


def test_the_text_of_a_message_is_linted(people, case):
    exc = refused(case, people["carl"], channel="sms", note="你这个骗子，再不还钱就上门找你家人")
    assert exc.rule_ids == ["CN.CONDUCT_LINT"]
    # A warning-only phrase is saved with the warning.
    a = log(case, people["carl"], channel="sms", note="逾期将可能纳入黑名单，请尽快还款。")
    assert [w["rule_id"] for w in a.warnings] == ["CN.CONDUCT_LINT"]
    assert a.warnings[0]["zh"] and a.warnings[0]["en"]


def test_a_general_guarantor_is_asked_with_a_warning(people, case):
    g = Guarantor.objects.create(loan=case.loan, name="钱一般", phone="13600004444", kind="general")
    a = log(case, people["carl"], guarantor=g)
    assert [w["rule_id"] for w in a.warnings] == ["CN.GUARANTOR_OBLIGOR"]


def test_the_debtor_calling_in_is_never_refused(people, case):
    day = yesterday()
    # At 23:30 and after three connected calls: their call, not ours.
    for hh in (9, 10, 11):
        log(case, people["carl"], occurred_at=local(day, hh))
    a = log(case, people["carl"], occurred_at=local(day, 23, 30), direction="inbound")
    assert a.warnings == []
    # An inbound call does not use up our calls either.
    facts = case_facts(case, at=local(day, 23, 59))
    assert len(facts.attempts) == 3
    # Under a hold the record is kept, with the hold as a warning.
    Complaint.objects.create(
        case=case, borrower=case.borrower, category="sales", description="x", opened_on=day
    )
    b = log(case, people["carl"], occurred_at=local(day, 23, 45), direction="inbound")
    assert [w["rule_id"] for w in b.warnings] == ["CN.HOLD_DISPUTE"]


def test_facts_read_every_attempt_about_the_borrower(people, cases, case, spouse):
    day = yesterday()
    second = open_case(bullet("L-CARL-2", case.borrower, team=case.team))
    first = log(case, people["carl"], occurred_at=local(day, 9), outcome="no_answer")
    log(case, people["carl"], occurred_at=local(day, 9, 5), corrects=first, outcome="busy")
    log(second, None, occurred_at=local(day, 9, 10), source="import")
    log(cases["cora"], people["cora"], occurred_at=local(day, 9, 15))  # another borrower
    facts = case_facts(case, at=local(day, 12))
    assert [(a.at, a.connected, a.person) for a in facts.attempts] == [
        (local(day, 9, 5), False, "borrower"),  # the correction replaced the first version
        (local(day, 9, 10), True, "borrower"),
    ]
    assert facts.timezone == "Asia/Shanghai" and facts.borrower_number == "13812345678"
    assert facts.holds == frozenset() and facts.time_barred is False
