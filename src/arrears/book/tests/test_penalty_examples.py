"""Hand-worked penalty and allocation examples, to the fen."""

import datetime as dt

from arrears.book import ledger

D = dt.date


def bullet(principal: int, due: dt.date) -> list[ledger.InstallmentIn]:
    return [ledger.InstallmentIn(1, 1, due, principal, 0)]


def test_bullet_penalty_matches_the_worked_example():
    # 10,000.00 due 2026-07-10 at 18%, nothing paid: 10,000 × 0.18 / 360 × 141 = 705.00
    result = ledger.replay(
        installments=bullet(1_000_000, D(2026, 7, 10)),
        payments=[],
        terms=ledger.Terms(penalty_rate_ppm=180_000),
        as_of=D(2026, 11, 28),
    )
    assert result.dpd(D(2026, 11, 28)) == 141
    assert result.installments[0].penalty_accrued == 70_500


def test_payment_on_a_day_reduces_the_base_from_the_next_day():
    # 10 days of penalty on 10,000.00 (50.00), then 5,050.00 paid on day 10 clears the
    # penalty and half the principal; 10 more days on 5,000.00 add 25.00.
    result = ledger.replay(
        installments=bullet(1_000_000, D(2026, 7, 10)),
        payments=[ledger.PaymentIn(1, "P1", D(2026, 7, 20), 505_000)],
        terms=ledger.Terms(penalty_rate_ppm=180_000),
        as_of=D(2026, 7, 30),
    )
    inst = result.installments[0]
    assert inst.penalty_paid == 5_000
    assert inst.principal_left == 500_000
    assert inst.penalty_left == 2_500


def test_overpayment_is_held_as_credit_and_spent_when_the_next_installment_falls_due():
    insts = [
        ledger.InstallmentIn(1, 1, D(2026, 2, 10), 10_000, 1_000),
        ledger.InstallmentIn(2, 2, D(2026, 3, 10), 10_000, 500),
    ]
    result = ledger.replay(
        installments=insts,
        payments=[ledger.PaymentIn(7, "P7", D(2026, 2, 10), 15_000)],
        terms=ledger.Terms(penalty_rate_ppm=180_000),
    )
    by_target = {(a.installment_key, a.component): a for a in result.allocations}
    assert by_target[(1, "interest")].amount == 1_000
    assert by_target[(1, "principal")].amount == 10_000
    assert by_target[(2, "interest")].amount == 500
    assert by_target[(2, "interest")].effective_on == D(2026, 3, 10)
    assert by_target[(2, "principal")].amount == 3_500
    assert result.credit_balance == 0
    assert sum(a.amount for a in result.allocations) == 15_000
