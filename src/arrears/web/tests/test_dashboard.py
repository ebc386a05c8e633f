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
