"""Hand-worked end-of-day examples, to the day and the fen."""

import datetime as dt
from decimal import Decimal

import pytest

from arrears.book.selectors import loan_position
from arrears.book.services import charge_add, payment_post
from arrears.eod.config import EodConfig
from arrears.eod.services import eod_compute
from arrears.testing import make_borrower, make_loan, make_product

D = dt.date
pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 28)


def figures(loan, as_of, config=None) -> dict:
    result = eod_compute(as_of=as_of, config=config)
    rows = result.loans.filter(result.loans["loan_id"] == loan.pk).to_dicts()
    assert len(rows) == 1
    return rows[0]


def bullet(**kw):
    """10,000.00 at 12% for six months from 2026-01-10: one installment due 2026-07-10."""
    kw.setdefault("method", "bullet")
    kw.setdefault("term_months", 6)
    kw.setdefault("disbursed_on", D(2026, 1, 10))
    return make_loan(**kw)


def post(loan, paid_on, amount_fen, ref):
    payment_post(
        loan=loan, external_id=ref, paid_on=paid_on, amount_fen=amount_fen, source="import"
    )


def test_the_issue_example_bullet_due_2026_07_10_as_of_2026_11_28():
    loan = bullet()
    f = figures(loan, TODAY)
    # 10,000 × 0.18 / 360 × 141 = 705.00
    assert f["dpd"] == 141
    assert f["bucket"] == "M5"
    assert f["classification"] == "substandard"
    assert f["penalty"] == 70_500
    assert f["overdue_principal"] == 1_000_000
    assert f["overdue_interest"] == 60_000  # 10,000 × 12% × 6/12
    assert f["outstanding_principal"] == 1_000_000
    assert f["total_due"] == 1_000_000 + 60_000 + 70_500
    assert f["limitation_deadline"] == D(2029, 7, 10)
    assert f["time_barred"] is False


@pytest.mark.parametrize(
    ("as_of", "dpd", "bucket", "classification", "overdue_principal"),
    [
        (D(2026, 7, 9), 0, "M0", "normal", 0),
        (D(2026, 7, 10), 0, "M0", "normal", 0),  # 0 on the due date itself
        (D(2026, 7, 11), 1, "M1", "special_mention", 1_000_000),
        (D(2026, 8, 9), 30, "M1", "special_mention", 1_000_000),
        (D(2026, 8, 10), 31, "M2", "special_mention", 1_000_000),
        (D(2026, 10, 8), 90, "M3", "special_mention", 1_000_000),
        (D(2026, 10, 9), 91, "M4", "substandard", 1_000_000),
        (D(2027, 4, 6), 270, "M7+", "substandard", 1_000_000),
        (D(2027, 4, 7), 271, "M7+", "doubtful", 1_000_000),
        (D(2027, 7, 5), 360, "M7+", "doubtful", 1_000_000),
        (D(2027, 7, 6), 361, "M7+", "loss", 1_000_000),
    ],
)
def test_bucket_and_class_boundaries(as_of, dpd, bucket, classification, overdue_principal):
    loan = bullet()
    f = figures(loan, as_of)
    assert (f["dpd"], f["bucket"], f["classification"]) == (dpd, bucket, classification)
    assert f["overdue_principal"] == overdue_principal


def test_bands_and_thresholds_are_configurable():
    loan = bullet()
    config = EodConfig(
        buckets=(("C", 0), ("X", 15), ("Y", None)),
        substandard_dpd=10,
        doubtful_dpd=20,
        loss_dpd=30,
    )
    f = figures(loan, D(2026, 7, 26), config)  # 16 DPD
    assert (f["bucket"], f["classification"]) == ("Y", "substandard")


def two_installments():
    # equal_principal 2,000.00 at 12% over two months from 2026-01-10:
    # 2026-02-10 principal 1,000.00 interest 20.00; 2026-03-10 principal 1,000.00 interest 10.00
    loan = make_loan(principal="2000.00", method="equal_principal", term_months=2)
    insts = list(loan.installments.order_by("number"))
    assert [(i.due_on, i.principal_due_fen, i.interest_due_fen) for i in insts] == [
        (D(2026, 2, 10), 100_000, 2_000),
        (D(2026, 3, 10), 100_000, 1_000),
    ]
    return loan


