"""Contact checks of the China pack: hours, call counts, third parties, guarantors, holds, visits."""

import datetime as dt

import pytest

from arrears.compliance.rules import (
    BORROWER,
    CALL,
    GUARANTOR,
    LETTER,
    SMS,
    THIRD_PARTY,
    VISIT,
    Action,
    CaseFacts,
    Target,
    check_action,
    classify_target,
    may_contact,
)
from arrears.compliance.tests.helpers import BORROWER_NO, CN, UTC, call, sh, with_params

FACTS = CaseFacts(timezone="Asia/Shanghai", borrower_number=BORROWER_NO)
ME = Target(kind=BORROWER, number=BORROWER_NO)


def act(channel, at, facts=FACTS, target=ME, pack=CN, **kw):
    return check_action(Action(channel=channel, at=at, target=target, **kw), facts, pack)


# ------------------------------------------------------------------ CN.CONTACT_HOURS


def test_contact_hours_use_the_debtors_local_time_not_the_users_clock():
    # The collector's clock reads UTC; 13:59 UTC is 21:59 in Shanghai.
    assert act(CALL, dt.datetime(2026, 11, 28, 13, 59, tzinfo=UTC)).allowed
    refused = act(CALL, dt.datetime(2026, 11, 28, 14, 0, tzinfo=UTC))  # 22:00 Shanghai
    assert not refused.allowed
    assert refused.blocking_ids == ["CN.CONTACT_HOURS"]
    assert refused.next_allowed_at == sh(2026, 11, 29, 8)
    assert "22:00" in refused.blocking[0].message_en


def test_contact_hours_start_at_eight():
    early = act(SMS, sh(2026, 11, 28, 7, 59))
    assert early.blocking_ids == ["CN.CONTACT_HOURS"]
    assert early.next_allowed_at == sh(2026, 11, 28, 8)
    assert act(SMS, sh(2026, 11, 28, 8, 0)).allowed


def test_contact_hours_give_way_to_the_debtors_consent():
    agreed = CaseFacts(timezone="Asia/Shanghai", consent_outside_hours=True)
    assert act(CALL, sh(2026, 11, 28, 22, 30), facts=agreed).allowed


def test_contact_hours_do_not_apply_to_posting_a_letter():
    assert act(LETTER, sh(2026, 11, 28, 23, 0)).allowed


def test_contact_hours_are_configurable():
    pack = with_params(CN, "CN.CONTACT_HOURS", end="21:00")
    assert act(CALL, sh(2026, 11, 28, 21, 0), pack=pack).blocking_ids == ["CN.CONTACT_HOURS"]


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        act(CALL, dt.datetime(2026, 11, 28, 10, 0))


# ------------------------------------------------------------------ CN.CONNECTED_CALLS


def _connected(n, day=28):
    return tuple(call(sh(2026, 11, day, 9 + i), connected=True) for i in range(n))


def test_third_connected_call_is_allowed_and_fourth_refused():
    two = CaseFacts(timezone="Asia/Shanghai", attempts=_connected(2))
    assert act(CALL, sh(2026, 11, 28, 15), facts=two).allowed
    three = CaseFacts(timezone="Asia/Shanghai", attempts=_connected(3))
    refused = act(CALL, sh(2026, 11, 28, 15), facts=three)
    assert refused.blocking_ids == ["CN.CONNECTED_CALLS"]
    # Next allowed: tomorrow at 08:00 local (midnight resets the count, the hours rule waits).
    assert refused.next_allowed_at == sh(2026, 11, 29, 8)


def test_connected_calls_count_the_local_day():
    # 23:30 UTC on the 27th is 07:30 on the 28th in Shanghai: it counts for the 28th.
    early = call(dt.datetime(2026, 11, 27, 23, 30, tzinfo=UTC), connected=True)
    facts = CaseFacts(timezone="Asia/Shanghai", attempts=(*_connected(2), early))
    assert act(CALL, sh(2026, 11, 28, 15), facts=facts).blocking_ids == ["CN.CONNECTED_CALLS"]
    yesterday = CaseFacts(timezone="Asia/Shanghai", attempts=_connected(3, day=27))
    assert act(CALL, sh(2026, 11, 28, 15), facts=yesterday).allowed


def test_unanswered_calls_do_not_count_as_connected():
    facts = CaseFacts(
        timezone="Asia/Shanghai", attempts=tuple(call(sh(2026, 11, 28, 9, i)) for i in range(3))
    )
    assert act(CALL, sh(2026, 11, 28, 15), facts=facts).allowed


def test_sms_is_not_a_call():
    facts = CaseFacts(timezone="Asia/Shanghai", attempts=_connected(3))
    assert act(SMS, sh(2026, 11, 28, 15), facts=facts).allowed


# ------------------------------------------------------------------ CN.UNANSWERED_ATTEMPTS


