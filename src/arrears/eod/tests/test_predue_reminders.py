"""Pre-due reminders: the installments falling due in the next days, on a page and in the
API, scoped to the user, phones masked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from arrears.core.models import ApiToken
from arrears.eod.services import eod_run
from arrears.testing import make_borrower, make_loan

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 12, 8)


@pytest.fixture
def book(people):
    """Three 10,000.00 yuan loans at 12% for 12 months (annuity 888.49 a month), first due
    2026-12-10: carl's, cora's (both team A) and one of team B; end-of-day on 2026-12-08."""
    team_a, team_b = people["tom"].team, people["tina"].team
    loans = {
        "carl": make_loan(
            external_id="L-CARL",
            borrower=make_borrower(name="王小二", phone="13812345678"),
            disbursed_on=dt.date(2026, 11, 10),
            collector=people["carl"],
            team=team_a,
        ),
        "cora": make_loan(
            external_id="L-CORA",
            disbursed_on=dt.date(2026, 11, 10),
            collector=people["cora"],
            team=team_a,
        ),
        "b": make_loan(external_id="L-TEAMB", disbursed_on=dt.date(2026, 11, 10), team=team_b),
    }
    eod_run(as_of=AS_OF)
    return loans


def api(user):
    _, token = ApiToken.issue(user, name="test")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    return lambda **params: client.get("/api/v1/predue", params)


def test_a_collector_sees_the_installments_of_their_loans_falling_due(people, book):
    body = api(people["carl"])().json()

    assert (body["as_of"], body["days"], body["count"]) == ("2026-12-08", 3, 1)
    assert body["items"] == [
        {
            "loan_id": "L-CARL",
            "borrower_id": book["carl"].borrower.external_id,
            "borrower_name": "王小二",
            "phone": "138****5678",
            "installment_number": 1,
            "due_on": "2026-12-10",
            "amount_due": "888.49",
            "collector": "carl",
        }
    ]


def test_the_list_follows_scope_and_the_days_asked_for(people, book):
    def loans(name, **params):
        return [i["loan_id"] for i in api(people[name])(**params).json()["items"]]

    assert loans("tom") == ["L-CARL", "L-CORA"]
    assert loans("mia") == ["L-CARL", "L-CORA", "L-TEAMB"]
    assert loans("aud") == ["L-CARL", "L-CORA", "L-TEAMB"]
    assert loans("mia", days=1) == []  # 2026-12-09 at the latest
    assert loans("mia", days=2) == ["L-CARL", "L-CORA", "L-TEAMB"]
    assert api(people["fay"])().status_code == 403
    assert api(people["ada"])().status_code == 403


def test_the_page_lists_them_with_masked_phones(people, book):
    client = Client(headers={"accept-language": "en"})
    client.force_login(people["carl"])

    page = client.get("/predue/").content.decode()

    assert "L-CARL" in page and "888.49" in page and "2026-12-10" in page
    assert "138****5678" in page and "13812345678" not in page
    assert "L-CORA" not in page
    assert 'name="field" value="phone"' in page  # carl may reveal it, audited
    client.force_login(people["aud"])
    page = client.get("/predue/").content.decode()
    assert "L-TEAMB" in page and 'name="field" value="phone"' not in page
    client.force_login(people["fay"])
    assert client.get("/predue/").status_code == 403


def test_before_any_run_the_page_says_so(people):
    client = Client(headers={"accept-language": "en"})
    client.force_login(people["mia"])
    assert "No end-of-day run yet." in client.get("/predue/").content.decode()
    assert api(people["mia"])().json()["as_of"] is None
