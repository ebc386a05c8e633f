"""Schedules: amounts to the fen, due dates to the day, numpy-financial agreement."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.book.schedule import build_schedule

D = dt.date


def fen(x) -> int:
    # numpy-financial works in float; round its result half-up to the fen for comparison.
    return int(Decimal(repr(float(x))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)


def rounds_to(ours_fen: int, x) -> bool:
    """Whether `ours_fen` is `x` (yuan, from numpy-financial) rounded to the fen.

    Exact half-fen ties (0.025) come out of float arithmetic as 0.02499999…, so at a tie
    either neighbour is accepted; everywhere else the fen must be the same.
    """
    return abs(ours_fen - float(x) * 100) <= 0.5 + 1e-6


def test_annuity_matches_the_textbook_example():
    s = build_schedule(
        principal_fen=1_000_000,
        annual_rate=Decimal("0.12"),
        term_months=12,
        method="annuity",
        disbursed_on=D(2026, 1, 10),
    )
    assert [i.total_fen for i in s[:11]] == [88_849] * 11  # 888.49 a month
    assert s[0].interest_fen == 10_000 and s[0].principal_fen == 78_849
    assert sum(i.principal_fen for i in s) == 1_000_000
    assert s[-1].due_on == D(2027, 1, 10)


@settings(max_examples=200, deadline=None)
@given(
    principal=st.integers(min_value=50_000, max_value=20_000_000),
    rate_bp=st.integers(min_value=1, max_value=3600),
    n=st.integers(min_value=2, max_value=36),
)
def test_annuity_equals_numpy_financial_rounded_to_the_fen(principal, rate_bp, n):
    # The "exact" convention (products that keep it): ipmt on the exact balance.
    annual = Decimal(rate_bp) / 10_000
    s = build_schedule(
        principal_fen=principal,
        annual_rate=annual,
        term_months=n,
        annuity_interest="exact",
        method="annuity",
        disbursed_on=D(2026, 3, 15),
    )
    r = float(annual) / 12
    pv = -principal / 100
    pmt = npf.pmt(r, n, pv)
    for inst in s[:-1]:
        # Interest is ipmt to the fen; the monthly payment is pmt to the fen. Principal is the
        # payment less the interest, which is ppmt to within the one fen that two separate
        # roundings can differ by.
        assert rounds_to(inst.interest_fen, npf.ipmt(r, inst.number, n, pv))
        assert rounds_to(inst.total_fen, pmt)
        assert abs(inst.principal_fen - fen(npf.ppmt(r, inst.number, n, pv))) <= 1
    assert rounds_to(s[-1].interest_fen, npf.ipmt(r, n, n, pv))
    assert sum(i.principal_fen for i in s) == principal


# ------------------------------------------------------- 等额本息 as a Chinese bank prints it

MORTGAGE = dict(
    principal_fen=60_000_000,  # 600,000.00
    annual_rate=Decimal("0.049"),  # 4.9%: 0.408333…% a month
    term_months=240,
    method="annuity",
    disbursed_on=D(2026, 1, 10),
)


@pytest.mark.parametrize(
    ("month", "principal", "interest"),
    [
        # Payment: pmt(0.049 / 12, 240, 600,000) = 3,926.66 every month but the last.
        (1, 147_666, 245_000),  # 600,000.00 × 4.9% / 12 = 2,450.00; 3,926.66 − 2,450.00
        (2, 148_269, 244_397),  # 598,523.34 × 4.9% / 12 = 2,443.9703 → 2,443.97
        (3, 148_874, 243_792),  # 597,040.65 × 4.9% / 12 = 2,437.9160 → 2,437.92
        # 572,477.17 left after 18 payments: × 4.9% / 12 = 2,337.6151 → 2,337.62 (on the
        # exact balance numpy-financial's ipmt gives 2,337.61: one of the months that differ)
        (19, 158_904, 233_762),
        # The last takes the remaining 3,912.35 and its interest, 3,912.35 × 4.9% / 12 =
        # 15.9754 → 15.98: 3,928.33, the payment plus the rounding of 240 months.
        (240, 391_235, 1_598),
    ],
)
def test_annuity_interest_is_on_the_remaining_principal_as_banks_print_it(
    month, principal, interest
):
    s = build_schedule(**MORTGAGE)
    row = s[month - 1]
    assert (row.principal_fen, row.interest_fen) == (principal, interest)
    assert [i.total_fen for i in s[:-1]] == [392_666] * 239
    assert sum(i.principal_fen for i in s) == 60_000_000


def test_each_months_interest_is_the_remaining_principal_times_the_monthly_rate():
    s = build_schedule(**MORTGAGE)
    left = 60_000_000
    for row in s:
        want = (Decimal(left) * Decimal("0.049") / 12).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        assert row.interest_fen == want, row.number
        left -= row.principal_fen
    assert left == 0


def test_the_exact_convention_is_one_fen_apart_in_some_months():
    bank = build_schedule(**MORTGAGE)
    exact = build_schedule(**MORTGAGE, annuity_interest="exact")
    apart = [b.number for b, e in zip(bank, exact, strict=True) if b.interest_fen != e.interest_fen]
    assert 19 in apart and 1 not in apart
    assert all(abs(b.interest_fen - e.interest_fen) <= 1 for b, e in zip(bank, exact, strict=True))


def test_interest_first_at_actual_days_over_360():
    # 10,000.00 at 12% from 2026-01-10: January–February 31 days, February–March 28.
    s = build_schedule(
        principal_fen=1_000_000,
        annual_rate=Decimal("0.12"),
        term_months=3,
        method="interest_first",
        disbursed_on=D(2026, 1, 10),
        accrual="actual_360",
    )
    assert [(i.principal_fen, i.interest_fen) for i in s] == [
        (0, 10_333),  # 10,000 × 0.12 × 31 / 360 = 103.33
        (0, 9_333),  # × 28 / 360 = 93.33
        (1_000_000, 10_333),  # × 31 / 360
    ]


def test_bullet_at_actual_days_over_360():
    # 2026-01-10 to 2026-07-10 is 181 days: 10,000 × 0.12 × 181 / 360 = 603.33 (not 600.00).
    [row] = build_schedule(
        principal_fen=1_000_000,
        annual_rate=Decimal("0.12"),
        term_months=6,
        method="bullet",
        disbursed_on=D(2026, 1, 10),
        accrual="actual_360",
    )
    assert (row.due_on, row.principal_fen, row.interest_fen) == (D(2026, 7, 10), 1_000_000, 60_333)


def test_equal_principal_interest_falls_on_the_remaining_balance():
    s = build_schedule(
        principal_fen=1_200_000,
        annual_rate=Decimal("0.12"),
        term_months=12,
        method="equal_principal",
        disbursed_on=D(2026, 1, 10),
    )
    assert [i.principal_fen for i in s] == [100_000] * 12
    assert [i.interest_fen for i in s[:3]] == [12_000, 11_000, 10_000]
    assert s[-1].interest_fen == 1_000


def test_equal_principal_last_installment_absorbs_rounding():
    s = build_schedule(
        principal_fen=1_000_000,
        annual_rate=Decimal("0.10"),
        term_months=3,
        method="equal_principal",
        disbursed_on=D(2026, 1, 10),
    )
    assert [i.principal_fen for i in s] == [333_333, 333_333, 333_334]


def test_interest_first_pays_principal_at_the_end():
    s = build_schedule(
        principal_fen=5_000_000,
        annual_rate=Decimal("0.096"),
        term_months=6,
        method="interest_first",
        disbursed_on=D(2026, 1, 10),
    )
    assert [i.interest_fen for i in s] == [40_000] * 6
    assert [i.principal_fen for i in s] == [0, 0, 0, 0, 0, 5_000_000]


def test_bullet_interest_is_principal_times_rate_times_months_over_twelve():
    s = build_schedule(
        principal_fen=1_000_000,
        annual_rate=Decimal("0.18"),
        term_months=6,
        method="bullet",
        disbursed_on=D(2026, 1, 10),
    )
    assert len(s) == 1
    assert s[0].due_on == D(2026, 7, 10)
    assert s[0].interest_fen == 90_000  # 10,000 × 0.18 × 6/12


def test_due_dates_keep_the_day_clamped_to_the_months_end():
    s = build_schedule(
        principal_fen=300_000,
        annual_rate=Decimal("0.12"),
        term_months=4,
        method="equal_principal",
        disbursed_on=D(2027, 1, 31),
    )
    assert [i.due_on for i in s] == [D(2027, 2, 28), D(2027, 3, 31), D(2027, 4, 30), D(2027, 5, 31)]


def test_leap_february_is_the_29th():
    s = build_schedule(
        principal_fen=100_000,
        annual_rate=Decimal("0.12"),
        term_months=1,
        method="equal_principal",
        disbursed_on=D(2028, 1, 30),
    )
    assert s[0].due_on == D(2028, 2, 29)


@pytest.mark.parametrize("method", ["annuity", "equal_principal", "interest_first", "bullet"])
def test_zero_rate_loans_have_no_interest(method):
    s = build_schedule(
        principal_fen=120_000,
        annual_rate=Decimal("0"),
        term_months=12,
        method=method,
        disbursed_on=D(2026, 1, 1),
    )
    assert sum(i.interest_fen for i in s) == 0
    assert sum(i.principal_fen for i in s) == 120_000


def test_bad_terms_are_refused():
    with pytest.raises(ValueError, match="unknown repayment method"):
        build_schedule(
            principal_fen=1,
            annual_rate=Decimal("0.1"),
            term_months=1,
            method="balloon",
            disbursed_on=D(2026, 1, 1),
        )


@pytest.mark.django_db
def test_a_products_accrual_setting_shapes_new_loans_only():
    from arrears.book.models import Installment, Product
    from arrears.testing import make_loan, make_product

    product = make_product(interest_accrual="actual_360")
    loan = make_loan(product=product, principal="10000.00", method="bullet", term_months=6)
    [row] = Installment.objects.filter(loan=loan)
    assert row.interest_due_fen == 60_333  # 181 days / 360, as above
    # Changing the product later leaves the schedule made under the old setting alone.
    Product.objects.filter(pk=product.pk).update(interest_accrual="monthly")
    assert Installment.objects.get(pk=row.pk).interest_due_fen == 60_333
