"""What the loan book shows of a plan: the loan page and GET /api/v1/loans/{id} list the plans
the borrower accepted, beside the contract schedule, which stays as it was."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from arrears.book.models import Installment
from arrears.plans.services import Spread, plan_propose
from arrears.plans.tests.test_eod import FULL, PROPOSED, running_plan
from arrears.testing import PASSWORD

D = dt.date


def page_for(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client.get("/loans/L-PLAN/").content.decode()


def test_an_accepted_plan_shows_on_the_loan_page_and_the_schedule_is_unchanged(people, case):
    schedule = list(
        Installment.objects.filter(loan=case.loan).values_list("due_on", "principal_due_fen")
    )
    running_plan(people, case, agreed=FULL, installments=Spread(3, D(2026, 8, 10)))
    html = page_for(people["carl"])
    assert 'id="arrangements"' in html
    assert "10,710.00" in html  # the agreed total
    assert "2026-08-10" in html and "2026-10-10" in html  # the plan's first and last dates
    assert (
        list(Installment.objects.filter(loan=case.loan).values_list("due_on", "principal_due_fen"))
        == schedule
    )


def test_a_proposal_not_yet_accepted_is_not_on_the_loan_page(people, case):
    plan_propose(
        case=case,
        kind="installment_plan",
        agreed_total_fen=FULL,
        installments=Spread(3, D(2026, 8, 10)),
        actor=people["carl"],
        today=PROPOSED,
    )
    assert 'id="arrangements"' not in page_for(people["carl"])


def test_the_api_lists_the_arrangements_of_the_loan(people, case):
    from arrears.api.tests.conftest import ApiClient

    plan = running_plan(people, case, agreed=FULL, installments=Spread(3, D(2026, 8, 10)))
    body = ApiClient(people["carl"]).get("/loans/L-PLAN").json()
    assert body["arrangements"] == [
        {
            "plan_id": plan.pk,
            "kind": "installment_plan",
            "status": "active",
            "accepted_on": "2026-08-01",
            "agreed_total": "10710.00",
            "discount": "0.00",
            "paid": "0.00",
        }
    ]


def test_the_api_shows_no_arrangements_before_acceptance(people, case):
    from arrears.api.tests.conftest import ApiClient

    assert ApiClient(people["carl"]).get("/loans/L-PLAN").json()["arrangements"] == []
