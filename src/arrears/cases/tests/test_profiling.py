"""Suggesting a debtor type from the record, and never overriding a collector's choice."""

import pytest

from arrears.cases.profiling import (
    ProfileRules,
    ProfileSignals,
    Suggestion,
    may_override,
    suggest_profile,
)

S = ProfileSignals


@pytest.mark.parametrize(
    ("signals", "code"),
    [
        (S(dpd=10), None),
        (S(dpd=10, broken_promises=1), None),
        (S(dpd=10, broken_promises=2), "serial_promiser"),
        (S(dpd=10, consecutive_failed_attempts=4, contact_attempts=4), None),
        (S(dpd=10, consecutive_failed_attempts=5, contact_attempts=5), "evasive"),
        # one right-party contact, ever, and it is not "no right-party contact"
        (S(dpd=10, consecutive_failed_attempts=9, right_party_contacts=1), None),
        (S(dpd=10, hardship_outcomes=1), "victim"),
        (S(dpd=10, refusals=1), None),
        (S(dpd=10, refusals=2), "stubborn"),
        (S(dpd=10, disputes_open=1), "dispute_first"),
        (S(dpd=10, reported_deceased=True), "verify_death"),
        # precedence
        (S(dpd=10, disputes_open=1, broken_promises=3), "dispute_first"),
        (S(dpd=10, reported_deceased=True, disputes_open=1), "verify_death"),
        (S(dpd=10, broken_promises=2, hardship_outcomes=4), "serial_promiser"),
        (S(dpd=10, broken_promises=2, consecutive_failed_attempts=6), "serial_promiser"),
        (S(dpd=10, consecutive_failed_attempts=6, hardship_outcomes=1), "evasive"),
        (S(dpd=10, hardship_outcomes=1, refusals=5), "victim"),
        # a current loan gets no type, but a dispute or a death report still comes first
        (S(dpd=0, broken_promises=5), None),
        (S(dpd=0, disputes_open=1), "dispute_first"),
        (S(dpd=0, reported_deceased=True), "verify_death"),
    ],
)
def test_rules_and_their_precedence(signals, code):
    suggestion = suggest_profile(signals)
    assert (suggestion.code if suggestion else None) == code


def test_reason_names_the_evidence_in_both_languages():
    s = suggest_profile(S(dpd=3, broken_promises=2))
    assert s.reason_zh == "2 次承诺未兑现 → 保证还款型"
    assert s.reason_en == "2 broken promises → serial promiser"
    s = suggest_profile(S(dpd=3, consecutive_failed_attempts=7))
    assert "7" in s.reason_zh and "逃避型" in s.reason_zh
    assert s.reason_en.startswith("7 failed contact attempts in a row")
    assert suggest_profile(S(dpd=3, hardship_outcomes=1)).reason_en == (
        "1 hardship outcome recorded → victim"
    )


def test_thresholds_are_configurable_and_can_be_switched_off():
    strict = ProfileRules(min_failed_attempts=8, min_refusals=None)
    assert suggest_profile(S(dpd=5, consecutive_failed_attempts=7), strict) is None
    assert suggest_profile(S(dpd=5, consecutive_failed_attempts=8), strict).code == "evasive"
    assert suggest_profile(S(dpd=5, refusals=9), strict) is None
    eager = ProfileRules(min_broken_promises=1)
    assert suggest_profile(S(dpd=5, broken_promises=1), eager).code == "serial_promiser"


@pytest.mark.parametrize("bad", [{"broken_promises": -1}, {"dpd": "3"}, {"refusals": 1.0}])
def test_signals_must_be_whole_counts(bad):
    with pytest.raises(ValueError):
        ProfileSignals(**bad)


SERIAL = Suggestion("serial_promiser", "…", "…")
DISPUTE = Suggestion("dispute_first", "…", "…")


@pytest.mark.parametrize(
    ("current", "suggestion", "allowed"),
    [
        (None, SERIAL, True),
        ("", SERIAL, True),
        ("victim", SERIAL, False),
        ("serial_promiser", SERIAL, False),
        ("other", SERIAL, False),  # "other" is a choice too
        (None, DISPUTE, False),  # advice, not a type
        (None, None, False),
        ("victim", None, False),
    ],
)
def test_a_suggestion_never_overwrites_a_collectors_choice(current, suggestion, allowed):
    assert may_override(current, suggestion) is allowed
