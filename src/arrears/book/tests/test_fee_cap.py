"""Fees under the product's all-in annual rate cap (book.ledger, "Fees are capped"), to the fen.

Worked example: 10,000.00 overdue from 2026-02-10, penalty 18% on a 360-day count, cap 24%,
and a contract rate at the cap (no room from the current days). A cap is an annual figure, so
a day's charges may reach cap / 365 of the base (whatever the day count): the cap leaves
10,000 × (0.24 / 365 − 0.18 / 360) = 1.5753… a day for fees, so a 100.00 fee charged on the
due date is 47.26 owed after 30 days and 100.00 from day 64.

(Issue 11: these expectations used to be 50.00 after 30 days and the whole fee from day 60 —
10,000 × (0.24 − 0.18) / 360 a day, which over a year of 365 days lets penalty and fees
reach 24% × 365 / 360 = 24.33% of the principal, over the cap. Fixed here.)
"""

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.book import ledger
from arrears.book.models import Allocation, Charge, Loan
from arrears.book.selectors import loan_position
from arrears.book.services import charge_add, payment_post
from arrears.book.tests.test_ledger_properties import START, books
from arrears.testing import make_loan, make_product

D = dt.date
DISBURSED, DUE = D(2026, 1, 10), D(2026, 2, 10)
CAPPED = ledger.Terms(penalty_rate_ppm=180_000, fee_cap_ppm=240_000, annual_rate_ppm=240_000)


def replay(terms, as_of, charged_on=DUE, payments=()):
    return ledger.replay(
        installments=[ledger.InstallmentIn(1, 1, DUE, 1_000_000, 0)],
        payments=list(payments),
        charges=[ledger.ChargeIn(9, charged_on, 10_000)],
        terms=terms,
        as_of=as_of,
        disbursed_on=DISBURSED,
    )


@pytest.mark.parametrize(
    ("as_of", "owed", "held"),
    [
        (DUE, 0, 10_000),  # the due date: nothing overdue yet, no room
        (D(2026, 3, 12), 4_726, 5_274),  # 30 days: 1.5753… × 30 = 47.26
        (D(2026, 3, 27), 7_089, 2_911),  # 45 days: 70.89
        (D(2026, 4, 11), 9_452, 548),  # 60 days: 94.52
        (D(2026, 4, 14), 9_925, 75),  # 63 days: 99.25
        (D(2026, 4, 15), 10_000, 0),  # 64 days: 100.82 of room, the whole fee
        (D(2026, 7, 1), 10_000, 0),  # the allowance goes on growing; the fee does not
    ],
)
def test_a_fee_is_owed_as_the_cap_gives_room(as_of, owed, held):
    result = replay(CAPPED, as_of)
    assert (result.fees_owed, result.fees_held) == (owed, held)


def test_penalty_and_fees_together_stay_within_the_cap():
    # 30 days: penalty 150.00 + fees 47.26 = 197.26 = 10,000 × 0.24 × 30 / 365.
    result = replay(CAPPED, D(2026, 3, 12))
    assert result.installments[0].penalty_accrued + result.fees_owed == 19_726
    assert result.fee_allowance == 4_726


def test_a_product_without_a_cap_owes_the_whole_fee_at_once():
    result = replay(dataclasses.replace(CAPPED, fee_cap_ppm=None), DUE)
    assert (result.fees_owed, result.fees_held, result.fee_allowance) == (10_000, 0, None)


def test_a_current_loan_gives_room_from_its_contract_rate():
    # Contract 12% under a 24% cap: 10,000 × 0.12 / 365 = 3.2876… a day from disbursement.
    terms = dataclasses.replace(CAPPED, annual_rate_ppm=120_000)
    ten_days = replay(terms, D(2026, 1, 20), charged_on=D(2026, 1, 20))
    assert (ten_days.fees_owed, ten_days.fees_held) == (3_288, 6_712)
    thirty_days = replay(terms, D(2026, 2, 9), charged_on=D(2026, 1, 20))
    assert (thirty_days.fees_owed, thirty_days.fees_held) == (9_863, 137)
    due_day = replay(terms, DUE, charged_on=D(2026, 1, 20))  # 31 days: 101.92 of room
    assert (due_day.fees_owed, due_day.fees_held) == (10_000, 0)


