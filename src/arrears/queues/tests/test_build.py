"""Building the day's queues at end-of-day: order, capacity, one person per case and
channel, suspension, compliance exclusions, idempotent reruns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from arrears.cases.models import Case, CaseSuspension
from arrears.eod.models import LoanSnapshot
from arrears.queues import sources
from arrears.queues.models import ChannelEffort, PaymentProbability, QueueEntry, QueueExclusion
from arrears.queues.tests.conftest import AS_OF, NEXT_DAY, run_eod

pytestmark = pytest.mark.django_db


def entries(user=None):
    qs = QueueEntry.objects.filter(on=NEXT_DAY).order_by("user__username", "position")
    if user is not None:
        qs = qs.filter(user=user)
    return list(qs)


def due_fen(loan) -> int:
    return LoanSnapshot.objects.get(as_of=AS_OF, loan=loan).total_due_fen


@pytest.fixture
def action_source():
    """Register a source for the test (as the strategy app will) and take it away after."""
    added = []

    def register(fn):
        sources.register_action_source(fn)
        added.append(fn)

    yield register
    for fn in added:
        sources.unregister_action_source(fn)


def test_each_collectors_queue_is_ordered_by_yuan_per_minute(book, people):
    run_eod()

    queue = entries(people["carl"])

    assert [e.loan_id for e in queue] == [
        book["carl_big"].pk,
        book["carl_mid"].pk,
        book["carl_small"].pk,
    ]
    assert [e.position for e in queue] == [1, 2, 3]
    # M1 with no broken promise: 0.92 (the seed); a call takes 5 minutes.
    for e in queue:
        expected = (Decimal(due_fen(e.loan)) / 100 * Decimal("0.92") / 5).quantize(
            Decimal("0.0001")
        )
        assert e.priority == expected
        assert (e.channel, e.segment, e.step, e.minutes) == ("call", "default", "call", 5)
        assert e.probability == Decimal("0.9200")
    # The paid-up loan has no case; tina's case has no collector: neither is queued.
    assert {e.user.username for e in entries()} == {"carl", "cora"}


def test_priority_is_amount_times_probability_over_minutes_across_channels(
    book, people, action_source
):
    # A visit (60 minutes) on the biggest case comes after a call on the smallest: the same
    # expected money over twelve times the minutes.
    ChannelEffort.objects.filter(channel="sms").update(minutes=2)

    def source(on):
        ids = dict(Case.objects.values_list("loan_id", "id"))
        return pl.DataFrame(
            {
                "case_id": [
                    ids[book["carl_big"].pk],
                    ids[book["carl_small"].pk],
                    ids[book["carl_mid"].pk],
                ],
                "segment": ["big", "small", "mid"],
                "step": ["visit1", "call1", "sms1"],
                "channel": ["visit", "call", "sms"],
                "role": ["field_agent", "collector", "collector"],
            }
        )

    run_eod()  # opens the cases
    action_source(source)
    run_eod()

    carl = [(e.segment, e.channel, e.priority) for e in entries(people["carl"])]
    fay = [(e.segment, e.channel, e.priority) for e in entries(people["fay"])]

    def expect(loan, minutes):
        return (Decimal(due_fen(loan)) / 100 * Decimal("0.92") / minutes).quantize(
            Decimal("0.0001")
        )

    assert carl == [
        ("mid", "sms", expect(book["carl_mid"], 2)),
        ("small", "call", expect(book["carl_small"], 5)),
    ]
    assert fay == [("big", "visit", expect(book["carl_big"], 60))]


def test_the_queue_stops_at_the_persons_daily_capacity(book, people):
    people["carl"].daily_capacity = 2
    people["carl"].save(update_fields=["daily_capacity"])

    run_eod()

    assert [e.loan_id for e in entries(people["carl"])] == [
        book["carl_big"].pk,
        book["carl_mid"].pk,
    ]


def test_the_default_capacity_applies_when_the_person_has_none(book, people, settings):
    settings.ARREARS_QUEUE_DAILY_CAPACITY = 1

    run_eod()

    assert [e.loan_id for e in entries(people["carl"])] == [book["carl_big"].pk]
    assert len(entries(people["cora"])) == 1


def test_a_case_is_in_one_queue_per_channel_per_day(book, people, action_source):
    run_eod()
    case_id = Case.objects.get(loan=book["carl_mid"]).pk

    def twice(on):
        # Two sources (or two steps) asking for the same call: one entry.
        return pl.DataFrame(
            {
                "case_id": [case_id, case_id, case_id],
                "segment": ["a", "b", "a"],
                "step": ["s2", "s1", "sms"],
                "channel": ["call", "call", "sms"],
                "role": ["collector", "collector", "collector"],
            }
        )

    action_source(twice)
    run_eod()

    rows = [(e.case_id, e.channel, e.step) for e in entries()]
    # One call (the first row that asked for it) and one SMS (a minute: it comes first).
    assert rows == [(case_id, "sms", "sms"), (case_id, "call", "s2")]


def test_hand_overs_are_never_queued(book, people, action_source):
    run_eod()
    case_id = Case.objects.get(loan=book["carl_mid"]).pk
    action_source(
        lambda on: pl.DataFrame(
            {
                "case_id": [case_id, case_id],
                "segment": ["late", "late"],
                "step": ["agency", "legal"],
                "channel": ["agency_placement", "legal_review"],
                "role": ["team_lead", "legal"],
            }
        )
    )

    run_eod()

    assert entries() == []


def test_a_suspended_case_is_in_no_queue(book, people):
    run_eod()
    case = Case.objects.get(loan=book["carl_mid"])
    CaseSuspension.objects.create(
        case=case, reason="hospitalised", starts_on=NEXT_DAY, ends_on=NEXT_DAY + dt.timedelta(9)
    )

    run_eod()

    assert case.pk not in {e.case_id for e in entries()}
    assert [e.loan_id for e in entries(people["carl"])] == [
        book["carl_big"].pk,
        book["carl_small"].pk,
    ]


def test_rerunning_the_same_day_gives_the_same_queues(book, people):
    run_eod()
    first = [(e.user_id, e.position, e.case_id, e.channel, e.priority) for e in entries()]

    run_eod()

    again = [(e.user_id, e.position, e.case_id, e.channel, e.priority) for e in entries()]
    assert again == first
    assert QueueEntry.objects.count() == len(first)


def test_more_broken_promises_lower_the_probability(book, people):
    # The table's most specific row wins: a row for this bucket and 2+ broken promises.
    run_eod()
    PaymentProbability.objects.filter(bucket="M1").update(probability=Decimal("0.5000"))
    run_eod()

    assert {e.probability for e in entries()} == {Decimal("0.5000")}
    assert QueueExclusion.objects.count() == 0


def test_a_source_may_give_rows_with_the_strategy_apps_column_names(book, people, action_source):
    run_eod()
    case_id = Case.objects.get(loan=book["carl_small"]).pk
    action_source(
        lambda on: [
            {
                "case_id": case_id,
                "segment_key": "early",
                "path_key": "champion",
                "step_key": "d3_call",
                "channel": "call",
                "role": "collector",
                "template": "",
            }
        ]
    )

    run_eod()

    assert [(e.case_id, e.segment, e.step, e.channel) for e in entries()] == [
        (case_id, "early", "d3_call", "call")
    ]
