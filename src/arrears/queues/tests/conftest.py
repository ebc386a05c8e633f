"""Fixtures of the queue tests: a small book with overdue loans, worked by carl and cora
(team A, field agent fay), and tina's team B case; the end-of-day of AS_OF builds the
queues of NEXT_DAY.

Each loan is a 6-month bullet disbursed 2026-01-10, so principal and interest fell due on
2026-07-10; as of 2026-08-06 they are 27 days past due (bucket M1).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from arrears.testing import make_borrower, make_loan

D = dt.date
AS_OF = D(2026, 8, 6)
NEXT_DAY = D(2026, 8, 7)


def bullet(principal: str, **assignment):
    return make_loan(
        borrower=make_borrower(),
        principal=principal,
        method="bullet",
        term_months=6,
        disbursed_on=D(2026, 1, 10),
        **assignment,
    )


@pytest.fixture
def book(people):
    team_a = people["tom"].team
    team_b = people["tina"].team
    carl, cora, fay = people["carl"], people["cora"], people["fay"]
    return {
        "carl_big": bullet("30000.00", team=team_a, collector=carl, field_agent=fay),
        "carl_mid": bullet("20000.00", team=team_a, collector=carl),
        "carl_small": bullet("10000.00", team=team_a, collector=carl),
        "cora_one": bullet("15000.00", team=team_a, collector=cora),
        "tina_one": bullet("12000.00", team=team_b),
        "paid": make_loan(
            borrower=make_borrower(), team=team_a, collector=carl, disbursed_on=D(2026, 7, 20)
        ),
    }


def run_eod(as_of=AS_OF):
    from arrears.eod.services import eod_run

    return eod_run(as_of=as_of, full=True)


def client_for(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies.load({"django_language": language})
    return client


@pytest.fixture(autouse=True)
def only_the_tests_sources(monkeypatch):
    """The queue engine's tests choose their own due actions (a test source, or the fallback
    that makes every assigned case due a call): the strategies' source, registered by the
    strategy app, is set aside here and tested with the strategies (test_strategy_source)."""
    from arrears.queues import sources

    monkeypatch.setattr(sources, "_SOURCES", [])
