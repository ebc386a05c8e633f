"""Limitation as the law has it: events in date order, revival only by the debtor, art. 203, the
20-year limit, and the registry's contract — hand-worked, and the set-based rule equal to the
per-loan rule on random event histories."""

import datetime as dt

import polars as pl
import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.book.services import payment_post
from arrears.core.dates import next_working_day
from arrears.eod import limitation
from arrears.eod.config import eod_config
from arrears.eod.limitation import CREDITOR, DEBTOR, GUARANTOR, Calendar, Event, evaluate
from arrears.eod.services import eod_compute
from arrears.testing import make_loan

D = dt.date


def bullet_2020():
    """A bullet loan due 2020-01-10 (disbursed 2019-07-10, six months), nothing paid."""
    return make_loan(method="bullet", term_months=6, disbursed_on=D(2019, 7, 10))


def figures(loan, as_of):
    rows = eod_compute(as_of=as_of).loans.filter(pl.col("loan_id") == loan.pk).to_dicts()
    return rows[0]


@pytest.fixture
def suits(monkeypatch):
    """A lawsuit source as the legal work will register it (the registry's contract)."""
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE legal_test_suit (loan_id BIGINT NOT NULL, filed_on DATE NOT NULL,"
            " docket VARCHAR(40) NOT NULL)"
        )
    limitation.register_restart_source(
        "lawsuit",
        "SELECT loan_id, filed_on AS event_date, 'creditor' AS actor, filed_on AS reached_on,"
        " docket AS ref FROM legal_test_suit WHERE filed_on <= {as_of}{subset}",
    )
    yield lambda loan, day, docket: connection.cursor().execute(
        "INSERT INTO legal_test_suit VALUES (%s, %s, %s)", [loan.pk, day, docket]
    )
    limitation.unregister_restart_source("lawsuit")


# --------------------------------------------------------------------------- pure rule


def test_the_calendar_moves_a_deadline_past_a_weekend_and_a_holiday():
    cal = Calendar(
        holidays=frozenset({D(2026, 10, d) for d in range(1, 8)}),
        workdays=frozenset({D(2026, 10, 10)}),
    )
    assert next_working_day(D(2026, 10, 3), cal.holidays, cal.workdays) == D(2026, 10, 8)
    assert next_working_day(D(2026, 10, 10), cal.holidays, cal.workdays) == D(2026, 10, 10)
    assert next_working_day(D(2026, 10, 11), cal.holidays, cal.workdays) == D(2026, 10, 12)


def test_a_notice_after_expiry_changes_nothing_and_a_signature_revives():
    notice = Event("notice_served", D(2024, 3, 1), CREDITOR, reached_on=D(2024, 3, 1), ref="CN-1")
    result = evaluate(last_due=D(2020, 1, 10), events=[notice], as_of=D(2024, 6, 1))
    # 2020-01-10 + 3 years = 2023-01-10 (a Tuesday): barred since 2023-01-11.
    assert (result.deadline, result.time_barred, result.barred_since) == (
        D(2023, 1, 10),
        True,
        D(2023, 1, 11),
    )
    assert result.steps[0].effect == "no_effect_expired"
    signed = Event("notice_signed", D(2024, 3, 5), DEBTOR, ref="CN-1", revive_only=True)
    result = evaluate(last_due=D(2020, 1, 10), events=[notice, signed], as_of=D(2024, 6, 1))
    # Revived on 2024-03-05: a new period to 2027-03-05 (a Friday).
    assert (result.deadline, result.time_barred) == (D(2027, 3, 5), False)
    assert result.revived_by.event.ref == "CN-1"


def test_a_guarantors_payment_does_not_touch_the_borrowers_period():
    paid = Event("payment", D(2022, 6, 1), GUARANTOR, ref="G1")
    result = evaluate(last_due=D(2020, 1, 10), events=[paid], as_of=D(2024, 6, 1))
    assert (result.deadline, result.time_barred) == (D(2023, 1, 10), True)
    assert result.steps[0].effect == "not_debtor"


def test_twenty_years_from_the_infringement_is_the_outer_limit():
    # Every two years a debtor's payment: the period would run on for ever.
    pays = [Event("payment", D(2002 + 2 * k, 3, 1), DEBTOR) for k in range(12)]
    result = evaluate(last_due=D(2001, 3, 1), events=pays, as_of=D(2024, 3, 1))
    # 2001-03-01 + 20 years = 2021-03-01, a Monday.
    assert (result.deadline, result.time_barred) == (D(2021, 3, 1), True)


# --------------------------------------------------------------------------- through the engine


