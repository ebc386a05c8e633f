"""Issue 4's lists, one by one: every channel, outcome and reason for the default it names is
a value an activity takes, is stored as given and reads in Chinese and English."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from arrears.activities.models import Activity, Channel, DefaultReason, Direction, Outcome
from arrears.activities.services import activity_log
from arrears.activities.tests.conftest import local, yesterday

pytestmark = pytest.mark.django_db

# The issue's words, in its order.
CHANNELS = {
    "call": ("Call", "电话"),
    "sms": ("SMS", "短信"),
    "letter": ("Letter", "信函"),
    "visit": ("Visit", "外访"),
    "email": ("Email", "电子邮件"),
    "other": ("Other", "其他"),
}
OUTCOMES = (
    "right_party_contact",
    "third_party",
    "no_answer",
    "busy",
    "wrong_number",
    "number_invalid",
    "promise_to_pay",
    "refusal",
    "dispute_raised",
    "claims_paid",
    "hardship",
    "reported_deceased",
    "moved_away",
    "other",
)
REASONS = (
    "negligence",
    "dispute",
    "lack_of_funds",
    "willful",
    "deceased",
    "unreachable",
    "fraud",
    "other",
)


def test_the_choices_are_exactly_the_issues_lists():
    assert list(Channel.values) == list(CHANNELS)
    assert list(Outcome.values) == list(OUTCOMES)
    assert list(DefaultReason.values) == list(REASONS)
    assert set(Direction.values) == {"outbound", "inbound"}


@pytest.mark.parametrize("choices", [Channel, Outcome, DefaultReason, Direction])
def test_every_choice_has_a_chinese_label(choices):
    for value, label in choices.choices:
        with translation.override("zh-hans"):
            zh = str(label)
        with translation.override("en"):
            en = str(label)
        assert zh != en, f"{choices.__name__}.{value} has no Chinese label ({en})"
        assert any("\u4e00" <= c <= "\u9fff" for c in zh), (value, zh)


def test_each_outcome_is_logged_as_given(people, case):
    # One a day, going back, so no day reaches the connected-call or unanswered limits.
    for n, outcome in enumerate(OUTCOMES):
        day = yesterday() - dt.timedelta(days=n)
        a = activity_log(
            case=case,
            actor=people["carl"],
            channel="call",
            outcome=outcome,
            occurred_at=local(day, 10, 0),
            duration_seconds=30,
            source="web",
        )
        a.refresh_from_db()
        assert (a.outcome, a.occurred_at.date()) == (outcome, day)
    assert Activity.objects.filter(case=case).count() == len(OUTCOMES)


def test_each_reason_for_the_default_is_logged_as_given(people, case):
    for n, reason in enumerate(REASONS):
        day = yesterday() - dt.timedelta(days=n)
        a = activity_log(
            case=case,
            actor=people["carl"],
            channel="visit",
            outcome="right_party_contact",
            occurred_at=local(day, 15, 0),
            participants=2,
            recording_ref=f"REC-{n}",
            default_reason=reason,
            note=f"上门了解到原因：{reason}",
            source="web",
        )
        a.refresh_from_db()
        assert (a.channel, a.default_reason, a.note) == (
            "visit",
            reason,
            f"上门了解到原因：{reason}",
        )
