"""Every path that changes what the ledger or the engine reads marks the loan changed.

Incremental end-of-day runs recompute loans with `Loan.ledger_changed_at` after the previous
run (docs/eod.md); a writer that forgets the mark leaves a stale row until the loan's next
due date. One test per writer: the service, the three imports and the demo generator.
"""

import datetime as dt

import pytest
from django.utils import timezone

from arrears.book.models import Loan
from arrears.book.services import charge_add, loans_touch, payment_post
from arrears.ingest.services import import_loans, import_payments, import_schedule
from arrears.ingest.tests.files import (
    LOAN_HEADERS,
    PAYMENT_HEADERS,
    SCHEDULE_HEADERS,
    loan_row,
    write_csv,
)
from arrears.testing import make_loan

D = dt.date
pytestmark = pytest.mark.django_db


def unmarked(*loans):
    Loan.objects.filter(pk__in=[loan.pk for loan in loans]).update(ledger_changed_at=None)
    return timezone.now()


def marked_since(loan, since) -> bool:
    loan.refresh_from_db()
    return loan.ledger_changed_at is not None and loan.ledger_changed_at >= since


def test_a_new_loan_is_marked():
    before = timezone.now()
    assert marked_since(make_loan(), before)


def test_posting_a_payment_or_a_charge_marks_only_that_loan():
    loan, other = make_loan(), make_loan()
    since = unmarked(loan, other)
    payment_post(loan=loan, external_id="CT1", paid_on=D(2026, 2, 10), amount_fen=100)
    assert marked_since(loan, since) and not marked_since(other, since)
    since = unmarked(loan)
    charge_add(loan=loan, kind="failed_deduction", amount_fen=2_000, charged_on=D(2026, 2, 11))
    assert marked_since(loan, since) and not marked_since(other, since)


def test_loans_touch_marks_in_bulk():
    loans = [make_loan() for _ in range(3)]
    since = unmarked(*loans)
    loans_touch([loans[0].pk, loans[2].pk])
    assert [marked_since(loan, since) for loan in loans] == [True, False, True]


def test_imports_mark_new_loans_paid_loans_and_rescheduled_loans(tmp_path):
    before = timezone.now()
    path = write_csv(tmp_path / "loans.csv", LOAN_HEADERS, [loan_row(1), loan_row(2)])
    assert import_loans(path=path).written
    first, second = Loan.objects.get(external_id="L0001"), Loan.objects.get(external_id="L0002")
    assert marked_since(first, before) and marked_since(second, before)

    since = unmarked(first, second)
    pays = write_csv(
        tmp_path / "p.csv",
        PAYMENT_HEADERS,
        [{"payment_id": "CTP1", "loan_id": "L0001", "paid_on": "2026-02-10", "amount": "100"}],
    )
    assert import_payments(path=pays).written
    assert marked_since(first, since) and not marked_since(second, since)

    since = unmarked(first, second)
    schedule = write_csv(
        tmp_path / "s.csv",
        SCHEDULE_HEADERS,
        [
            {
                "loan_id": "L0002",
                "installment_no": 1,
                "due_on": "2026-02-10",
                "principal_due": "12000",
                "interest_due": "0",
            }
        ],
    )
    assert import_schedule(path=schedule).written
    assert marked_since(second, since) and not marked_since(first, since)


def test_the_demo_generator_marks_its_loans():
    from arrears.demo.generator import demo_generate

    before = timezone.now()
    demo_generate(loans=20, seed=3, as_of=D(2026, 11, 28), chunk_size=10)
    assert Loan.objects.count() == 20
    assert not Loan.objects.filter(ledger_changed_at__lt=before).exists()
    assert not Loan.objects.filter(ledger_changed_at__isnull=True).exists()