def _unanswered(n, number=BORROWER_NO):
    return tuple(call(sh(2026, 11, 28, 9, 5 * i), number=number) for i in range(n))


def test_sixth_unanswered_attempt_allowed_seventh_refused():
    five = CaseFacts(timezone="Asia/Shanghai", attempts=_unanswered(5))
    assert act(CALL, sh(2026, 11, 28, 15), facts=five).allowed
    six = CaseFacts(timezone="Asia/Shanghai", attempts=_unanswered(6))
    refused = act(CALL, sh(2026, 11, 28, 15), facts=six)
    assert refused.blocking_ids == ["CN.UNANSWERED_ATTEMPTS"]
    assert refused.next_allowed_at == sh(2026, 11, 29, 8)


def test_unanswered_attempts_count_per_number():
    six = CaseFacts(timezone="Asia/Shanghai", attempts=_unanswered(6))
    other = Target(kind=BORROWER, number="139 0000 0002")
    assert act(CALL, sh(2026, 11, 28, 15), facts=six, target=other).allowed
    # The same number written differently is the same number.
    spaced = Target(kind=BORROWER, number="138-0000-0001")
    assert not act(CALL, sh(2026, 11, 28, 15), facts=six, target=spaced).allowed


# ------------------------------------------------------------------ CN.THIRD_PARTY

SISTER = Target(kind=THIRD_PARTY, person="contact:9", number="13700000009", relation="relative")


def test_third_party_refused_while_the_debtor_is_reachable():
    refused = act(CALL, sh(2026, 11, 28, 10), target=SISTER, purpose="locate")
    assert refused.blocking_ids == ["CN.THIRD_PARTY"]


@pytest.mark.parametrize("status", ["unreachable", "deceased", "incapacitated"])
def test_third_party_allowed_to_locate_when_the_debtor_cannot_be_reached(status):
    facts = CaseFacts(timezone="Asia/Shanghai", **{status: True})
    assert act(CALL, sh(2026, 11, 28, 10), facts=facts, target=SISTER, purpose="locate").allowed


def test_third_party_never_for_collecting():
    facts = CaseFacts(timezone="Asia/Shanghai", unreachable=True)
    refused = act(CALL, sh(2026, 11, 28, 10), facts=facts, target=SISTER, purpose="collect")
    assert refused.blocking_ids == ["CN.THIRD_PARTY"]
    assert "locate" in refused.blocking[0].message_en


def test_third_party_who_refused_is_not_contacted_again():
    facts = CaseFacts(
        timezone="Asia/Shanghai", unreachable=True, refused_by=frozenset({"contact:9"})
    )
    refused = act(CALL, sh(2026, 11, 28, 10), facts=facts, target=SISTER, purpose="locate")
    assert refused.blocking_ids == ["CN.THIRD_PARTY"]


def test_third_party_message_may_not_mention_the_debt():
    facts = CaseFacts(timezone="Asia/Shanghai", unreachable=True)
    ok = act(
        SMS,
        sh(2026, 11, 28, 10),
        facts=facts,
        target=SISTER,
        purpose="locate",
        text="您好，请张三回电 4001234567。",
    )
    assert ok.allowed
    bad = act(
        SMS,
        sh(2026, 11, 28, 10),
        facts=facts,
        target=SISTER,
        purpose="locate",
        text="张三欠款未还，请转告。",
    )
    assert bad.blocking_ids == ["CN.THIRD_PARTY"]
    assert "欠款" in bad.blocking[0].message_zh


# ------------------------------------------------------------------ CN.GUARANTOR_OBLIGOR

GUARANTEE = Target(kind=GUARANTOR, person="guarantor:3", number="13600000003", relation="guarantor")


def test_guarantor_is_an_obligor_not_a_third_party():
    assert classify_target(CN, "guarantor") == GUARANTOR
    assert classify_target(CN, "spouse") == THIRD_PARTY
    assert classify_target(CN, "self") == BORROWER
    # Collecting from a guarantor while the debtor is reachable is fine…
    assert act(CALL, sh(2026, 11, 28, 10), target=GUARANTEE).allowed


def test_guarantor_within_the_same_hours_and_frequency():
    late = act(CALL, sh(2026, 11, 28, 22, 0), target=GUARANTEE)
    assert late.blocking_ids == ["CN.CONTACT_HOURS"]
    three = tuple(
        call(sh(2026, 11, 28, 9 + i), connected=True, person="guarantor:3", number="13600000003")
        for i in range(3)
    )
    facts = CaseFacts(timezone="Asia/Shanghai", attempts=three)
    assert act(CALL, sh(2026, 11, 28, 15), facts=facts, target=GUARANTEE).blocking_ids == [
        "CN.CONNECTED_CALLS"
    ]
    # …counted per person: the borrower's own calls are not the guarantor's.
    assert act(CALL, sh(2026, 11, 28, 15), facts=facts).allowed


