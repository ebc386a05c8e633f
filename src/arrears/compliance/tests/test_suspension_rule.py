"""ALL.HOLD_SUSPENSION: a suspension (停催) on a case refuses contact and escalation in every
pack, says why and until when, and lets contact resume the day after it ends."""

import datetime as dt

import pytest

from arrears.compliance.rules import (
    CALL,
    SMS,
    VISIT,
    CaseFacts,
    Step,
    Suspension,
    may_contact,
    may_schedule_step,
)
from arrears.compliance.tests.helpers import CN, UK, US, ny, sh

D = dt.date
HOSPITAL = Suspension(
    starts_on=D(2026, 11, 20), ends_on=D(2026, 11, 30), reason_zh="住院", reason_en="Hospitalised"
)
SUSPENDED = CaseFacts(timezone="Asia/Shanghai", suspensions=(HOSPITAL,))


@pytest.mark.parametrize("channel", [CALL, SMS, "letter", VISIT, "email"])
def test_a_suspension_refuses_every_channel_with_the_reason_and_end_date(channel):
    refused = may_contact(SUSPENDED, channel, sh(2026, 11, 25, 10), pack=CN)
    assert not refused.allowed
    assert refused.blocking_ids == ["ALL.HOLD_SUSPENSION"]
    out = refused.blocking[0]
    assert "Hospitalised" in out.message_en and "2026-11-30" in out.message_en
    assert "住院" in out.message_zh and "2026-11-30" in out.message_zh
    assert not out.overridable  # lift the suspension instead


def test_contact_resumes_the_day_after_at_the_start_of_the_hours():
    refused = may_contact(SUSPENDED, CALL, sh(2026, 11, 25, 10), pack=CN)
    # The suspension ends on the 30th; the China pack's hours start at 08:00 local.
    assert refused.next_allowed_at == sh(2026, 12, 1, 8)
    assert refused.blocking[0].next_allowed_at == sh(2026, 12, 1, 0)
    assert may_contact(SUSPENDED, CALL, sh(2026, 11, 30, 21), pack=CN).blocking_ids == [
        "ALL.HOLD_SUSPENSION"
    ]
    assert may_contact(SUSPENDED, CALL, sh(2026, 12, 1, 8), pack=CN).allowed
    assert may_contact(SUSPENDED, CALL, sh(2026, 11, 19, 10), pack=CN).allowed  # not yet


def test_back_to_back_suspensions_move_the_next_time_past_both():
    then = Suspension(starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 3), reason_en="Disaster")
    facts = CaseFacts(timezone="Asia/Shanghai", suspensions=(HOSPITAL, then))
    assert may_contact(facts, SMS, sh(2026, 11, 25), pack=CN).next_allowed_at == sh(2026, 12, 4, 8)


def test_every_pack_applies_it_in_the_borrowers_own_time_zone():
    facts = CaseFacts(timezone="America/New_York", suspensions=(HOSPITAL,))
    for pack in (CN, US, UK):
        assert (
            "ALL.HOLD_SUSPENSION" in may_contact(facts, CALL, ny(2026, 11, 25), pack=pack).rule_ids
        )
    assert may_contact(facts, CALL, ny(2026, 12, 1, 10), pack=US).allowed


def test_contact_about_a_complaint_stays_allowed():
    assert may_contact(SUSPENDED, CALL, sh(2026, 11, 25), pack=CN, purpose="complaint").allowed


@pytest.mark.parametrize("kind", ["legal", "agency_placement"])
def test_no_escalation_step_while_suspended(kind):
    step = Step(kind=kind, on=D(2026, 11, 25), agency_review_due_on=D(2027, 6, 1))
    refused = may_schedule_step(step, SUSPENDED, pack=CN)
    assert refused.blocking_ids == ["ALL.HOLD_SUSPENSION"]
    assert "2026-12-01" in refused.blocking[0].message_en
    later = Step(kind=kind, on=D(2026, 12, 1), agency_review_due_on=D(2027, 6, 1))
    assert may_schedule_step(later, SUSPENDED, pack=CN).allowed
