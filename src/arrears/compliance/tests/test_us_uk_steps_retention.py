"""Reg F and UK rules, escalation steps, and retention."""

import datetime as dt

import pytest

from arrears.compliance.rules import (
    BORROWER,
    CALL,
    EMAIL,
    SMS,
    STEP_AGENCY_PLACEMENT,
    STEP_LEGAL,
    THIRD_PARTY,
    Action,
    Attempt,
    CaseFacts,
    Step,
    Target,
    check_action,
    may_delete,
    may_schedule_step,
    retention_ends,
)
from arrears.compliance.tests.helpers import CN, UK, US, UTC, call, ny, sh

NUMBER = "2125550100"
CONSUMER = Target(kind=BORROWER, number=NUMBER)


def us_facts(attempts=(), **kw):
    return CaseFacts(
        timezone="America/New_York", attempts=tuple(attempts), borrower_number=NUMBER, **kw
    )


def us_call(at, facts):
    return check_action(Action(channel=CALL, at=at, target=CONSUMER), facts, US)


# ------------------------------------------------------------------ US.REGF_7IN7


def _calls_on(days):
    return [call(ny(2026, 11, d, 9), number=NUMBER) for d in days]


def test_seventh_call_in_seven_days_allowed_eighth_refused():
    six = us_facts(_calls_on([22, 23, 24, 25, 26, 27]))
    assert us_call(ny(2026, 11, 28, 10), six).allowed
    seven = us_facts(_calls_on([22, 23, 24, 25, 26, 27, 28]))
    refused = us_call(ny(2026, 11, 28, 11), seven)
    assert refused.blocking_ids == ["US.REGF_7IN7"]
    # The window slides past the 22nd's call on the 29th; calls start again at 08:00 local.
    assert refused.next_allowed_at == ny(2026, 11, 29, 8)


def test_calls_outside_the_seven_day_window_do_not_count():
    # The 21st is day -7 for a call on the 28th: six calls remain in the window.
    assert us_call(ny(2026, 11, 28, 10), us_facts(_calls_on([21, 23, 24, 25, 26, 27, 21]))).allowed
    # Seven calls within [22nd, 28th] refuse the next one, however they fall on the days.
    crowded = us_facts(_calls_on([22, 22, 23, 24, 25, 26, 27]))
    assert us_call(ny(2026, 11, 28, 10), crowded).blocking_ids == ["US.REGF_7IN7"]


# ------------------------------------------------------------------ US.REGF_QUIET_PERIOD


def test_quiet_period_day_seven_refused_day_eight_allowed():
    talk = call(ny(2026, 11, 1, 10), number=NUMBER, connected=True, about_debt=True)
    facts = us_facts([talk])
    same_day = us_call(ny(2026, 11, 1, 15), facts)
    assert same_day.blocking_ids == ["US.REGF_QUIET_PERIOD"]
    day7 = us_call(ny(2026, 11, 7, 10), facts)  # the conversation day is day 1
    assert day7.blocking_ids == ["US.REGF_QUIET_PERIOD"]
    assert day7.next_allowed_at == ny(2026, 11, 8, 8)
    assert us_call(ny(2026, 11, 8, 8), facts).allowed


def test_quiet_period_needs_a_conversation_about_the_debt():
    no_answer = call(ny(2026, 11, 1, 10), number=NUMBER)
    chat = call(ny(2026, 11, 1, 10), number=NUMBER, connected=True, about_debt=False)
    assert us_call(ny(2026, 11, 2, 10), us_facts([no_answer])).allowed
    assert us_call(ny(2026, 11, 2, 10), us_facts([chat])).allowed


def test_quiet_period_does_not_stop_email():
    talk = call(ny(2026, 11, 1, 10), number=NUMBER, connected=True, about_debt=True)
    action = Action(
        channel=EMAIL, at=ny(2026, 11, 2, 10), target=CONSUMER, text="Reply STOP to opt out."
    )
    assert check_action(action, us_facts([talk]), US).allowed


# ------------------------------------------------------------------ US.INCONVENIENT_TIME


