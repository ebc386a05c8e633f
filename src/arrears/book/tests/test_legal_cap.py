"""The law's all-in cap reaches the ledger and the engine (issue 11), to the fen.

The cap a loan bears is the lower of its product's `rate_cap` and the law's for the product
type at the contract date (compliance.caps.legal_cap_periods: private lending 4 × the
one-year LPR, licensed microlenders 24%), and it binds interest, penalty and fees together.
A cap is an annual figure: a day's charges never exceed cap / 365 of the base, whatever day
count the contract uses, so no year's charges exceed the cap.
"""

import datetime as dt

import pytest

from arrears.book.models import Loan, Product
from arrears.book.selectors import loan_position
from arrears.book.services import charge_add
from arrears.book.terms import cap_on, legal_cap_periods, loan_terms
from arrears.eod.config import EodConfig
from arrears.eod.services import eod_compute
from arrears.testing import make_loan, make_product

pytestmark = pytest.mark.django_db
D = dt.date


def _eod_row(loan, as_of):
    result = eod_compute(as_of=as_of, config=EodConfig(borrower_np_share_bp=None))
    return {r["loan_id"]: r for r in result.loans.to_dicts()}[loan.pk]


def _fresh(loan):
    return Loan.objects.select_related("product").get(pk=loan.pk)


def test_the_law_caps_a_product_without_a_cap_of_its_own():
    # Private lending, no product cap. 1,000.00 disbursed 2025-06-01 for a month at 10%,
    # penalty 12%; the one-year LPR in force is 3.00%, so the cap is 4 × 3.00% = 12%.
    product = make_product(product_type=Product.ProductType.PRIVATE, rate_cap=None)
    loan = make_loan(
        product=product,
        principal="1000.00",
        annual_rate="0.10",
        penalty_rate="0.12",
        disbursed_on=D(2025, 6, 1),
        term_months=1,
        method="bullet",
    )
    charge_add(loan=loan, kind="failed_deduction", amount_fen=20_000, charged_on=D(2025, 7, 2))
    loan = _fresh(loan)
    assert loan_terms(loan).fee_cap_ppm == 120_000
    pos = loan_position(loan, D(2025, 7, 11))
    # The 30 current days of June leave (12% − 10%) of room: 1,000 × 0.02 × 30 / 365 = 1.64
    # (1.67 on a 360-day year, which is the excess a cap's year forbids). The penalty at
    # 12% uses the whole cap for the 10 overdue days, leaving none: of the 200.00 fee,
    # 1.64 is owed and 198.36 held back.
    assert (pos.fees, pos.result.fees_held) == (164, 19_836)
    # Penalty: 1,000 × 12% / 360 a day would be 3.33 over 10 days; the cap's 12% / 365 a
    # day gives 1,000 × 0.12 × 10 / 365 = 3.29.
    assert pos.penalty == 329
    row = _eod_row(loan, D(2025, 7, 11))
    assert (row["fees"], row["penalty"]) == (164, 329)
    assert row["total_due"] == pos.total_due == 100_000 + 833 + 329 + 164


def test_a_microloan_is_capped_at_24_percent_all_in_without_a_product_cap():
    product = make_product(product_type=Product.ProductType.MICROLOAN, rate_cap=None)
    loan = make_loan(
        product=product,
        principal="10000.00",
        annual_rate="0.24",
        penalty_rate="0.36",
        disbursed_on=D(2026, 1, 10),
        term_months=1,
        method="bullet",
    )
    loan = _fresh(loan)
    # 30 days overdue: 10,000 × 0.24 × 30 / 365 = 197.26, not 36% / 360 (300.00).
    assert loan_position(loan, D(2026, 3, 12)).penalty == 19_726
    assert _eod_row(loan, D(2026, 3, 12))["penalty"] == 19_726


def test_the_product_cap_binds_when_it_is_lower_than_the_law():
    product = make_product(product_type=Product.ProductType.MICROLOAN, rate_cap="0.18")
    loan = _fresh(make_loan(product=product, annual_rate="0.12", penalty_rate="0.18"))
    assert loan_terms(loan).fee_cap_ppm == 180_000


def test_a_bank_loan_has_no_legal_cap():
    product = make_product(product_type=Product.ProductType.BANK, rate_cap=None)
    loan = _fresh(make_loan(product=product, annual_rate="0.12", penalty_rate="0.36"))
    assert loan_terms(loan).fee_cap_ppm is None


@pytest.mark.parametrize(
    ("contract", "cap"),
    [
        (D(2024, 10, 20), 134_000),  # LPR 3.35% until the 21 October 2024 announcement
        (D(2024, 10, 21), 124_000),  # 4 × 3.10%
        (D(2025, 6, 1), 120_000),  # 4 × 3.00%
        # SPC private-lending provisions art. 31: a contract made before 2020-08-20 keeps the
        # old 24% only for interest up to 2020-08-19; from then on 4 × the LPR of a claim
        # filed now (the latest in the table, 3.00%) binds: the lower of the two.
        (D(2019, 6, 1), 120_000),
        (D(2020, 8, 19), 120_000),
        (D(2020, 8, 20), 154_000),  # 4 × 3.85%, the LPR in force on the contract date
    ],
)
def test_private_lending_cap_by_contract_date(contract, cap):
    product = make_product(product_type=Product.ProductType.PRIVATE, rate_cap=None)
    assert cap_on(legal_cap_periods([product]), product.pk, contract) == cap


# ------------------------------------------------------------------ a cap is an annual figure


def _year_loan(**kw):
    product = make_product(rate_cap="0.24", day_count=360, **kw)
    return make_loan(
        product=product,
        principal="10000.00",
        annual_rate="0.24",
        penalty_rate="0.24",
        disbursed_on=D(2026, 1, 10),
        term_months=1,
        method="bullet",
    )


@pytest.mark.parametrize(
    ("as_of", "penalty"),
    [
        # A full year overdue (2026-02-11 through 2027-02-10, 365 days): at 24% / 360 a day
        # it would be 10,000 × 0.24 × 365 / 360 = 2,433.33; the cap allows 2,400.00.
        (D(2027, 2, 10), 240_000),
        (D(2027, 2, 9), 239_342),  # 364 days: 2,400 × 364 / 365 = 2,393.42
        (D(2027, 2, 11), 240_658),  # the next year's first day: 2,406.58
    ],
)
def test_a_year_of_penalty_at_the_cap_is_the_cap(as_of, penalty):
    loan = _fresh(_year_loan())
    assert loan_position(loan, as_of).penalty == penalty
    assert _eod_row(loan, as_of)["penalty"] == penalty


def test_fees_get_no_room_from_a_penalty_at_the_cap_over_a_year():
    loan = _year_loan()
    charge_add(loan=loan, kind="failed_deduction", amount_fen=50_000, charged_on=D(2026, 2, 10))
    loan = _fresh(loan)
    pos = loan_position(loan, D(2027, 2, 10))
    # Contract rate at the cap, penalty at the cap: penalty 2,400.00 + fees 0.00 = 24%.
    assert (pos.penalty, pos.fees, pos.result.fees_held) == (240_000, 0, 50_000)