def test_a_payment_pays_only_the_allowed_part_of_a_fee_and_the_rest_goes_on():
    pay = ledger.PaymentIn(1, "P", D(2026, 3, 12), 20_000)
    result = replay(CAPPED, D(2026, 3, 12), payments=[pay])
    assert [(a.component, a.amount) for a in result.allocations] == [
        ("fee", 4_726),
        ("penalty", 15_000),
        ("principal", 274),
    ]
    # 60 days: the base fell by 2.74 from day 31, so the allowance is 94.51, 47.25 more.
    later = replay(CAPPED, D(2026, 4, 11), payments=[pay])
    assert (later.fees_owed, later.fees_held) == (4_725, 549)
    assert later.charges_paid == {9: 4_726}


capped_books = st.tuples(
    books(),
    st.integers(min_value=0, max_value=1_000_000),
    st.integers(min_value=0, max_value=400_000),
    st.lists(st.integers(min_value=0, max_value=1500), min_size=2, max_size=4),
)


@settings(max_examples=200, deadline=None)
@given(capped_books)
def test_fees_paid_and_owed_never_exceed_the_allowance_which_never_shrinks(case):
    (insts, payments, charges, terms), cap, annual, offsets = case
    terms = dataclasses.replace(terms, fee_cap_ppm=cap, annual_rate_ppm=annual)
    terms = dataclasses.replace(terms, penalty_rate_ppm=min(terms.penalty_rate_ppm, cap))
    previous = 0
    for offset in sorted(offsets):
        as_of = START + dt.timedelta(days=offset)
        result = ledger.replay(
            installments=insts,
            payments=payments,
            charges=charges,
            terms=terms,
            as_of=as_of,
            disbursed_on=START,
        )
        paid = sum(result.charges_paid.values())
        assert 0 <= result.fees_owed
        assert paid + result.fees_owed <= result.fee_allowance
        assert result.fees_held >= 0
        assert result.fee_allowance >= previous
        previous = result.fee_allowance
        for p in payments:
            if p.paid_on <= as_of:
                assert sum(a.amount for a in result.allocations if a.payment_key == p.key) == (
                    p.amount
                )


# ------------------------------------------------------------------ through the services


@pytest.mark.django_db
def test_posting_a_payment_pays_the_allowed_part_of_the_fee_and_the_loan_page_follows():
    product = make_product(name="capped", rate_cap="0.24")
    loan = make_loan(
        product=product,
        principal="10000.00",
        annual_rate="0.24",
        penalty_rate="0.18",
        method="bullet",
        term_months=1,
        disbursed_on=DISBURSED,
    )
    charge = charge_add(loan=loan, kind="failed_deduction", amount_fen=10_000, charged_on=DUE)
    payment_post(loan=loan, external_id="CAP-1", paid_on=D(2026, 3, 12), amount_fen=19_726)
    rows = sorted(
        Allocation.objects.filter(loan=loan).values_list("component", "amount_fen", "effective_on")
    )
    assert rows == [("fee", 4_726, D(2026, 3, 12)), ("penalty", 15_000, D(2026, 3, 12))]
    assert Charge.objects.get(pk=charge.pk).paid_fen == 4_726
    loan = Loan.objects.select_related("product").get(pk=loan.pk)
    assert loan_position(loan, D(2026, 3, 12)).fees == 0
    assert loan_position(loan, D(2026, 3, 27)).fees == 7_089 - 4_726
    pos = loan_position(loan, D(2026, 4, 11))
    assert (pos.fees, pos.penalty, pos.result.fees_held) == (4_726, 15_000, 548)
    assert loan.status == Loan.Status.ACTIVE


@pytest.mark.django_db
def test_a_paid_off_loan_owes_no_fee_the_cap_can_never_allow():
    # Paid in full (1,000.00 + 20.00 interest) and 20.00 more on its due date: no day ever gave the cap room over 24% (contract rate =
    # cap), so the fee stays held back for good and the loan is paid off.
    product = make_product(name="capped", rate_cap="0.24")
    loan = make_loan(
        product=product,
        principal="1000.00",
        annual_rate="0.24",
        method="bullet",
        term_months=1,
        disbursed_on=DISBURSED,
    )
    charge_add(loan=loan, kind="failed_deduction", amount_fen=2_000, charged_on=DUE)
    payment_post(loan=loan, external_id="CAP-2", paid_on=DUE, amount_fen=104_000)
    loan = Loan.objects.select_related("product").get(pk=loan.pk)
    assert loan.status == Loan.Status.PAID_OFF
    assert loan.credit_balance_fen == 2_000
    pos = loan_position(loan, D(2026, 6, 1))
    assert (pos.fees, pos.result.fees_held, pos.total_due) == (0, 2_000, 0)
