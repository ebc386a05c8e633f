"""Fixtures of the agencies tests: Agency One (ada's) with an approved contract reviewed last
month, tiers by DPD (0–90: 15%, 90+: 20%); carl's two open cases in team A (M1, 27 DPD and
M4, 100 DPD) and tina's in team B."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arrears.agencies import services
from arrears.agencies.rules import Tier
from arrears.cases.models import Case
from arrears.core.dates import local_today
from arrears.core.models import Agency
from arrears.testing import make_borrower, make_loan

D = dt.date


def open_case(loan, *, dpd=27, bucket="M1") -> Case:
    return Case.objects.create(
        loan=loan,
        borrower=loan.borrower,
        opened_on=D(2026, 7, 11),
        bucket=bucket,
        dpd=dpd,
        team=loan.team,
        collector=loan.collector,
    )


def dpd_tiers():
    return [Tier(0, 90, "", Decimal("0.15")), Tier(90, None, "", Decimal("0.2"))]


@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted in English whatever an earlier test's request left
    active in this thread (a page in Chinese activates zh-hans)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def today():
    return local_today()


@pytest.fixture
def agency(people, today):
    agency = Agency.objects.get(name="Agency One")
    services.contract_save(
        agency=agency,
        number="C-ONE-1",
        valid_from=today - dt.timedelta(days=200),
        valid_to=today + dt.timedelta(days=200),
        approved=True,
        last_review_on=today - dt.timedelta(days=30),
        tier_key="dpd",
        basis="all",
        tiers=dpd_tiers(),
        actor=people["mia"],
    )
    agency.refresh_from_db()
    return agency


@pytest.fixture
def cases(people):
    team_a, team_b = people["tom"].team, people["tina"].team
    wang = make_borrower(external_id="B-WANG", name="王小二", phone="13812345678")
    li = make_borrower(external_id="B-LI", name="李四")
    zhao = make_borrower(external_id="B-ZHAO", name="赵六")
    return {
        "m1": open_case(
            make_loan(external_id="L-M1", borrower=wang, team=team_a, collector=people["carl"])
        ),
        "m4": open_case(
            make_loan(external_id="L-M4", borrower=li, team=team_a, collector=people["carl"]),
            dpd=100,
            bucket="M4",
        ),
        "tina": open_case(make_loan(external_id="L-TINA", borrower=zhao, team=team_b)),
    }


@pytest.fixture
def placed(people, agency, cases, today):
    """Both of carl's cases placed with Agency One from 20 days ago for 60 days."""
    return services.batch_place(
        agency=agency,
        number="B-2026-01",
        starts_on=today - dt.timedelta(days=20),
        ends_on=today + dt.timedelta(days=40),
        case_ids=[cases["m1"].pk, cases["m4"].pk],
        actor=people["mia"],
    )
