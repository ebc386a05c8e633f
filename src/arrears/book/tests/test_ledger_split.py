"""A receipt that splits itself (field cash) is allocated as it says, not by the waterfall."""

from __future__ import annotations

import datetime as dt

from arrears.book import ledger

D = dt.date
TERMS = ledger.Terms(penalty_rate_ppm=180_000, day_count=360)
INSTALLMENTS = [
    ledger.InstallmentIn(1, 1, D(2026, 2, 10), 50_000, 10_000),
    ledger.InstallmentIn(2, 2, D(2026, 3, 10), 50_000, 10_000),
]


def parts(result, key):
    out: dict[str, int] = {}
    for a in result.allocations:
        if a.payment_key == key:
            out[a.component] = out.get(a.component, 0) + a.amount
    return out


def test_a_split_pays_each_part_oldest_first_and_no_penalty_unless_it_says():
    pay = ledger.PaymentIn(7, "SJ-1", D(2026, 4, 1), 70_000, split=(60_000, 10_000, 0))
    result = ledger.replay(installments=INSTALLMENTS, payments=[pay], terms=TERMS)
    assert parts(result, 7) == {"principal": 60_000, "interest": 10_000}
    first, second = result.installments
    assert (first.principal_paid, first.interest_paid, first.penalty_paid) == (50_000, 10_000, 0)
    assert (second.principal_paid, second.interest_paid) == (10_000, 0)


def test_the_waterfall_would_have_paid_the_penalty_first():
    pay = ledger.PaymentIn(7, "SJ-1", D(2026, 4, 1), 70_000)
    result = ledger.replay(installments=INSTALLMENTS, payments=[pay], terms=TERMS)
    assert parts(result, 7)["penalty"] > 0


def test_what_a_part_does_not_owe_is_held_as_credit():
    pay = ledger.PaymentIn(7, "SJ-1", D(2026, 2, 20), 30_000, split=(0, 30_000, 0))
    result = ledger.replay(
        installments=INSTALLMENTS, payments=[pay], terms=TERMS, as_of=D(2026, 2, 20)
    )
    # Only the first installment's 100.00 interest was due on 2026-02-20.
    assert parts(result, 7) == {"interest": 10_000, "credit": 20_000}
    assert result.credit_balance == 20_000
