"""Fixtures of the activity tests: carl's overdue loan with an open case, cora's, team B's.

carl's borrower 王小二 (13812345678) has a spouse contact 王秀兰 (13912345678) and a colleague
contact 李同事 (13700001111); his loan has a guarantor 赵担保 (13600002222). cora's case is
another borrower's in team A; tina's is team B's, which nobody in team A sees.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from arrears.book.models import Contact, Guarantor
from arrears.cases.models import Case
from arrears.testing import make_borrower, make_loan

D = dt.date
OPENED = D(2026, 7, 11)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def open_case(loan, opened_on=OPENED) -> Case:
    return Case.objects.create(
        loan=loan,
        borrower=loan.borrower,
        opened_on=opened_on,
        bucket="M1",
        dpd=27,
        team=loan.team,
        collector=loan.collector,
        field_agent=loan.field_agent,
        legal_officer=loan.legal_officer,
        agency=loan.agency,
    )


def bullet(external_id, borrower, **assignment):
    return make_loan(
        external_id=external_id,
        borrower=borrower,
        method="bullet",
        term_months=6,
        disbursed_on=D(2026, 1, 10),
        **assignment,
    )


def local(day: dt.date, hh: int, mm: int = 0, zone=SHANGHAI) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=zone)


def yesterday() -> dt.date:
    return dt.datetime.now(SHANGHAI).date() - dt.timedelta(days=1)


@pytest.fixture
def cases(people):
    team_a = people["tom"].team
    team_b = people["tina"].team
    wang = make_borrower(external_id="B-WANG", name="王小二", phone="13812345678")
    li = make_borrower(external_id="B-LI", name="李四", phone="13800009999")
    zhao = make_borrower(external_id="B-ZHAO", name="赵六")
    carl_loan = bullet(
        "L-CARL", wang, team=team_a, collector=people["carl"], field_agent=people["fay"]
    )
    return {
        "carl": open_case(carl_loan),
        "cora": open_case(bullet("L-CORA", li, team=team_a, collector=people["cora"])),
        "tina": open_case(bullet("L-TINA", zhao, team=team_b)),
    }


@pytest.fixture
def case(cases):
    return cases["carl"]


@pytest.fixture
def spouse(case):
    return Contact.objects.create(
        borrower=case.borrower, name="王秀兰", relation="spouse", phone="13912345678"
    )


@pytest.fixture
def colleague(case):
    return Contact.objects.create(
        borrower=case.borrower, name="李同事", relation="colleague", phone="13700001111"
    )


@pytest.fixture
def guarantor(case):
    return Guarantor.objects.create(loan=case.loan, name="赵担保", phone="13600002222")


@pytest.fixture(autouse=True)
def english():
    """Service messages in English (the pages and the import choose their own language)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def client_for(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies.load({"django_language": language})
    return client
