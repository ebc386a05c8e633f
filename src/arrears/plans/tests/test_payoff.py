"""A settlement's discount is measured against the payoff quote (issue 11), not against all
the future interest of the schedule, so the right person approves it.

The loan: 10,000.00 annuity (等额本息) at 12% over 12 months from 2026-01-10, penalty 18%,
nothing paid. Its schedule, as a bank prints it (interest on the remaining principal):

    1  2026-02-10  788.49 + 100.00     3  2026-04-10  804.34 + 84.15
    2  2026-03-10  796.37 +  92.12     4  2026-05-10  812.38 + 76.11   … 661.86 interest in all

As of 2026-04-20:
- overdue: 3 × 888.49 = 2,665.47, and penalty at 18% / 360 a day on each principal:
  788.49 × 69 days = 27.20, 796.37 × 41 = 16.33, 804.34 × 10 = 4.02: 47.55 → 2,713.02;
- principal not yet due: 10,000.00 − 2,389.20 = 7,610.80;
- interest accrued on the running period (04-10 → 05-10, 30 days), 10 days of 76.11: 25.37;
- payoff 2,713.02 + 7,610.80 + 25.37 = 10,349.19.
The old "full amount" (all principal, all 661.86 of interest, penalty) was 10,709.41.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arrears.book.models import Product
from arrears.book.selectors import payoff_quote
from arrears.plans.services import Spread, plan_propose
from arrears.plans.tests.conftest import open_case
from arrears.testing import make_borrower, make_loan, make_product

pytestmark = pytest.mark.django_db
D = dt.date
ON = D(2026, 4, 20)


@pytest.fixture
def annuity(people):
    carl = people["carl"]
    return make_loan(
        external_id="L-PAYOFF",
        borrower=make_borrower(external_id="B-PAYOFF", name="王小二"),
        disbursed_on=D(2026, 1, 10),
        collector=carl,
        team=carl.team,
    )


def test_the_payoff_quote_to_the_fen(annuity):
    quote = payoff_quote(annuity, ON)
    assert (
        quote.overdue,
        quote.due_today,
        quote.principal_not_due,
        quote.interest_accrued,
        quote.early_repayment_fee,
        quote.credit,
        quote.total,
    ) == (271_302, 0, 761_080, 2_537, 0, 0, 1_034_919)


def test_on_a_due_date_the_installment_is_owed_whole_and_nothing_has_accrued(annuity):
    quote = payoff_quote(annuity, D(2026, 4, 10))
    # Installment 3 falls due that day: 888.49 owed, not yet overdue; the next period has
    # not begun. Penalty on 1 and 2: 788.49 × 59 days = 23.26, 796.37 × 31 = 12.34.
    assert (quote.overdue, quote.due_today, quote.interest_accrued) == (
        2 * 88_849 + 2_326 + 1_234,
        88_849,
        0,
    )
    assert quote.total == 2 * 88_849 + 2_326 + 1_234 + 88_849 + 761_080


def test_the_early_repayment_fee_is_on_the_principal_repaid_early(people):
    product = make_product(early_repayment_fee_rate=Decimal("0.02"))
    loan = make_loan(product=product, disbursed_on=D(2026, 1, 10))
    quote = payoff_quote(loan, D(2026, 1, 20))
    # Nothing due yet: 10,000.00 principal and 10 of 31 days of 100.00 interest (32.26).
    # The fee, 2% of 10,000.00 = 200.00, is a fee under the 24% all-in cap: the room the
    # cap leaves after 10 days at 12% is 10,000 × (0.24 − 0.12) × 10 / 365 = 32.88.
    assert (quote.principal_not_due, quote.interest_accrued) == (1_000_000, 3_226)
    assert quote.early_repayment_fee == 3_288
    bank = make_product(product_type=Product.ProductType.BANK, rate_cap=None)
    bank.early_repayment_fee_rate = Decimal("0.02")
    bank.save()
    uncapped = make_loan(product=bank, disbursed_on=D(2026, 1, 10))
    assert payoff_quote(uncapped, D(2026, 1, 20)).early_repayment_fee == 20_000


def test_a_prepaid_loan_pays_off_with_its_credit(annuity):
    from arrears.book.services import payment_post

    payment_post(loan=annuity, external_id="PRE", paid_on=D(2026, 1, 20), amount_fen=300_000)
    quote = payoff_quote(annuity, D(2026, 1, 20))
    # 10,000.00 + 10 / 31 of 100.00 (32.26) − 3,000.00 held as credit.
    assert (quote.credit, quote.total) == (300_000, 1_000_000 + 3_226 - 300_000)


def test_a_settlement_discount_is_against_the_payoff_and_a_team_lead_approves_it(people, annuity):
    case = open_case(annuity, opened_on=D(2026, 2, 11))
    plan = plan_propose(
        case=case,
        kind="settlement",
        agreed_total_fen=940_000,
        installments=Spread(1, D(2026, 4, 30)),
        actor=people["carl"],
        today=ON,
    )
    # 10,349.19 − 9,400.00 = 949.19, 9.17%: within a team lead's 10%. Against the old
    # 10,709.41 it would have been 12.23% and gone to a manager.
    assert (plan.full_due_fen, plan.discount_fen, plan.discount_bp) == (1_034_919, 94_919, 917)
    assert plan.awaiting_role == "team_lead"