@pytest.mark.django_db
def test_a_lawsuit_registered_through_the_registry_interrupts_only_a_running_period(suits):
    """The contract the legal work will use: a suit is the creditor's act, effective on filing."""
    loan = bullet_2020()  # deadline 2023-01-10
    suits(loan, D(2022, 5, 1), "(2022)川0104民初1号")
    # 2022-05-01 + 3 years = 2025-05-01, Labour Day: the State Council's days off run to
    # 2025-05-05, so the period ends on Tuesday 2025-05-06 (art. 203).
    f = figures(loan, D(2025, 5, 6))
    assert (f["limitation_deadline"], f["time_barred"]) == (D(2025, 5, 6), False)
    assert figures(loan, D(2025, 5, 7))["time_barred"] is True
    # A second suit after expiry changes nothing.
    suits(loan, D(2025, 6, 1), "(2025)川0104民初9号")
    f = figures(loan, D(2025, 7, 1))
    assert (f["limitation_deadline"], f["time_barred"]) == (D(2025, 5, 6), True)


@pytest.mark.django_db
def test_a_guarantors_payment_is_in_the_registry_but_restarts_nothing():
    loan = bullet_2020()
    payment_post(
        loan=loan,
        external_id="G-1",
        paid_on=D(2021, 6, 1),
        amount_fen=10_000,
        channel="guarantor",
        source="import",
    )
    f = figures(loan, D(2024, 6, 1))
    assert (f["limitation_deadline"], f["time_barred"]) == (D(2023, 1, 10), True)
    from arrears.eod.selectors import loan_limitation

    story = loan_limitation(loan, as_of=D(2024, 6, 1))
    assert [(s.event.ref, s.event.actor, s.effect) for s in story.steps] == [
        ("G-1", "guarantor", "not_debtor")
    ]


def test_the_shipped_calendar_knows_the_national_day_week(db):
    config = eod_config()
    assert D(2025, 10, 8) in config.holidays and D(2025, 10, 11) in config.workdays


# --------------------------------------------------------------------------- set-based == per loan

_day = st.integers(min_value=-400, max_value=9_000)  # days from the last due date, to ~25 years
_event = st.tuples(
    _day,
    st.sampled_from(["creditor", "creditor_unreached", "debtor", "guarantor", "signature"]),
    st.integers(min_value=0, max_value=30),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    loans=st.lists(
        st.tuples(st.integers(min_value=0, max_value=3_000), st.lists(_event, max_size=8)),
        min_size=1,
        max_size=6,
    ),
    as_of_offset=st.integers(min_value=0, max_value=12_000),
)
def test_the_set_based_rule_equals_the_per_loan_rule(loans, as_of_offset):
    """Many loans at once, long histories (past the 20-year limit), every kind of actor, with
    weekends and a few holidays: `deadlines` gives what `evaluate` gives, loan by loan."""
    base = D(2005, 1, 1)
    cal = Calendar(
        holidays=frozenset({D(2008 + k, 10, d) for k in range(20) for d in range(1, 8)}),
        workdays=frozenset({D(2010, 9, 26), D(2015, 10, 10)}),
    )
    as_of = base + dt.timedelta(days=as_of_offset)
    rows, lasts, want = [], [], {}
    for loan_id, (due_offset, evs) in enumerate(loans, start=1):
        last_due = base + dt.timedelta(days=due_offset)
        lasts.append({"loan_id": loan_id, "last_due": last_due})
        events = []
        for offset, who, lag in evs:
            day = last_due + dt.timedelta(days=offset)
            if who == "creditor":
                ev = Event("lawsuit", day, CREDITOR, reached_on=day + dt.timedelta(days=lag))
            elif who == "creditor_unreached":
                ev = Event("notice_served", day, CREDITOR)
            elif who == "signature":
                ev = Event("notice_signed", day, DEBTOR, revive_only=True)
            else:
                ev = Event("payment", day, DEBTOR if who == "debtor" else GUARANTOR)
            events.append(ev)
            rows.append(
                {
                    "loan_id": loan_id,
                    "event_date": ev.event_date,
                    "kind": ev.kind,
                    "actor": ev.actor,
                    "reached_on": ev.reached_on,
                    "revive_only": int(ev.revive_only),
                }
            )
        want[loan_id] = evaluate(
            last_due=last_due, events=events, as_of=as_of, calendar=cal
        ).deadline
    frame = pl.DataFrame(rows, schema=limitation.EVENTS_SCHEMA)
    got = (
        limitation.deadlines(
            pl.DataFrame(lasts, schema={"loan_id": pl.Int64, "last_due": pl.Date}).lazy(),
            frame,
            as_of=as_of,
            years=3,
            kinds=("lawsuit", "notice_served", "notice_signed", "payment"),
            calendar=cal,
        )
        .collect()
        .rows()
    )
    assert dict(got) == want
