"""The generator's allocations and balances are exactly what loans_replay stores."""

from collections import Counter

import pytest

from arrears.book.models import Allocation, Charge, Installment, Loan
from arrears.book.services import loans_replay

pytestmark = pytest.mark.django_db


def _state():
    # A multiset: allocation ids and row order are not part of the ledger's answer.
    allocations = Counter(
        Allocation.objects.values_list(
            "payment_id",
            "loan_id",
            "installment_id",
            "charge_id",
            "component",
            "amount_fen",
            "effective_on",
        )
    )
    installments = list(
        Installment.objects.order_by("id").values_list(
            "id", "principal_paid_fen", "interest_paid_fen", "penalty_paid_fen"
        )
    )
    charges = list(Charge.objects.order_by("id").values_list("id", "paid_fen"))
    loans = list(Loan.objects.order_by("id").values_list("id", "credit_balance_fen", "status"))
    return allocations, installments, charges, loans


def test_replaying_every_loan_changes_nothing(demo_book):
    before = _state()
    assert before[0] and before[2], "the sample should have allocations and charges"

    loans_replay(Loan.objects.values_list("id", flat=True))

    after = _state()
    assert after[0] == before[0]
    assert after[1] == before[1]
    assert after[2] == before[2]
    assert after[3] == before[3]


def test_every_payment_is_allocated_in_full(demo_book):
    from django.db.models import Sum

    from arrears.book.models import Payment

    allocated = dict(
        Allocation.objects.values("payment_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("payment_id", "total")
    )
    for pid, amount in Payment.objects.values_list("id", "amount_fen"):
        assert allocated.get(pid) == amount


def test_the_sample_has_credit_balances_and_paid_off_loans(demo_book):
    assert Loan.objects.filter(credit_balance_fen__gt=0).exists()
    assert Loan.objects.filter(status=Loan.Status.PAID_OFF).exists()
    assert Loan.objects.filter(status=Loan.Status.ACTIVE).exists()
