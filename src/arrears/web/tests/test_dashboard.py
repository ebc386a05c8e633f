"""The overview's figures, to the fen, for the user's scope."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.book.services import payment_post
from arrears.web.selectors import dashboard

pytestmark = pytest.mark.django_db

# LA1 (carl's): 10,000.00 annuity at 12% over 12 months from 2026-01-10. Installment 1 is
# 788.49 principal + 100.00 interest (due 2026-02-10), installment 2 796.37 + 92.12 (2026-03-10).


def test_overdue_principal_counts_installments_due_before_today(people, book):
    figures = dashboard(user=people["carl"], today=dt.date(2026, 3, 11))
    assert (figures.loans, figures.active_loans, figures.overdue_loans) == (1, 1, 1)
    assert figures.principal == 1_000_000
    assert figures.outstanding == 1_000_000
    assert figures.overdue_principal == 78_849 + 79_637


def test_a_payment_reduces_outstanding_and_overdue_principal(people, book):
    payment_post(
        loan=book["carl_loan"], external_id="D1", paid_on=dt.date(2026, 2, 10), amount_fen=88_849
    )
    figures = dashboard(user=people["carl"], today=dt.date(2026, 3, 11))
    assert figures.outstanding == 1_000_000 - 78_849
    assert figures.overdue_principal == 79_637
    assert figures.overdue_loans == 1

    on_time = dashboard(user=people["carl"], today=dt.date(2026, 3, 10))
    assert on_time.overdue_loans == 0  # due today is not overdue yet
    assert on_time.overdue_principal == 0


def test_figures_by_county_add_up_to_the_totals(people, book):
    figures = dashboard(user=people["mia"], today=dt.date(2026, 3, 11))
    assert [c.county for c in figures.counties] == sorted(c.county for c in figures.counties)
    assert sum(c.loans for c in figures.counties) == figures.loans == 6
    assert sum(c.outstanding for c in figures.counties) == figures.outstanding
    assert sum(c.overdue_loans for c in figures.counties) == figures.overdue_loans == 6
    by_county = {c.county: c.loans for c in figures.counties}
    assert by_county == {"剑阁县": 2, "苍溪县": 2, "青川县": 2}


def _prepaid(people):
    # 3,000.00 bullet at 12% for 12 months from 2026-01-10 (due 2027-01-10 with 360.00
    # interest), paid 3,400.00 on 2026-02-01: more than it will ever owe. Until its due date
    # nothing is paid *on* it — the money is held as credit (book.ledger) — so its principal
    # outstanding is 3,000.00 and its credit 3,400.00, as the end-of-day engine says.
    from arrears.testing import make_loan

    loan = make_loan(
        external_id="PREPAID",
        principal="3000.00",
        method="bullet",
        collector=people["carl"],
        team=people["carl"].team,
    )
    payment_post(loan=loan, external_id="PRE-1", paid_on=dt.date(2026, 2, 1), amount_fen=340_000)
    return loan


def test_a_prepaid_loan_counts_its_principal_as_the_end_of_day_run_does(people, book):
    from arrears.eod.models import LoanSnapshot
    from arrears.eod.services import eod_run

    loan = _prepaid(people)
    today = dt.date(2026, 11, 28)
    figures = dashboard(user=people["carl"], today=today)
    # carl's LA1 (10,000.00, nothing paid; 10 installments overdue) and the prepaid loan.
    assert figures.outstanding == 1_000_000 + 300_000  # not 1,000,000 + 0.00
    assert figures.overdue_loans == 1  # the prepaid loan is not overdue
    eod_run(as_of=today)
    snapshot = LoanSnapshot.objects.get(as_of=today, loan=loan)
    assert snapshot.outstanding_principal_fen == 300_000
    assert figures.outstanding == sum(
        LoanSnapshot.objects.filter(as_of=today, loan__collector=people["carl"]).values_list(
            "outstanding_principal_fen", flat=True
        )
    )
    # After its due date the credit has paid it: nothing outstanding, 40.00 credit left.
    after = dashboard(user=people["carl"], today=dt.date(2027, 1, 10))
    assert after.outstanding == 1_000_000


def test_outstanding_and_overdue_agree_with_the_end_of_day_run_after_a_part_payment(people, book):
    from arrears.eod.models import LoanSnapshot
    from arrears.eod.services import eod_run

    today = dt.date(2026, 11, 28)
    payment_post(
        loan=book["carl_loan"], external_id="PART", paid_on=dt.date(2026, 3, 1), amount_fen=50_000
    )
    figures = dashboard(user=people["carl"], today=today)
    eod_run(as_of=today)
    rows = LoanSnapshot.objects.filter(as_of=today, loan__collector=people["carl"])
    assert figures.overdue_principal == sum(r.overdue_principal_fen for r in rows)
    assert figures.outstanding == sum(r.outstanding_principal_fen for r in rows)
    # 500.00 on installment 1 (due 2026-02-10: 788.49 + 100.00; by 03-01 19 days of
    # penalty, 788.49 × 18% / 360 × 19 = 7.49): penalty, interest, then 392.51 of principal.
    assert figures.outstanding == 1_000_000 - 39_251