def test_us_hours_end_at_nine_local():
    # 01:59 UTC on the 29th is 20:59 on the 28th in New York (EST, UTC-5).
    assert us_call(dt.datetime(2026, 11, 29, 1, 59, tzinfo=UTC), us_facts()).allowed
    late = us_call(dt.datetime(2026, 11, 29, 2, 0, tzinfo=UTC), us_facts())
    assert late.blocking_ids == ["US.INCONVENIENT_TIME"]
    assert late.next_allowed_at == ny(2026, 11, 29, 8)
    assert us_call(ny(2026, 11, 28, 7, 59), us_facts()).blocking_ids == ["US.INCONVENIENT_TIME"]


def test_us_time_the_consumer_named_is_inconvenient():
    facts = us_facts(inconvenient_windows=((dt.time(12, 0), dt.time(14, 0)),))
    refused = us_call(ny(2026, 11, 28, 12, 30), facts)
    assert refused.blocking_ids == ["US.INCONVENIENT_TIME"]
    assert refused.next_allowed_at == ny(2026, 11, 28, 14)
    assert us_call(ny(2026, 11, 28, 14, 0), facts).allowed


# ------------------------------------------------------------------ US.OPT_OUT (honoured)


def test_opt_out_is_honoured_at_once():
    facts = us_facts(opted_out=frozenset({SMS}))
    action = Action(
        channel=SMS,
        at=ny(2026, 11, 28, 10),
        target=CONSUMER,
        text="Please call us. Reply STOP to opt out.",
    )
    assert check_action(action, facts, US).blocking_ids == ["US.OPT_OUT"]
    assert check_action(action, us_facts(), US).allowed


# ------------------------------------------------------------------ US third parties

NEIGHBOUR = Target(kind=THIRD_PARTY, person="contact:4", number="2125550199", relation="emergency")


def test_us_third_party_once_only():
    facts = us_facts(unreachable=True)
    first = check_action(
        Action(channel=CALL, at=ny(2026, 11, 28, 10), target=NEIGHBOUR, purpose="locate"), facts, US
    )
    assert first.allowed
    earlier = Attempt(
        at=ny(2026, 11, 20, 10),
        number="2125550199",
        person="contact:4",
        connected=True,
        third_party=True,
    )
    again = check_action(
        Action(channel=CALL, at=ny(2026, 11, 28, 10), target=NEIGHBOUR, purpose="locate"),
        us_facts([earlier], unreachable=True),
        US,
    )
    assert again.blocking_ids == ["US.THIRD_PARTY_ONCE"]


def test_us_third_party_only_to_locate():
    refused = check_action(
        Action(channel=CALL, at=ny(2026, 11, 28, 10), target=NEIGHBOUR, purpose="locate"),
        us_facts(),
        US,
    )
    assert refused.blocking_ids == ["US.THIRD_PARTY"]


def test_us_dispute_pauses_collection():
    facts = us_facts(holds=frozenset({"dispute"}))
    assert us_call(ny(2026, 11, 28, 10), facts).blocking_ids == ["US.HOLD_DISPUTE"]


# ------------------------------------------------------------------ steps


def test_no_legal_step_on_a_time_barred_debt():
    step = Step(kind=STEP_LEGAL, on=dt.date(2026, 11, 28))
    assert may_schedule_step(step, CaseFacts(), pack=CN).allowed
    refused = may_schedule_step(step, CaseFacts(time_barred=True), pack=CN)
    assert refused.blocking_ids == ["CN.LIMITATION_NO_LEGAL"]
    # Other steps are not legal steps.
    placement = Step(
        kind=STEP_AGENCY_PLACEMENT,
        on=dt.date(2026, 11, 28),
        agency_review_due_on=dt.date(2027, 1, 1),
    )
    assert may_schedule_step(placement, CaseFacts(time_barred=True), pack=CN).allowed


def test_us_no_suit_nor_threat_of_suit_when_time_barred():
    suit = Step(kind=STEP_LEGAL, on=dt.date(2026, 11, 28))
    assert may_schedule_step(suit, CaseFacts(), pack=US).allowed
    assert may_schedule_step(suit, CaseFacts(time_barred=True), pack=US).blocking_ids == [
        "US.TIME_BARRED_NO_SUIT"
    ]
    threat = Step(kind="letter", on=dt.date(2026, 11, 28), threatens_suit=True)
    assert may_schedule_step(threat, CaseFacts(time_barred=True), pack=US).blocking_ids == [
        "US.TIME_BARRED_NO_SUIT"
    ]
    assert may_schedule_step(threat, CaseFacts(), pack=US).allowed


