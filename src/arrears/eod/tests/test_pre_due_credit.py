"""The pre-due list (loans falling due soon) is net of the credit each loan holds (issue 11)."""

import datetime as dt

import pytest

from arrears.book.services import payment_post
from arrears.eod.models import PreDue
from arrears.eod.selectors import pre_due_list
from arrears.eod.services import eod_run
from arrears.testing import make_loan

pytestmark = pytest.mark.django_db
D = dt.date

# 10,000.00 annuity at 12% over 12 months from 2026-01-10: 888.49 a month, due on the 10th.


def _due(as_of):
    return {
        (r.loan.external_id, r.installment_number): r.amount_due_fen
        for r in pre_due_list(as_of=as_of).select_related("loan")
    }


@pytest.mark.parametrize("incremental", [False, True])
def test_a_prepaid_installment_is_not_falling_due_and_a_part_is_net(incremental):
    full = make_loan(external_id="PREPAID")
    part = make_loan(external_id="PART")
    plain = make_loan(external_id="PLAIN")
    payment_post(loan=full, external_id="F1", paid_on=D(2026, 1, 20), amount_fen=88_849)
    payment_post(loan=part, external_id="P1", paid_on=D(2026, 1, 20), amount_fen=50_000)
    if incremental:
        eod_run(as_of=D(2026, 2, 6))
    eod_run(as_of=D(2026, 2, 7))  # installment 1 due 2026-02-10, within 3 days
    assert _due(D(2026, 2, 7)) == {
        # PREPAID: 888.49 held as credit covers it all — not listed.
        ("PART", 1): 88_849 - 50_000,  # 388.49 left to pay
        ("PLAIN", 1): 88_849,
    }
    assert not PreDue.objects.filter(loan=full).exists()
    assert plain


def test_credit_covers_the_installments_oldest_first():
    loan = make_loan(external_id="TWO", term_months=2)  # 5,030.00-ish each, due 02-10, 03-10
    from arrears.book.models import Installment

    first, second = Installment.objects.filter(loan=loan).order_by("number")
    total1 = first.principal_due_fen + first.interest_due_fen
    payment_post(loan=loan, external_id="T1", paid_on=D(2026, 1, 20), amount_fen=total1 + 1_000)
    eod_run(as_of=D(2026, 3, 8))  # installment 2 due 03-10: 10.00 of credit left for it
    total2 = second.principal_due_fen + second.interest_due_fen
    assert _due(D(2026, 3, 8)) == {("TWO", 2): total2 - 1_000}
