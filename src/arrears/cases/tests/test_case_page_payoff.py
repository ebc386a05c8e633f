"""The case page shows the payoff quote and replays the loan's ledger once (issue 11)."""

import datetime as dt

import pytest

from arrears.book import ledger
from arrears.book.selectors import payoff_quote
from arrears.core.dates import local_today
from arrears.core.money import format_yuan
from arrears.plans.tests.conftest import open_case
from arrears.testing import PASSWORD, make_loan

pytestmark = pytest.mark.django_db


def test_the_case_page_replays_once_and_shows_the_payoff(client, people, monkeypatch):
    loan = make_loan(
        team=people["carl"].team, collector=people["carl"], disbursed_on=dt.date(2026, 1, 10)
    )
    case = open_case(loan)
    calls = []
    real = ledger.replay
    monkeypatch.setattr(ledger, "replay", lambda **kw: calls.append(1) or real(**kw))
    assert client.login(username="carl", password=PASSWORD)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert len(calls) == 1  # the balances, the schedule and the plans' payoff: one replay
    monkeypatch.setattr(ledger, "replay", real)
    quote = payoff_quote(loan, local_today())
    assert quote.total > 0
    assert 'id="payoff"' in html and format_yuan(quote.total) in html
    # The plans panel measures a settlement against the same figure.
    assert html.count(format_yuan(quote.total)) >= 2


def test_the_loan_page_shows_the_payoff(client, people):
    loan = make_loan(external_id="L-PO", team=people["tom"].team)
    assert client.login(username="tom", password=PASSWORD)
    html = client.get(f"/loans/{loan.external_id}/").content.decode()
    assert 'id="payoff"' in html
    assert format_yuan(payoff_quote(loan, local_today()).total) in html
