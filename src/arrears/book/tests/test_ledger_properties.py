"""Properties of the ledger rule over random schedules, payments and charges."""

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.book import ledger
from arrears.book.schedule import build_schedule

D = dt.date
START = D(2025, 1, 15)


@st.composite
def books(draw):
    method = draw(st.sampled_from(["annuity", "equal_principal", "interest_first", "bullet"]))
    term = draw(st.integers(min_value=1, max_value=12))
    principal = draw(st.integers(min_value=10_000, max_value=5_000_000))
    from decimal import Decimal

    rate = Decimal(draw(st.integers(min_value=0, max_value=3600))) / 10_000
    sched = build_schedule(
        principal_fen=principal,
        annual_rate=rate,
        term_months=term,
        method=method,
        disbursed_on=START,
    )
    insts = [
        ledger.InstallmentIn(i.number, i.number, i.due_on, i.principal_fen, i.interest_fen)
        for i in sched
    ]
    horizon = (sched[-1].due_on - START).days + 200
    n_pay = draw(st.integers(min_value=0, max_value=8))
    payments = [
        ledger.PaymentIn(
            k + 1,
            f"P{k:03d}",
            START + dt.timedelta(days=draw(st.integers(min_value=0, max_value=horizon))),
            draw(st.integers(min_value=1, max_value=principal)),
        )
        for k in range(n_pay)
    ]
    n_chg = draw(st.integers(min_value=0, max_value=3))
    charges = [
        ledger.ChargeIn(
            k + 1,
            START + dt.timedelta(days=draw(st.integers(min_value=0, max_value=horizon))),
            draw(st.integers(min_value=1, max_value=5_000)),
        )
        for k in range(n_chg)
    ]
    terms = ledger.Terms(
        penalty_rate_ppm=draw(st.integers(min_value=0, max_value=360_000)),
        day_count=draw(st.sampled_from([360, 365])),
        grace_days=draw(st.integers(min_value=0, max_value=5)),
        penalty_on_interest=draw(st.booleans()),
        waterfall=tuple(draw(st.permutations(["fee", "penalty", "interest", "principal"]))),
    )
    return insts, payments, charges, terms


@settings(max_examples=300, deadline=None)
@given(books())
def test_allocations_sum_to_each_payment_and_nothing_goes_negative(book):
    insts, payments, charges, terms = book
    result = ledger.replay(installments=insts, payments=payments, charges=charges, terms=terms)
    for p in payments:
        assert sum(a.amount for a in result.allocations if a.payment_key == p.key) == p.amount
    assert all(a.amount > 0 for a in result.allocations)
    for i in result.installments:
        assert 0 <= i.principal_paid <= i.principal_due
        assert 0 <= i.interest_paid <= i.interest_due
        assert 0 <= i.penalty_paid <= i.penalty_accrued
    assert all(v >= 0 for v in result.charges_left.values())
    assert result.credit_balance >= 0
    # Money is never applied before it was paid or before the debt fell due.
    by_key = {p.key: p for p in payments}
    due = {i.key: i.due_on for i in insts}
    for a in result.allocations:
        assert a.effective_on >= by_key[a.payment_key].paid_on
        if a.installment_key is not None:
            assert a.effective_on >= due[a.installment_key]


@settings(max_examples=200, deadline=None)
@given(books(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_the_order_payments_were_posted(book, rnd: random.Random):
    insts, payments, charges, terms = book
    first = ledger.replay(installments=insts, payments=payments, charges=charges, terms=terms)
    shuffled = payments[:]
    rnd.shuffle(shuffled)
    charges_shuffled = charges[:]
    rnd.shuffle(charges_shuffled)
    second = ledger.replay(
        installments=list(reversed(insts)),
        payments=shuffled,
        charges=charges_shuffled,
        terms=terms,
    )
    assert first.allocations == second.allocations
    assert first.installments == second.installments
    assert first.credit_balance == second.credit_balance


@settings(max_examples=200, deadline=None)
@given(books(), st.integers(min_value=0, max_value=1500))
def test_position_as_of_a_date_ignores_later_payments(book, offset):
    insts, payments, charges, terms = book
    as_of = START + dt.timedelta(days=offset)
    full = ledger.replay(
        installments=insts, payments=payments, charges=charges, terms=terms, as_of=as_of
    )
    early = [p for p in payments if p.paid_on <= as_of]
    only_early = ledger.replay(
        installments=insts, payments=early, charges=charges, terms=terms, as_of=as_of
    )
    assert full.installments == only_early.installments
    assert full.credit_balance == only_early.credit_balance


@settings(max_examples=200, deadline=None)
@given(books())
def test_paying_everything_owed_leaves_nothing_owed(book):
    insts, _, charges, terms = book
    last_due = max(i.due_on for i in insts)
    as_of = last_due + dt.timedelta(days=40)
    before = ledger.replay(
        installments=insts, payments=[], charges=charges, terms=terms, as_of=as_of
    )
    owed = sum(
        i.principal_left + i.interest_left + i.penalty_left for i in before.installments
    ) + sum(before.charges_left.values())
    after = ledger.replay(
        installments=insts,
        payments=[ledger.PaymentIn(1, "ALL", as_of, owed + 7)],
        charges=charges,
        terms=terms,
        as_of=as_of,
    )
    assert all(
        i.principal_left == 0 and i.interest_left == 0 and i.penalty_left == 0
        for i in after.installments
    )
    assert sum(after.charges_left.values()) == 0
    assert after.credit_balance == 7
