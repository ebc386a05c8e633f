"""Logging activities: validation, who was reached, corrections, append-only, the audit row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from arrears.activities.errors import ActivityForbidden, ActivityInvalid, ContactRefused
from arrears.activities.models import Activity, AppendOnlyError
from arrears.activities.selectors import case_timeline
from arrears.activities.services import activity_log
from arrears.activities.tests.conftest import local, yesterday
from arrears.book.models import Contact, Guarantor
from arrears.cases.models import Case
from arrears.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def log(case, actor, **kw):
    kw.setdefault("channel", "call")
    kw.setdefault("outcome", "right_party_contact")
    kw.setdefault("occurred_at", local(yesterday(), 10, 0))
    kw.setdefault("source", "web")
    return activity_log(case=case, actor=actor, **kw)


def test_a_call_to_the_borrower_is_saved_with_their_number_and_audited(people, case):
    a = log(
        case,
        people["carl"],
        duration_seconds=95,
        default_reason="lack_of_funds",
        note="说下周发工资",
    )
    a.refresh_from_db()
    assert (a.target_kind, a.relation, a.number, a.connected) == (
        "borrower",
        "self",
        "13812345678",
        True,
    )
    assert (a.loan_id, a.borrower_id, a.created_by, a.source) == (
        case.loan_id,
        case.borrower_id,
        people["carl"],
        "web",
    )
    assert a.warnings == [] and a.overridden == []
    entry = AuditEntry.objects.get(event="activity.log")
    assert entry.object_id == str(a.pk) and entry.actor == people["carl"]
    assert entry.after["number"] == "138****5678"  # never the number itself in the trail
    assert entry.after["outcome"] == "right_party_contact" and entry.after["note"] == "说下周发工资"


def test_failed_outcomes_and_messages_are_not_connected(people, case):
    assert log(case, people["carl"], outcome="no_answer").connected is False
    sms = log(
        case,
        people["carl"],
        channel="sms",
        outcome="right_party_contact",
        note="您好，请按时还款。",
    )
    assert sms.connected is False  # a text reaches nobody in conversation
    assert sms.number == "13812345678"
    letter = log(case, people["carl"], channel="letter", outcome="other")
    assert letter.number == ""  # no number is dialled for a letter


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"outcome": "shouted"}, "outcome", "unknown outcome"),
        ({"channel": "pigeon"}, "channel", "unknown channel"),
        ({"purpose": "scare"}, "purpose", "unknown purpose"),
        ({"direction": "sideways"}, "direction", "unknown direction"),
        ({"default_reason": "lazy"}, "default_reason", "unknown default reason"),
        ({"channel": "letter", "outcome": "busy"}, "outcome", "does not go with channel letter"),
        ({"occurred_at": dt.datetime(2026, 11, 1, 10, 0)}, "occurred_at", "time zone"),
        ({"occurred_at": "2026-11-01 10:00"}, "occurred_at", "date and time"),
        ({"duration_seconds": -1}, "duration_seconds", "between 0 and"),
        ({"duration_seconds": 1.5}, "duration_seconds", "whole number"),
        ({"channel": "visit", "participants": 0}, "participants", "between 1 and"),
        ({"note": "x" * 5001}, "note", "longer than 5000"),
        ({"number": "12345"}, "number", "not a mainland"),
        ({"number": "13311112222"}, "number", "not on file"),
    ],
)
def test_bad_input_names_the_field(people, case, kw, field, words):
    with pytest.raises(ActivityInvalid) as exc:
        log(case, people["carl"], **kw)
    assert exc.value.field == field
    assert words in exc.value.message
    assert (
        not Activity.objects.exists()
        and not AuditEntry.objects.filter(event="activity.log").exists()
    )


def test_the_time_may_be_a_little_ahead_of_the_server_but_not_more(people, case):
    now = timezone.now()
    # A letter: posting one is not a contact at an hour, so any time of the test run will do.
    letter = {"channel": "letter", "outcome": "other"}
    assert log(case, people["carl"], occurred_at=now + dt.timedelta(minutes=4), **letter).pk
    with pytest.raises(ActivityInvalid) as exc:
        log(case, people["carl"], occurred_at=now + dt.timedelta(minutes=6), **letter)
    assert exc.value.field == "occurred_at" and "future" in exc.value.message


def test_a_case_closed_up_to_90_days_ago_takes_entries_not_later(people, case):
    today = dt.datetime.now(tz=dt.UTC).astimezone(timezone.get_default_timezone()).date()
    Case.objects.filter(pk=case.pk).update(status="closed", closed_on=today - dt.timedelta(days=90))
    case.refresh_from_db()
    assert log(case, people["carl"]).pk
    Case.objects.filter(pk=case.pk).update(closed_on=today - dt.timedelta(days=91))
    case.refresh_from_db()
    with pytest.raises(ActivityInvalid) as exc:
        log(case, people["carl"])
    assert exc.value.field == "case" and "90 days" in exc.value.message


def test_contacts_and_guarantors_must_belong_to_the_case(people, cases, case, spouse):
    other = cases["cora"]
    stranger = Contact.objects.create(
        borrower=other.borrower, name="X", relation="spouse", phone="13900000000"
    )
    with pytest.raises(ActivityInvalid) as exc:
        log(case, people["carl"], contact=stranger)
    assert exc.value.field == "contact"
    other_g = Guarantor.objects.create(loan=other.loan, name="Y", phone="13600000000")
    with pytest.raises(ActivityInvalid) as exc:
        log(case, people["carl"], guarantor=other_g)
    assert exc.value.field == "guarantor"
    with pytest.raises(ActivityInvalid) as exc:
        log(
            case,
            people["carl"],
            contact=spouse,
            guarantor=Guarantor.objects.create(loan=case.loan, name="Z"),
        )
    assert exc.value.field == "guarantor"


def test_the_target_kind_comes_from_the_relation_and_the_pack(people, case, spouse, guarantor):
    g = log(case, people["carl"], guarantor=guarantor)
    assert (g.target_kind, g.relation, g.number) == ("guarantor", "guarantor", "13600002222")
    as_contact = Contact.objects.create(
        borrower=case.borrower, name="担保人本人", relation="guarantor", phone="13600003333"
    )
    c = log(case, people["carl"], contact=as_contact, outcome="no_answer")
    assert c.target_kind == "guarantor"  # CN.GUARANTOR_OBLIGOR: obligor_relations [guarantor]
    # A number alone is matched against the numbers on file: the spouse's is a third party's,
    # and calling a third party to collect is refused.
    with pytest.raises(ContactRefused) as exc:
        log(case, people["carl"], number="+86 139 1234 5678", outcome="no_answer")
    assert exc.value.rule_ids == ["CN.THIRD_PARTY"]


def test_the_auditor_may_not_log(people, case):
    with pytest.raises(ActivityForbidden):
        log(case, people["aud"])


def test_a_correction_is_a_new_entry_and_the_timeline_shows_the_latest_with_history(people, case):
    first = log(case, people["carl"], outcome="no_answer", occurred_at=local(yesterday(), 9, 0))
    other = log(case, people["carl"], outcome="busy", occurred_at=local(yesterday(), 11, 0))
    fixed = log(
        case,
        people["carl"],
        outcome="right_party_contact",
        corrects=first,
        occurred_at=first.occurred_at,
        note="其实接通了",
    )
    again = log(
        case, people["tom"], outcome="promise_to_pay", corrects=fixed, occurred_at=first.occurred_at
    )
    first.refresh_from_db()
    assert first.outcome == "no_answer"  # the original is never changed
    assert Activity.objects.count() == 4
    timeline = case_timeline(case)
    assert [e.activity for e in timeline] == [other, again]  # newest first, latest versions
    assert timeline[1].history == [fixed, first]
    assert AuditEntry.objects.filter(event="activity.correct").count() == 2
    entry = AuditEntry.objects.filter(event="activity.correct").order_by("id").first()
    assert entry.before["outcome"] == "no_answer" and entry.after["corrects"] == first.pk


def test_only_the_latest_version_of_an_entry_of_the_same_case_can_be_corrected(people, cases, case):
    first = log(case, people["carl"], outcome="no_answer")
    log(case, people["carl"], corrects=first, occurred_at=first.occurred_at)
    with pytest.raises(ActivityInvalid) as exc:
        log(case, people["carl"], corrects=first, occurred_at=first.occurred_at)
    assert exc.value.field == "corrects" and "already corrected" in exc.value.message
    elsewhere = log(cases["cora"], people["cora"])
    with pytest.raises(ActivityInvalid) as exc:
        log(case, people["carl"], corrects=elsewhere)
    assert exc.value.field == "corrects"


def test_activities_are_append_only(people, case):
    a = log(case, people["carl"])
    a.note = "changed"
    with pytest.raises(AppendOnlyError):
        a.save()
    with pytest.raises(AppendOnlyError):
        a.delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        Activity.objects.filter(pk=a.pk).delete()  # a queryset's delete() skips a.delete()
    a.refresh_from_db()
    assert a.note == ""


def test_an_import_key_is_recorded_once(people, case):
    log(case, people["carl"], import_key="CALL-1", source="import")
    with pytest.raises(ActivityInvalid) as exc:
        log(case, people["carl"], import_key="CALL-1", source="import")
    assert exc.value.field == "import_key"
