"""Fixtures of the write-off tests: carl's matured, overdue loan with an open case.

The loan: 10,000.00 bullet at 12% disbursed 2026-01-10 over 6 months, so 10,600.00 fell due
on 2026-07-10; penalty 18% a year (360 days) on the principal is 5.00 a day from 2026-07-11.
As of 2026-11-30 (143 days): principal 10,000.00, interest 600.00, penalty 715.00, no fees,
11,315.00 in all.
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.cases.models import Case
from arrears.testing import make_borrower, make_loan

D = dt.date
TODAY = D(2026, 11, 30)
OPENED = D(2026, 7, 11)


def open_case(loan, opened_on=OPENED) -> Case:
    return Case.objects.create(
        loan=loan,
        borrower=loan.borrower,
        opened_on=opened_on,
        status=Case.Status.OPEN,
        bucket="M5",
        dpd=143,
        team=loan.team,
        collector=loan.collector,
    )


def overdue_loan(people, external_id: str, county: str = "某县"):
    carl = people["carl"]
    return make_loan(
        external_id=external_id,
        borrower=make_borrower(external_id=f"B-{external_id}", name="王小二", county=county),
        method="bullet",
        term_months=6,
        disbursed_on=D(2026, 1, 10),
        collector=carl,
        team=carl.team,
    )


@pytest.fixture
def loan(people):
    return overdue_loan(people, "L-WO")


@pytest.fixture
def case(loan):
    return open_case(loan)


@pytest.fixture(autouse=True)
def _english():
    """Service messages are in the active language: these tests read them in English (a page
    test before them may have left Chinese active in this thread)."""
    from django.utils import translation

    with translation.override("en"):
        yield