def test_partial_payments_across_due_dates():
    loan = two_installments()
    # 2026-02-20, 500.00: penalty 10 days × 0.50 = 5.00, interest 20.00, principal 475.00.
    post(loan, D(2026, 2, 20), 50_000, "P1")
    f = figures(loan, D(2026, 3, 1))
    # Installment 1: 525.00 left. Penalty 5.00 + 9 days × 0.2625 = 7.3625 → 7.36 accrued
    # (half-up on the exact sum), 5.00 paid: 2.36 left.
    assert f["dpd"] == 19
    assert f["overdue_principal"] == 52_500
    assert f["overdue_interest"] == 0
    assert f["penalty"] == 236
    assert loan_position(loan, D(2026, 3, 1)).penalty == 236
    assert f["outstanding_principal"] == 152_500

    # 2026-03-15, 600.00: penalty 6.04 (inst 1, 23 more days on 525.00, 11.0375 → 11.04
    # accrued) and 2.50 (inst 2, 5 days on 1,000.00), interest 10.00, principal 525.00 to
    # inst 1 and 56.46 to inst 2.
    post(loan, D(2026, 3, 15), 60_000, "P2")
    f = figures(loan, D(2026, 3, 31))
    # Inst 1 is settled, so DPD runs from inst 2 (2026-03-10). Inst 2 penalty: 5 days on
    # 1,000.00 + 16 days on 943.54 = 10.04832 → 10.05 accrued, 2.50 paid: 7.55 left.
    assert f["dpd"] == 21
    assert f["bucket"] == "M1"
    assert f["overdue_principal"] == 94_354
    assert f["overdue_interest"] == 0
    assert f["penalty"] == 755
    assert f["total_due"] == 94_354 + 755
    assert f["outstanding_principal"] == 94_354


def test_a_back_dated_payment_replays_the_later_ones():
    loan = two_installments()
    post(loan, D(2026, 2, 20), 50_000, "P1")
    post(loan, D(2026, 3, 15), 60_000, "P2")
    # Posted last but dated first: 100.00 on 2026-02-15 pays 2.50 penalty, 20.00 interest
    # and 77.50 principal; as of 2026-02-16 one more day on 922.50 (0.46125): 0.46 left.
    post(loan, D(2026, 2, 15), 10_000, "P0")
    f = figures(loan, D(2026, 2, 16))
    assert f["dpd"] == 6
    assert f["overdue_principal"] == 92_250
    assert f["overdue_interest"] == 0
    assert f["penalty"] == 46
    for day in (D(2026, 2, 16), D(2026, 2, 20), D(2026, 3, 10), D(2026, 3, 31), TODAY):
        pos = loan_position(loan, day)
        f = figures(loan, day)
        assert (f["dpd"], f["overdue_principal"], f["penalty"], f["outstanding_principal"]) == (
            pos.dpd,
            pos.overdue_principal,
            pos.penalty,
            pos.outstanding_principal,
        )


def test_the_rate_cap_limits_the_penalty_rate():
    product = make_product(rate_cap=Decimal("0.24"))
    loan = bullet(product=product, penalty_rate="0.36")
    # 10 days at the 24% cap, not 36%. A cap is annual: a day's penalty is at most 24% / 365
    # of the base whatever the day count, 10,000 × 0.24 / 365 × 10 = 65.753… → 65.75 (issue
    # 11: this used to expect 24% / 360 a day, 66.67, which over a year is 24.33%).
    assert figures(loan, D(2026, 7, 20))["penalty"] == 6_575


@pytest.mark.parametrize(
    ("as_of", "fees"),
    [
        (D(2026, 7, 10), 0),  # due date: nothing overdue, contract rate = cap, no room
        # 10,000 × (0.24 / 365 − 0.18 / 360) = 1.5753… a day (issue 11: the cap is annual;
        # these used to be 10,000 × (0.24 − 0.18) / 360 a day, 50.00 / 75.00 / 100.00)
        (D(2026, 8, 9), 4_726),  # 30 days: 47.26
        (D(2026, 8, 24), 7_089),  # 45 days: 70.89
        (D(2026, 9, 8), 9_452),  # 60 days: 94.52
        (D(2026, 9, 12), 10_000),  # 64 days: the whole 100.00
        (TODAY, 10_000),
    ],
)
def test_the_rate_cap_holds_fees_back_until_the_days_give_room(as_of, fees):
    product = make_product(rate_cap=Decimal("0.24"))
    loan = bullet(product=product, annual_rate="0.24", penalty_rate="0.18")
    charge_add(loan=loan, kind="failed_deduction", amount_fen=10_000, charged_on=D(2026, 7, 10))
    f = figures(loan, as_of)
    assert f["fees"] == fees
    assert f["fees"] == loan_position(loan, as_of).fees
    assert f["total_due"] == f["overdue_principal"] + f["overdue_interest"] + f["penalty"] + fees


def test_without_a_cap_the_whole_fee_is_owed_at_once():
    # A bank loan: no legal cap either (a microloan is capped at 24% by law).
    product = make_product(rate_cap=None, product_type="bank")
    loan = bullet(product=product, annual_rate="0.24", penalty_rate="0.18")
    charge_add(loan=loan, kind="failed_deduction", amount_fen=10_000, charged_on=D(2026, 7, 10))
    assert figures(loan, D(2026, 7, 10))["fees"] == 10_000


