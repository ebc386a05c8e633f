"""Reading loans: lists and filters, the position to the fen, schedule and charges."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arrears.book.models import Guarantor
from arrears.book.services import charge_add, payment_post
from arrears.testing import make_borrower, make_loan


@pytest.fixture
def mia(book, api_as):
    return api_as("mia")


def test_the_list_shows_money_as_strings(mia):
    row = mia.get("/loans", q="L-CARL").json()["items"][0]
    assert row == {
        "loan_id": "L-CARL",
        "borrower_id": "B-CARL",
        "borrower_name": "王小二",
        "principal": "10000.00",
        "annual_rate": "0.120000",
        "method": "annuity",
        "status": "active",
        "disbursed_on": "2026-01-10",
        "term_months": 12,
        "region": "四川省/某县/卧水镇/马头冲村",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "王小二"}, ["L-CARL"]),
        ({"q": "B-CORA"}, ["L-CORA"]),
        ({"q": "5678"}, ["L-CARL"]),  # the end of the phone number
        ({"q": ""}, ["L-CARL", "L-CORA", "L-PLACED", "L-TOWN"]),
        ({"status": "active"}, ["L-CARL", "L-CORA", "L-PLACED", "L-TOWN"]),
        ({"status": "paid_off"}, []),
        ({"status": ""}, ["L-CARL", "L-CORA", "L-PLACED", "L-TOWN"]),
        ({"method": "bullet"}, ["L-TOWN"]),
        ({"county": "另一县"}, ["L-TOWN"]),
        ({"town": "卧水镇"}, ["L-CARL", "L-CORA", "L-PLACED"]),
        ({"overdue": "true"}, ["L-CARL", "L-CORA", "L-PLACED"]),
        ({"overdue": "false"}, ["L-TOWN"]),
    ],
)
def test_the_list_filters(people, mia, params, expected):
    make_loan(
        external_id="L-TOWN",
        borrower=make_borrower(county="另一县", town="新镇"),
        method="bullet",
        disbursed_on=dt.date(2026, 1, 10),
        term_months=120,
    )
    rows = mia.get("/loans", **params).json()["items"]
    assert [row["loan_id"] for row in rows] == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "late"}, "status"),
        ({"method": "weekly"}, "method"),
        ({"overdue": "maybe"}, "overdue"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"page_size": "201"}, "page_size"),
        ({"q": "a\x00b"}, "q"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_bad_filters_are_refused_by_name(mia, params, field):
    response = mia.get("/loans", **params)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_the_list_pages(mia):
    first = mia.get("/loans", page_size="2").json()
    assert (first["count"], first["page"], first["page_size"]) == (3, 1, 2)
    assert [r["loan_id"] for r in first["items"]] == ["L-CARL", "L-CORA"]
    second = mia.get("/loans", page_size="2", page="2").json()
    assert [r["loan_id"] for r in second["items"]] == ["L-PLACED"]
    beyond = mia.get("/loans", page_size="2", page="9").json()
    assert (beyond["items"], beyond["count"]) == ([], 3)


def test_the_list_costs_the_same_queries_for_more_loans(people, mia, django_assert_max_num_queries):
    for _ in range(20):
        make_loan(collector=people["carl"])
    # Token lookup, last-used update, the page and the count: never one per row.
    with django_assert_max_num_queries(5):
        assert mia.get("/loans", page_size="10").status_code == 200


def test_the_detail_shows_terms_assignment_and_position(mia):
    body = mia.get("/loans/L-CARL", as_of="2026-03-20").json()
    assert body["loan_id"] == "L-CARL"
    assert body["borrower"] == {"borrower_id": "B-CARL", "name": "王小二"}
    assert body["terms"]["principal"] == "10000.00"
    assert body["terms"]["penalty_rate"] == "0.180000"
    assert body["assignment"] == {
        "team": "Team A",
        "collector": "carl",
        "field_agent": "fay",
        "legal_officer": None,
        "agency": None,
    }
    # Installments 1 (788.49 + 100.00, due 10 Feb) and 2 (796.37 + 92.12, due 10 Mar) unpaid.
    # Penalty at 18%/360 on overdue principal: 788.49 × 38 days + 796.37 × 10 days
    # = 14.98 + 3.98 = 18.96.
    assert body["position"] == {
        "as_of": "2026-03-20",
        "dpd": 38,
        "outstanding_principal": "10000.00",
        "overdue_principal": "1584.86",
        "overdue_interest": "192.12",
        "penalty": "18.96",
        "fees": "0.00",
        "total_due": "1795.94",
        "credit_balance": "0.00",
        "next_due_on": "2026-04-10",
    }


def test_the_position_is_zero_before_the_first_due_date(mia):
    position = mia.get("/loans/L-CARL", as_of="2026-02-10").json()["position"]
    assert (position["dpd"], position["total_due"]) == (0, "0.00")
    assert position["next_due_on"] == "2026-03-10"


@pytest.mark.parametrize("as_of", ["2026-02-30", "tomorrow", "2026-13-01", "1800-01-01"])
def test_a_bad_as_of_is_refused_by_name(mia, as_of):
    response = mia.get("/loans/L-CARL", as_of=as_of)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "as_of"


def test_guarantors_are_shown_masked_and_revealed_on_request(book, api_as):
    g = Guarantor.objects.create(
        loan=book["carl"],
        name="王担保",
        phone="13987654321",
        id_number="510100198501010015",
        limit_fen=500000,
        kind="joint",  # the default is general since issue 10 (Civil Code art. 686)
    )
    masked = {
        "id": g.pk,
        "name": "王担保",
        "kind": "joint",
        "phone": "139****4321",
        "id_number": "5101**********0015",
        "limit": "5000.00",
    }
    # Masked for every role, the manager included; revealing is a separate, audited call.
    assert api_as("aud").get("/loans/L-CARL").json()["guarantors"] == [masked]
    mia = api_as("mia")
    assert mia.get("/loans/L-CARL").json()["guarantors"] == [masked]
    body = {"field": "id_number", "guarantor_id": g.pk}
    assert mia.post("/borrowers/B-CARL/reveal", body).json()["value"] == "510100198501010015"
    assert api_as("aud").post("/borrowers/B-CARL/reveal", body).status_code == 403


def test_the_schedule_sums_to_the_principal(mia):
    schedule = mia.get("/loans/L-CARL/schedule", as_of="2026-02-10").json()
    assert [i["number"] for i in schedule] == list(range(1, 13))
    assert sum(Decimal(i["principal_due"]) for i in schedule) == Decimal("10000.00")
    assert schedule[0] == {
        "number": 1,
        "due_on": "2026-02-10",
        "principal_due": "788.49",
        "interest_due": "100.00",
        "principal_paid": "0.00",
        "interest_paid": "0.00",
        "penalty_accrued": "0.00",
        "penalty_paid": "0.00",
    }
    # Ten days late: 788.49 × 18% / 360 × 10 = 3.94 of penalty on the first installment.
    late = mia.get("/loans/L-CARL/schedule", as_of="2026-02-20").json()[0]
    assert (late["penalty_accrued"], late["penalty_paid"]) == ("3.94", "0.00")


def test_a_prepaid_schedule_shows_credit_as_paid_only_from_each_due_date(book, mia):
    # Three installments (3 × 888.49 = 2,665.47) paid on 2026-01-20, before the first is due.
    payment_post(
        loan=book["carl"], external_id="PRE", paid_on=dt.date(2026, 1, 20), amount_fen=266_547
    )
    before = mia.get("/loans/L-CARL/schedule", as_of="2026-01-20").json()
    assert [(i["principal_paid"], i["interest_paid"]) for i in before[:3]] == [("0.00", "0.00")] * 3
    position = mia.get("/loans/L-CARL", as_of="2026-01-20").json()["position"]
    assert (position["outstanding_principal"], position["credit_balance"]) == (
        "10000.00",
        "2665.47",
    )
    first_due = mia.get("/loans/L-CARL/schedule", as_of="2026-02-10").json()
    assert [(i["principal_paid"], i["interest_paid"]) for i in first_due[:2]] == [
        ("788.49", "100.00"),
        ("0.00", "0.00"),
    ]
    position = mia.get("/loans/L-CARL", as_of="2026-02-10").json()["position"]
    assert (position["outstanding_principal"], position["credit_balance"]) == (
        "9211.51",
        "1776.98",
    )


def test_charges_show_what_is_outstanding(book, mia):
    charge_add(
        loan=book["carl"], kind="failed_deduction", amount_fen=2000, charged_on=dt.date(2026, 2, 11)
    )
    [charge] = mia.get("/loans/L-CARL/charges").json()
    assert {k: charge[k] for k in ("kind", "charged_on", "amount", "paid", "outstanding")} == {
        "kind": "failed_deduction",
        "charged_on": "2026-02-11",
        "amount": "20.00",
        "paid": "0.00",
        "outstanding": "20.00",
    }
    assert mia.get("/loans/L-CARL", as_of="2026-02-12").json()["position"]["fees"] == "20.00"


def test_a_charge_the_cap_holds_back_is_not_outstanding(mia):
    # 1,000.00 for a month at 24% (the cap: no room while current), penalty 18%, due
    # 2026-02-10. Overdue, the cap leaves 1,000 × (0.24 / 365 − 0.18 / 360) = 0.15753… a day.
    make_loan(
        external_id="L-BIND",
        principal="1000.00",
        annual_rate="0.24",
        penalty_rate="0.18",
        method="bullet",
        term_months=1,
        disbursed_on=dt.date(2026, 1, 10),
    )
    from arrears.book.models import Loan

    loan = Loan.objects.get(external_id="L-BIND")
    charge_add(loan=loan, kind="failed_deduction", amount_fen=2000, charged_on=dt.date(2026, 2, 10))
    [charge] = mia.get("/loans/L-BIND/charges", as_of="2026-02-10").json()
    assert (charge["outstanding"], charge["held_by_cap"]) == ("0.00", "20.00")
    # 30 days: 0.15753… × 30 = 4.73 owed, 15.27 held back.
    [charge] = mia.get("/loans/L-BIND/charges", as_of="2026-03-12").json()
    assert (charge["paid"], charge["outstanding"], charge["held_by_cap"]) == (
        "0.00",
        "4.73",
        "15.27",
    )
    assert mia.get("/loans/L-BIND", as_of="2026-03-12").json()["position"]["fees"] == "4.73"
    # 10.00 paid that day: the fee's 4.73, then penalty (1,000 × 18% / 360 × 30 = 15.00).
    payment_post(loan=loan, external_id="BIND-1", paid_on=dt.date(2026, 3, 12), amount_fen=1000)
    [charge] = mia.get("/loans/L-BIND/charges", as_of="2026-03-12").json()
    assert (charge["paid"], charge["outstanding"], charge["held_by_cap"]) == (
        "4.73",
        "0.00",
        "15.27",
    )


def test_loan_detail_carries_the_latest_end_of_day_figures(api_as):
    import datetime as dt

    from arrears.eod.services import eod_run
    from arrears.testing import make_loan

    make_loan(
        external_id="L-EOD", method="bullet", term_months=6, disbursed_on=dt.date(2026, 1, 10)
    )
    before = api_as("mia").get("/loans/L-EOD").json()
    assert before["end_of_day"] is None

    eod_run(as_of=dt.date(2026, 11, 28))

    eod = api_as("mia").get("/loans/L-EOD").json()["end_of_day"]
    assert eod["as_of"] == "2026-11-28"
    assert (eod["dpd"], eod["bucket"], eod["classification"]) == (141, "M5", "substandard")
    assert (eod["penalty"], eod["total_due"]) == ("705.00", "11305.00")
    assert eod["limitation_deadline"] == "2029-07-10"
    assert eod["time_barred"] is False
    assert isinstance(eod["case_id"], int)


def test_the_payoff_quote(book, mia):
    # L-CARL: 10,000.00 annuity at 12% from 2026-01-10, penalty 18%, nothing paid. As of
    # 2026-04-20 (worked in plans/tests/test_payoff.py): 2,713.02 overdue, 7,610.80 not yet
    # due, 25.37 interest accrued on the running period; 10,349.19 to settle.
    quote = mia.get("/loans/L-CARL/payoff", as_of="2026-04-20").json()
    assert quote == {
        "loan_id": "L-CARL",
        "as_of": "2026-04-20",
        "payoff": "10349.19",
        "overdue": "2713.02",
        "due_today": "0.00",
        "principal_not_due": "7610.80",
        "interest_accrued": "25.37",
        "early_repayment_fee": "0.00",
        "credit": "0.00",
    }
    assert mia.get("/loans/NOPE/payoff").status_code == 404
