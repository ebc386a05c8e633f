"""Posting payments through the service: allocation, idempotence, back-dating, constraints."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from arrears.book.errors import BookError
from arrears.book.models import Allocation, Installment, Loan, Payment
from arrears.book.selectors import loan_position
from arrears.book.services import charge_add, payment_post
from arrears.core.models import AuditEntry
from arrears.testing import make_loan, make_product

D = dt.date
pytestmark = pytest.mark.django_db


def allocations(loan):
    return [
        (
            a.payment.external_id,
            a.component,
            a.installment.number if a.installment else None,
            a.amount_fen,
            a.effective_on,
        )
        for a in Allocation.objects.filter(loan=loan)
        .select_related("payment", "installment")
        .order_by("effective_on", "payment__external_id", "id")
    ]


def test_a_payment_pays_interest_then_principal_of_the_oldest_installment():
    loan = make_loan(
        principal="10000.00", annual_rate="0.12", method="annuity", disbursed_on=D(2026, 1, 10)
    )
    payment, created = payment_post(
        loan=loan,
        external_id="PAY-1",
        paid_on=D(2026, 2, 10),
        amount_fen=88_849,
        channel="bank_transfer",
    )
    assert created
    assert allocations(loan) == [
        ("PAY-1", "interest", 1, 10_000, D(2026, 2, 10)),
        ("PAY-1", "principal", 1, 78_849, D(2026, 2, 10)),
    ]
    first = Installment.objects.get(loan=loan, number=1)
    assert (first.principal_paid_fen, first.interest_paid_fen) == (78_849, 10_000)
    assert AuditEntry.objects.filter(event="payment.post", object_id="PAY-1").count() == 1


def test_posting_the_same_payment_twice_changes_nothing():
    loan = make_loan(disbursed_on=D(2026, 1, 10))
    payment_post(loan=loan, external_id="PAY-1", paid_on=D(2026, 2, 10), amount_fen=50_000)
    before = allocations(loan)
    payment, created = payment_post(
        loan=loan, external_id="PAY-1", paid_on=D(2026, 2, 10), amount_fen=50_000
    )
    assert not created
    assert Payment.objects.count() == 1
    assert allocations(loan) == before


def test_a_reused_payment_id_with_other_details_is_refused_naming_the_field():
    loan = make_loan(disbursed_on=D(2026, 1, 10))
    payment_post(loan=loan, external_id="PAY-1", paid_on=D(2026, 2, 10), amount_fen=50_000)
    with pytest.raises(BookError) as err:
        payment_post(loan=loan, external_id="PAY-1", paid_on=D(2026, 2, 10), amount_fen=60_000)
    assert err.value.field == "payment_id"
    assert "PAY-1" in err.value.message


@pytest.mark.parametrize(
    ("paid_on", "amount", "field"),
    [
        (D(2025, 12, 31), 100, "paid_on"),  # before disbursement
        (D(2099, 1, 1), 100, "paid_on"),  # in the future
        (D(2026, 2, 10), 0, "amount"),
        (D(2026, 2, 10), -5, "amount"),
    ],
)
def test_impossible_payments_are_refused_and_nothing_is_written(paid_on, amount, field):
    loan = make_loan(disbursed_on=D(2026, 1, 10))
    with pytest.raises(BookError) as err:
        payment_post(loan=loan, external_id="X", paid_on=paid_on, amount_fen=amount)
    assert err.value.field == field
    assert not Payment.objects.exists()


def test_a_back_dated_payment_replays_later_allocations():
    # Bullet 10,000.00 due 2026-07-10 at 18% penalty.
    loan = make_loan(
        principal="10000.00",
        annual_rate="0.12",
        penalty_rate="0.18",
        method="bullet",
        term_months=6,
        disbursed_on=D(2026, 1, 10),
    )
    # Interest due 600.00. First a payment on 2026-07-30 (20 days late).
    payment_post(loan=loan, external_id="B", paid_on=D(2026, 7, 30), amount_fen=100_000)
    # Penalty for 20 days: 10,000 × 0.18/360 × 20 = 100.00, then 600.00 interest,
    # then 300.00 principal.
    assert allocations(loan) == [
        ("B", "penalty", 1, 10_000, D(2026, 7, 30)),
        ("B", "interest", 1, 60_000, D(2026, 7, 30)),
        ("B", "principal", 1, 30_000, D(2026, 7, 30)),
    ]
    # Then a payment dated earlier arrives: 2026-07-20 (10 days late), 5,000.00.
    payment_post(loan=loan, external_id="A", paid_on=D(2026, 7, 20), amount_fen=500_000)
    # A: 50.00 penalty, 600.00 interest, 4,350.00 principal → base 5,650.00 from 07-21.
    # B: penalty 10 days on 5,650.00 = 28.25, then 971.75 principal.
    assert allocations(loan) == [
        ("A", "penalty", 1, 5_000, D(2026, 7, 20)),
        ("A", "interest", 1, 60_000, D(2026, 7, 20)),
        ("A", "principal", 1, 435_000, D(2026, 7, 20)),
        ("B", "penalty", 1, 2_825, D(2026, 7, 30)),
        ("B", "principal", 1, 97_175, D(2026, 7, 30)),
    ]
    pos = loan_position(Loan.objects.get(pk=loan.pk), as_of=D(2026, 7, 30))
    assert pos.outstanding_principal == 1_000_000 - 435_000 - 97_175
    assert pos.penalty == 0
    assert pos.dpd == 20


def test_overpayment_becomes_credit_and_pays_off_marks_the_loan():
    loan = make_loan(
        principal="1000.00",
        annual_rate="0.12",
        method="bullet",
        term_months=1,
        disbursed_on=D(2026, 1, 10),
    )
    payment_post(loan=loan, external_id="P", paid_on=D(2026, 2, 10), amount_fen=101_500)
    loan.refresh_from_db()
    assert loan.credit_balance_fen == 500  # 1,000.00 + 10.00 interest owed, 1,015.00 paid
    assert loan.status == Loan.Status.PAID_OFF


def test_a_failed_deduction_fee_is_paid_before_penalty_interest_and_principal():
    # A product without an all-in cap (a bank loan: no legal cap either): the whole fee is
    # owed at once (capped: test_fee_cap, test_legal_cap).
    loan = make_loan(
        product=make_product(name="no cap", rate_cap=None, product_type="bank"),
        principal="1000.00",
        annual_rate="0.12",
        method="bullet",
        term_months=1,
        disbursed_on=D(2026, 1, 10),
    )
    charge_add(loan=loan, kind="failed_deduction", amount_fen=2_000, charged_on=D(2026, 2, 10))
    payment_post(loan=loan, external_id="P", paid_on=D(2026, 2, 10), amount_fen=3_000)
    assert allocations(loan) == [
        ("P", "fee", None, 2_000, D(2026, 2, 10)),
        ("P", "interest", 1, 1_000, D(2026, 2, 10)),
    ]


def test_the_database_refuses_negative_amounts():
    loan = make_loan()
    with pytest.raises(IntegrityError), transaction.atomic():
        Installment.objects.filter(loan=loan, number=1).update(principal_paid_fen=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.filter(pk=loan.pk).update(credit_balance_fen=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(external_id="N", loan=loan, paid_on=D(2026, 2, 1), amount_fen=-100)


def test_posting_order_does_not_change_the_outcome():
    pays = [("A", D(2026, 3, 12), 30_000), ("B", D(2026, 2, 20), 95_000), ("C", D(2026, 5, 1), 7)]
    loan1 = make_loan(principal="10000.00", disbursed_on=D(2026, 1, 10))
    loan2 = make_loan(principal="10000.00", disbursed_on=D(2026, 1, 10))
    for ext, day, amount in pays:
        payment_post(loan=loan1, external_id=f"1{ext}", paid_on=day, amount_fen=amount)
    for ext, day, amount in reversed(pays):
        payment_post(loan=loan2, external_id=f"2{ext}", paid_on=day, amount_fen=amount)
    strip = [(p[1:], c, n, a, e) for p, c, n, a, e in allocations(loan1)]
    assert strip == [(p[1:], c, n, a, e) for p, c, n, a, e in allocations(loan2)]
