"""case_contact_signals: the counts the debtor-profile suggestion reads (docs/casework.md)."""

from __future__ import annotations

import pytest

from arrears.activities.services import activity_log
from arrears.activities.signals import case_contact_signals
from arrears.activities.tests.conftest import local, yesterday

pytestmark = pytest.mark.django_db


def test_counts_latest_versions_and_failures_since_the_last_rpc(people, case):
    day = yesterday()

    def log(hh, outcome, **kw):
        kw.setdefault("channel", "call")
        return activity_log(
            case=case,
            actor=people["carl"],
            outcome=outcome,
            occurred_at=local(day, hh),
            source="web",
            **kw,
        )

    assert case_contact_signals(case) == {
        "contact_attempts": 0,
        "right_party_contacts": 0,
        "consecutive_failed_attempts": 0,
        "hardship_outcomes": 0,
        "refusals": 0,
    }
    log(8, "no_answer")
    log(9, "hardship")  # an RPC: the run of failures starts again
    log(10, "busy")
    wrong = log(11, "no_answer")
    log(12, "refusal", channel="sms")  # a text is not an attempt, but the refusal counts
    log(13, "no_answer", channel="letter")  # not an attempt either
    log(14, "wrong_number")
    # A correction replaces what it corrects: 11:00 was in fact a refusal on the phone.
    activity_log(
        case=case,
        actor=people["carl"],
        channel="call",
        outcome="refusal",
        occurred_at=wrong.occurred_at,
        corrects=wrong,
        source="web",
    )
    assert case_contact_signals(case) == {
        "contact_attempts": 5,  # 8, 9, 10, 11, 14 (calls)
        "right_party_contacts": 3,  # hardship, the corrected refusal, the SMS refusal
        "consecutive_failed_attempts": 1,  # 14:00 after the 12:00 refusal
        "hardship_outcomes": 1,
        "refusals": 2,
    }


def test_the_cases_app_reads_them(people, case):
    from arrears.cases.selectors import profile_signals

    for hh in range(8, 14):
        activity_log(
            case=case,
            actor=people["carl"],
            channel="call",
            outcome="no_answer",
            occurred_at=local(yesterday(), hh),
            source="web",
        )
    signals = profile_signals(case)
    assert (signals.contact_attempts, signals.consecutive_failed_attempts) == (6, 6)
    assert signals.right_party_contacts == 0