def test_released_guarantor_may_not_be_asked_to_pay():
    released = Target(kind=GUARANTOR, person="guarantor:3", number="136", guarantee_released=True)
    refused = act(CALL, sh(2026, 11, 28, 10), target=released)
    assert refused.blocking_ids == ["CN.GUARANTOR_OBLIGOR"]


def test_general_guarantor_before_enforcement_is_a_warning():
    general = Target(kind=GUARANTOR, person="guarantor:3", number="136", guarantee_kind="general")
    decision = act(CALL, sh(2026, 11, 28, 10), target=general)
    assert decision.allowed
    assert [w.rule_id for w in decision.warnings] == ["CN.GUARANTOR_OBLIGOR"]
    exhausted = CaseFacts(timezone="Asia/Shanghai", debtor_enforcement_exhausted=True)
    assert act(CALL, sh(2026, 11, 28, 10), facts=exhausted, target=general).outcomes == ()


# ------------------------------------------------------------------ holds


@pytest.mark.parametrize(
    "hold,rule_id,still_allowed",
    [
        ("dispute", "CN.HOLD_DISPUTE", "complaint"),
        ("death_verification", "CN.HOLD_DEATH", "locate"),
        ("bankruptcy", "CN.HOLD_BANKRUPTCY", "complaint"),
    ],
)
def test_holds_stop_collection_but_not_their_own_purpose(hold, rule_id, still_allowed):
    facts = CaseFacts(timezone="Asia/Shanghai", holds=frozenset({hold}))
    refused = act(CALL, sh(2026, 11, 28, 10), facts=facts, purpose="collect")
    assert refused.blocking_ids == [rule_id]
    assert refused.next_allowed_at is None  # ends when the hold is lifted, not at a time
    assert act(CALL, sh(2026, 11, 28, 10), facts=facts, purpose=still_allowed).allowed
    assert act(CALL, sh(2026, 11, 28, 10), purpose="collect").allowed  # no hold, no block


def test_cease_contact_stops_everything():
    facts = CaseFacts(timezone="Asia/Shanghai", holds=frozenset({"cease_contact"}))
    for purpose in ("collect", "complaint", "locate"):
        assert act(SMS, sh(2026, 11, 28, 10), facts=facts, purpose=purpose).blocking_ids == [
            "CN.HOLD_CEASE_CONTACT"
        ]


# ------------------------------------------------------------------ CN.VISIT_TWO_PERSONS


def test_visit_with_two_people_and_a_recording_is_allowed():
    assert act(
        VISIT, sh(2026, 11, 28, 10), participants=2, recording_ref="rec/2026/1128-01.mp4"
    ).allowed


def test_visit_alone_is_refused():
    refused = act(VISIT, sh(2026, 11, 28, 10), participants=1, recording_ref="rec.mp4")
    assert refused.blocking_ids == ["CN.VISIT_TWO_PERSONS"]
    assert "2 participants" in refused.blocking[0].message_en


def test_visit_without_recording_is_refused():
    for ref in (None, "", "  "):
        refused = act(VISIT, sh(2026, 11, 28, 10), participants=3, recording_ref=ref)
        assert refused.blocking_ids == ["CN.VISIT_TWO_PERSONS"]


def test_visit_recording_requirement_is_configurable():
    pack = with_params(CN, "CN.VISIT_TWO_PERSONS", require_recording=False)
    assert act(VISIT, sh(2026, 11, 28, 10), participants=2, pack=pack).allowed


def test_planned_visit_is_not_refused_for_evidence_it_cannot_have_yet():
    assert may_contact(FACTS, VISIT, sh(2026, 11, 28, 10), pack=CN).allowed


# ------------------------------------------------------------------ planning


def test_may_contact_says_when_next():
    facts = CaseFacts(timezone="Asia/Shanghai", borrower_number=BORROWER_NO, attempts=_connected(3))
    decision = may_contact(facts, CALL, dt.datetime(2026, 11, 28, 7, 0, tzinfo=UTC), pack=CN)
    assert not decision.allowed
    assert decision.blocking_ids == ["CN.CONNECTED_CALLS"]
    assert decision.next_allowed_at == sh(2026, 11, 29, 8)
    assert may_contact(facts, SMS, sh(2026, 11, 28, 15), pack=CN).allowed


def test_overridden_rule_no_longer_blocks():
    facts = CaseFacts(timezone="Asia/Shanghai", attempts=_connected(3))
    action = Action(channel=CALL, at=sh(2026, 11, 28, 15), target=ME)
    decision = check_action(action, facts, CN, overridden={"CN.CONNECTED_CALLS"})
    assert decision.allowed
    assert decision.outcomes[0].overridden
    # A rule that is not overridable ignores the claim.
    six = CaseFacts(timezone="Asia/Shanghai", attempts=_unanswered(6))
    assert not check_action(action, six, CN, overridden={"CN.UNANSWERED_ATTEMPTS"}).allowed