def test_us_suit_wording_refused_in_a_message_on_a_time_barred_debt():
    text = "We may take legal action if you do not pay. Reply STOP to opt out."
    action = Action(channel=SMS, at=ny(2026, 11, 28, 10), target=CONSUMER, text=text)
    assert check_action(action, us_facts(), US).allowed
    refused = check_action(action, us_facts(time_barred=True), US)
    assert refused.blocking_ids == ["US.TIME_BARRED_NO_SUIT"]


def test_agency_placement_blocked_once_the_review_is_overdue():
    due = dt.date(2026, 11, 28)
    on_due = Step(kind=STEP_AGENCY_PLACEMENT, on=due, agency_review_due_on=due)
    assert may_schedule_step(on_due, CaseFacts(), pack=CN).allowed
    day_after = Step(
        kind=STEP_AGENCY_PLACEMENT, on=due + dt.timedelta(days=1), agency_review_due_on=due
    )
    assert may_schedule_step(day_after, CaseFacts(), pack=CN).blocking_ids == ["CN.AGENCY_REVIEW"]
    never = Step(kind=STEP_AGENCY_PLACEMENT, on=due, agency_review_due_on=None)
    assert may_schedule_step(never, CaseFacts(), pack=CN).blocking_ids == ["CN.AGENCY_REVIEW"]


@pytest.mark.parametrize("kind", [STEP_LEGAL, STEP_AGENCY_PLACEMENT])
def test_uk_escalation_needs_forbearance_first(kind):
    step = Step(kind=kind, on=dt.date(2026, 11, 28), agency_review_due_on=dt.date(2027, 1, 1))
    refused = may_schedule_step(step, CaseFacts(), pack=UK)
    assert refused.blocking_ids == ["UK.FORBEARANCE_BEFORE_ESCALATION"]
    assert may_schedule_step(step, CaseFacts(forbearance_offered=True), pack=UK).allowed


def test_uk_breathing_space_holds_contact():
    facts = CaseFacts(timezone="Europe/London", holds=frozenset({"breathing_space"}))
    action = Action(channel=CALL, at=dt.datetime(2026, 11, 28, 10, tzinfo=UTC))
    assert check_action(action, facts, UK).blocking_ids == ["UK.HOLD_BREATHING_SPACE"]


# ------------------------------------------------------------------ retention


def test_retention_refuses_deletion_until_the_fifth_anniversary():
    created = sh(2021, 11, 28, 10)
    day_before = may_delete("activity", created, sh(2026, 11, 27, 23, 59), CN)
    assert day_before.blocking_ids == ["CN.RETENTION"]
    assert day_before.next_allowed_at == sh(2026, 11, 28, 0)
    assert may_delete("activity", created, sh(2026, 11, 28, 0, 0), CN).allowed


def test_retention_counts_local_dates_whatever_the_clock():
    # Created 02:00 Shanghai on the 28th = 18:00 UTC on the 27th.
    created = dt.datetime(2021, 11, 27, 18, 0, tzinfo=UTC)
    # 15:59 UTC on 2026-11-27 is 23:59 Shanghai on the 27th: one day short.
    assert not may_delete(
        "recording", created, dt.datetime(2026, 11, 27, 15, 59, tzinfo=UTC), CN
    ).allowed
    assert may_delete(
        "recording", created, dt.datetime(2026, 11, 27, 16, 0, tzinfo=UTC), CN
    ).allowed


def test_retention_of_a_leap_day_record_runs_to_the_first_of_march():
    assert retention_ends(dt.date(2024, 2, 29), 5) == dt.date(2029, 3, 1)
    assert not may_delete("document", sh(2024, 2, 29), sh(2029, 2, 28, 12), CN).allowed
    assert may_delete("document", sh(2024, 2, 29), sh(2029, 3, 1, 0), CN).allowed


def test_retention_is_not_overridable_in_any_shipped_pack():
    for pack in (CN, US, UK):
        rule = next(r for r in pack.rules if r.kind == "retention")
        assert not rule.overridable
