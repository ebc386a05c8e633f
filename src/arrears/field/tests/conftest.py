"""Fixtures of the field tests: a town's overdue loans with open cases, a notice template.

Each loan: 10,000.00 yuan at 12% a year, bullet over 6 months from 2026-01-10, so 10,000.00
principal and 600.00 interest fell due on 2026-07-10 and nothing was paid; penalty 18% a year
on the principal (5.00 a day) from 2026-07-11. fay (field agent) and tom (team lead) visit.
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.documents.tests.conftest import document_store, make_case  # noqa: F401

D = dt.date
TOWN = "四川省/青林县/卧水镇"


def town_loan(people, external_id: str, name: str, village: str = "马头冲村", **kw):
    from arrears.testing import make_borrower, make_loan

    loan = make_loan(
        external_id=external_id,
        borrower=make_borrower(
            external_id=f"B-{external_id}",
            name=name,
            province="四川省",
            county="青林县",
            town="卧水镇",
            village=village,
        ),
        method="bullet",
        term_months=6,
        disbursed_on=kw.pop("disbursed_on", D(2026, 1, 10)),
        collector=people["carl"],
        team=people["tom"].team,
        field_agent=kw.pop("field_agent", people["fay"]),
        **kw,
    )
    make_case(loan, opened_on=D(2026, 7, 11), bucket="M5", dpd=141)
    return loan


@pytest.fixture
def loan(people):
    return town_loan(people, "L-WS1", "房六桂")


@pytest.fixture
def issue(people):
    """issue(loan) -> a notice on the loan's case, issued by carl on 2026-11-20."""
    from arrears.cases.models import Case
    from arrears.notices.models import NoticeTemplate
    from arrears.notices.services import notice_issue

    def make(loan, issued_on=None):
        issued_on = issued_on or D(2026, 11, 20)
        return notice_issue(
            case=Case.objects.get(loan=loan),
            template=NoticeTemplate.objects.get(code="cn_default", active=True),
            as_of=issued_on,
            pay_by=issued_on + dt.timedelta(days=30),
            actor=people["carl"],
            issued_on=issued_on,
        )

    return make