def test_grace_days_365_day_year_and_compound_base():
    product = make_product(grace_days=3, day_count=365, penalty_base="principal_interest")
    loan = bullet(product=product)
    # Days 2026-07-14 … 2026-07-20 (7 days) on 10,600.00 at 18% / 365 = 36.5918… → 36.59
    f = figures(loan, D(2026, 7, 20))
    assert f["penalty"] == 3_659
    assert f["dpd"] == 10  # grace delays penalty, not DPD
    assert f["penalty"] == loan_position(loan, D(2026, 7, 20)).penalty


def test_fees_count_from_the_day_they_are_charged():
    loan = bullet()
    charge_add(loan=loan, kind="failed_deduction", amount_fen=2_000, charged_on=D(2026, 7, 11))
    assert figures(loan, D(2026, 7, 10))["fees"] == 0
    f = figures(loan, D(2026, 7, 11))
    assert f["fees"] == 2_000
    assert f["total_due"] == 1_000_000 + 60_000 + 500 + 2_000


def test_arrears_tolerance_ignores_small_remainders():
    product = make_product(arrears_tolerance_fen=1_000)
    loan = bullet(product=product)
    post(loan, D(2026, 7, 10), 1_060_000 - 900, "P1")  # 9.00 left unpaid
    f = figures(loan, D(2026, 8, 1))
    assert f["dpd"] == 0
    assert f["overdue_principal"] == 900


def test_a_payment_restarts_the_limitation_period():
    loan = bullet()
    assert figures(loan, D(2026, 8, 31))["limitation_deadline"] == D(2029, 7, 10)
    post(loan, D(2026, 9, 1), 10_000, "P1")
    # Before the payment date the payment does not count yet.
    assert figures(loan, D(2026, 8, 31))["limitation_deadline"] == D(2029, 7, 10)
    # 2026-09-01 + 3 years = 2029-09-01, a Saturday: the period ends on Monday 2029-09-03
    # (Civil Code art. 203).
    f = figures(loan, D(2029, 9, 3))
    assert (f["limitation_deadline"], f["time_barred"]) == (D(2029, 9, 3), False)
    f = figures(loan, D(2029, 9, 4))
    assert (f["limitation_deadline"], f["time_barred"]) == (D(2029, 9, 3), True)


def test_a_payment_before_the_last_due_date_does_not_move_the_anchor():
    loan = make_loan(method="annuity", term_months=3, disbursed_on=D(2026, 1, 10))
    post(loan, D(2026, 2, 10), 1_000, "P1")
    assert figures(loan, TODAY)["limitation_deadline"] == D(2029, 4, 10)


def test_a_leap_day_anchor_ends_on_28_february():
    loan = make_loan(method="bullet", term_months=3, disbursed_on=D(2023, 11, 29))
    assert loan.installments.get().due_on == D(2024, 2, 29)
    # 29 Feb 2024 + 3 years = 28 Feb 2027 (art. 202), a Sunday: the period ends on Monday
    # 1 March (art. 203), barred from 2 March.
    f = figures(loan, D(2027, 3, 1))
    assert (f["limitation_deadline"], f["time_barred"]) == (D(2027, 3, 1), False)
    f = figures(loan, D(2027, 3, 2))
    assert (f["limitation_deadline"], f["time_barred"]) == (D(2027, 3, 1), True)


def test_a_borrower_with_over_ten_percent_non_performing_is_non_performing_throughout():
    borrower = make_borrower()
    bad = bullet(borrower=borrower)  # 10,600.00 exposure, 141 DPD
    good = make_loan(borrower=borrower, principal="50000.00", disbursed_on=D(2026, 11, 1))
    assert figures(good, TODAY)["classification"] == "substandard"
    assert figures(bad, TODAY)["classification"] == "substandard"
    off = EodConfig(borrower_np_share_bp=None)
    assert figures(good, TODAY, off)["classification"] == "normal"


def test_ten_percent_or_less_non_performing_leaves_the_other_loans_alone():
    borrower = make_borrower()
    bullet(borrower=borrower)  # 10,600.00 of 110,600.00 is 9.6%
    good = make_loan(borrower=borrower, principal="100000.00", disbursed_on=D(2026, 11, 1))
    assert figures(good, TODAY)["classification"] == "normal"


def test_the_pre_due_list_holds_installments_due_in_the_next_three_days():
    soon = make_loan(method="annuity", term_months=12, disbursed_on=D(2026, 10, 30))
    make_loan(method="annuity", term_months=12, disbursed_on=D(2026, 11, 2))
    result = eod_compute(as_of=TODAY)
    rows = result.pre_due.to_dicts()
    assert [(r["loan_id"], r["number"], r["due_on"]) for r in rows] == [
        (soon.pk, 1, D(2026, 11, 30))
    ]
    inst = soon.installments.get(number=1)
    assert rows[0]["amount_due"] == inst.principal_due_fen + inst.interest_due_fen


def test_a_loan_with_nothing_left_is_never_time_barred():
    loan = bullet()
    post(loan, D(2026, 7, 10), 1_060_000, "P1")
    f = figures(loan, D(2030, 1, 1))
    assert (f["limitation_deadline"], f["time_barred"]) == (D(2029, 7, 10), False)
