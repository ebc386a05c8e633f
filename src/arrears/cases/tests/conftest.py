"""Fixtures of the case-work tests: carl's overdue loan with an open case, cora's, team B's.

carl's loan: 10,000.00 bullet at 12% disbursed 2026-01-10 over 6 months, so 10,600.00 fell due
on 2026-07-10 (team A, collector carl, field agent fay). cora's: the same, team A, collector
cora. tina's: team B, nobody in team A sees it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from arrears.cases.models import Case
from arrears.testing import make_borrower, make_loan

D = dt.date
OPENED = D(2026, 7, 11)


def open_case(loan, opened_on=OPENED, dpd=27, bucket="M1") -> Case:
    return Case.objects.create(
        loan=loan,
        borrower=loan.borrower,
        opened_on=opened_on,
        bucket=bucket,
        dpd=dpd,
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


@pytest.fixture
def cases(people):
    team_a = people["tom"].team
    team_b = people["tina"].team
    wang = make_borrower(external_id="B-WANG", name="王小二", phone="13812345678")
    li = make_borrower(external_id="B-LI", name="李四")
    zhao = make_borrower(external_id="B-ZHAO", name="赵六")
    return {
        "carl": open_case(
            bullet("L-CARL", wang, team=team_a, collector=people["carl"], field_agent=people["fay"])
        ),
        "cora": open_case(bullet("L-CORA", li, team=team_a, collector=people["cora"])),
        "tina": open_case(bullet("L-TINA", zhao, team=team_b)),
    }


@pytest.fixture
def case(cases):
    return cases["carl"]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
