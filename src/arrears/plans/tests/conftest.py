"""Fixtures of the plan tests: a matured, overdue loan of carl's (team A) with an open case.

The loan: 10,000.00 bullet at 12% disbursed 2026-01-10 over 6 months, so 10,600.00 fell due
on 2026-07-10; penalty 18% a year on the principal is 5.00 a day from 2026-07-11.
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.cases.models import Case
from arrears.testing import make_borrower, make_loan

D = dt.date
OPENED = D(2026, 7, 11)


def open_case(loan, opened_on=OPENED) -> Case:
    return Case.objects.create(
        loan=loan,
        borrower=loan.borrower,
        opened_on=opened_on,
        status=Case.Status.OPEN,
        bucket="M1",
        dpd=1,
        team=loan.team,
        collector=loan.collector,
    )


@pytest.fixture
def loan(people):
    carl = people["carl"]
    return make_loan(
        external_id="L-PLAN",
        borrower=make_borrower(external_id="B-PLAN", name="王小二"),
        method="bullet",
        term_months=6,
        disbursed_on=D(2026, 1, 10),
        collector=carl,
        team=carl.team,
    )


@pytest.fixture
def case(loan):
    return open_case(loan)


@pytest.fixture
def other_case(people):
    """A loan of team B (tina's), which team A cannot see."""
    loan = make_loan(
        external_id="L-B",
        method="bullet",
        term_months=6,
        disbursed_on=D(2026, 1, 10),
        team=people["tina"].team,
    )
    return open_case(loan)
