"""The probability table and channel minutes: managers edit them (audited), and the refit
from the book's own history shows its counts and is applied only where there are enough."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arrears.book.services import payment_post
from arrears.core.models import AuditEntry
from arrears.queues.errors import QueueError
from arrears.queues.models import ChannelEffort, PaymentProbability
from arrears.queues.services import (
    channel_effort_set,
    probability_fit,
    probability_refit_apply,
    probability_set,
)
from arrears.queues.tests.conftest import client_for, run_eod

pytestmark = pytest.mark.django_db
D = dt.date


def m1_row() -> PaymentProbability:
    return PaymentProbability.objects.get(bucket="M1", broken_min=0, debtor_type=None)


def test_the_seed_follows_the_rule_of_thumb():
    by = {
        (r.bucket, r.min_dpd, r.broken_min): r.probability for r in PaymentProbability.objects.all()
    }
    assert by[("M7+", 0, 0)] == Decimal("0.8000")  # under two years: ~80%
    assert by[("M7+", 730, 0)] == Decimal("0.2000")  # over two years: ~20%
    assert by[("M1", 0, 0)] > by[("M4", 0, 0)] > by[("M7+", 0, 0)]  # younger is higher
    assert by[("M1", 0, 2)] < by[("M1", 0, 0)]  # broken promises lower it


def test_a_manager_sets_a_probability_and_the_minutes_audited(people):
    row = m1_row()

    probability_set(row_id=row.pk, probability="75%", actor=people["mia"])
    channel_effort_set(channel="call", minutes="8", actor=people["mia"])

    row.refresh_from_db()
    assert (row.probability, row.source) == (Decimal("0.7500"), "manual")
    assert ChannelEffort.objects.get(channel="call").minutes == 8
    events = list(AuditEntry.objects.values_list("event", "after").order_by("id"))
    assert events[-2:] == [
        ("queue.probability", {"probability": "0.7500"}),
        ("queue.effort", {"minutes": 8}),
    ]


@pytest.mark.parametrize("bad", ["1.5", "abc", "-0.1", ""])
def test_a_probability_outside_0_to_1_is_refused_naming_the_field(people, bad):
    with pytest.raises(QueueError) as refused:
        probability_set(row_id=m1_row().pk, probability=bad, actor=people["mia"])
    assert refused.value.field == "probability"
    assert m1_row().probability == Decimal("0.9200")


def test_a_collector_may_not_change_the_tables(people):
    with pytest.raises(QueueError):
        probability_set(row_id=m1_row().pk, probability="0.5", actor=people["carl"])
    assert client_for(people["carl"]).get("/queues/probabilities/").status_code == 403


def test_the_refit_shows_counts_and_applies_where_there_are_enough(book, people, settings):
    settings.ARREARS_QUEUE_FIT_MIN = 5
    # Five loans past due since 2026-07-11, seen on two days; one pays within 30 days.
    run_eod(D(2026, 7, 20))
    run_eod(D(2026, 7, 27))
    payment_post(
        loan=book["carl_big"], external_id="P-FIT", paid_on=D(2026, 8, 1), amount_fen=100_00
    )

    fit = probability_fit(as_of=D(2026, 8, 27))

    m1 = next(f for f in fit.rows if f.row_id == m1_row().pk)
    assert (m1.observations, m1.paid, m1.probability) == (10, 2, Decimal("0.2000"))
    assert fit.days == (D(2026, 7, 20), D(2026, 7, 27))
    others = [f for f in fit.rows if f.row_id != m1_row().pk]
    assert all(f.observations == 0 and f.probability is None for f in others)

    assert probability_refit_apply(as_of=D(2026, 8, 27), actor=people["mia"]) == 1
    row = m1_row()
    assert (row.probability, row.source) == (Decimal("0.2000"), "refit")
    entry = AuditEntry.objects.get(event="queue.refit")
    assert entry.after["changes"] == [
        {"row": row.pk, "before": "0.9200", "after": "0.2000", "observations": 10, "paid": 2}
    ]


def test_no_refit_without_enough_history(people):
    with pytest.raises(QueueError) as refused:
        probability_refit_apply(as_of=D(2026, 8, 27), actor=people["mia"])
    assert refused.value.code == "not_enough"
    assert not PaymentProbability.objects.filter(source="refit").exists()


def test_the_page_shows_the_fit_beside_the_current_values(people):
    page = client_for(people["mia"]).get("/queues/probabilities/", {"fit": "1"}).content.decode()
    assert "0.9200" in page and "0 paid of 0" in page
