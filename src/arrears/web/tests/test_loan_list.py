"""The loan list: search, filters and pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from arrears.book.services import payment_post
from arrears.testing import PASSWORD, make_loan

pytestmark = pytest.mark.django_db


def shown(client, **params) -> list[str]:
    response = client.get(reverse("web:loan_list"), params)
    assert response.status_code == 200
    return [loan.external_id for loan in response.context["page"].object_list]


@pytest.fixture
def mia(client, people, book):
    assert client.login(username="mia", password=PASSWORD)
    return client


def test_it_searches_by_loan_id_name_borrower_id_and_phone_tail(mia, book):
    assert shown(mia, q="LB1") == ["LB1"]
    assert shown(mia, q="李秀英") == ["LA2"]
    assert shown(mia, q="BG1") == ["LG1"]
    tail = book["legal_loan"].borrower.phone[-4:]
    assert shown(mia, q=tail) == ["LL1"]


def test_it_filters_by_county_town_method_and_status(mia, book):
    assert shown(mia, county="苍溪县") == ["LG1", "LL1"]
    assert shown(mia, county="青川县", town="乔庄镇") == ["LA2"]
    assert shown(mia, method="bullet") == []
    assert shown(mia, method="annuity") == sorted(loan.external_id for loan in book.values())
    assert shown(mia, status="paid_off") == []


def test_it_filters_overdue_loans(mia, book):
    # Every test loan was disbursed 2026-01-10 and nothing is paid: all are overdue by now,
    # except the one we pay far ahead (its credit covers every installment due so far).
    loan = book["loose_loan"]
    payment_post(
        loan=loan, external_id="PREPAY", paid_on=dt.date(2026, 1, 10), amount_fen=1_100_000
    )
    assert "LN1" not in shown(mia, overdue="yes")
    assert shown(mia, overdue="no") == ["LN1"]


def test_an_unknown_filter_value_is_ignored_not_an_error(mia, book):
    assert len(shown(mia, status="nonsense", county="nowhere")) == len(book)


def test_it_shows_fifty_loans_a_page(client, people):
    for n in range(51):
        make_loan(external_id=f"P{n:03d}", team=people["tom"].team)
    assert client.login(username="tom", password=PASSWORD)
    first = client.get(reverse("web:loan_list"))
    assert len(first.context["page"].object_list) == 50
    assert "?page=2" in first.content.decode()
    second = client.get(reverse("web:loan_list"), {"page": 2})
    assert [loan.external_id for loan in second.context["page"].object_list] == ["P050"]


def test_filters_are_kept_when_paging(client, people):
    for n in range(51):
        make_loan(external_id=f"P{n:03d}", team=people["tom"].team)
    assert client.login(username="tom", password=PASSWORD)
    html = client.get(reverse("web:loan_list"), {"method": "annuity"}).content.decode()
    assert "?method=annuity&amp;page=2" in html


def test_the_county_and_town_choices_come_from_the_users_scope(client, people, book):
    assert client.login(username="carl", password=PASSWORD)
    form = client.get(reverse("web:loan_list")).context["form"]
    assert [c for c, _ in form.fields["county"].choices] == ["", "青川县"]
    assert [t for t, _ in form.fields["town"].choices] == ["", "卧水镇"]


def test_the_list_shows_amounts_to_the_fen(client, people, book):
    assert client.login(username="carl", password=PASSWORD)
    html = client.get(reverse("web:loan_list")).content.decode()
    assert "10,000.00" in html
    assert "王建国" in html


def _row(client, loan_id: str):
    response = client.get(reverse("web:loan_list"), {"q": loan_id})
    [loan] = response.context["page"].object_list
    return loan, response.content.decode()


def test_each_column_shows_the_balance_as_of_today(mia, book):
    # LN1: 10,000.00 annuity at 12% from 2026-01-10; installment 1 is 788.49 + 100.00.
    loan = book["loose_loan"]
    payment_post(loan=loan, external_id="ONE", paid_on=dt.date(2026, 2, 10), amount_fen=88_849)
    row, html = _row(mia, "LN1")
    assert row.principal_fen == 1_000_000
    assert row.outstanding_principal == 1_000_000 - 78_849
    assert row.is_overdue  # installment 2 onwards are past due and unpaid
    assert row.credit_as_of == 0
    assert "9,211.51" in html or "9211.51" in html
    assert "badge-overdue" in html


def test_a_prepaid_loan_shows_its_principal_and_its_credit_not_zero(mia, book):
    # Paid 11,000.00 on the day it was disbursed: the credit is applied on each due date, so
    # as of today the installments due so far are paid and the rest is still principal
    # outstanding, with the unspent money beside it as credit (the end-of-day figures).
    from arrears.book.selectors import loan_position
    from arrears.core.dates import local_today

    loan = book["loose_loan"]
    payment_post(
        loan=loan, external_id="PREPAY", paid_on=dt.date(2026, 1, 10), amount_fen=1_100_000
    )
    row, html = _row(mia, "LN1")
    pos = loan_position(loan, local_today())
    assert row.outstanding_principal == pos.outstanding_principal > 0
    assert row.credit_as_of == pos.credit_balance > 0
    assert not row.is_overdue
    assert "credit" in html


def test_the_borrower_page_shows_the_same_balance_as_the_list(mia, book):
    # LN1 prepaid 11,000.00 on disbursement: the borrower page agrees with the list and the
    # loan page (principal outstanding as of today, the credit beside it).
    from arrears.book.selectors import loan_position
    from arrears.core.dates import local_today

    loan = book["loose_loan"]
    payment_post(
        loan=loan, external_id="PREPAY", paid_on=dt.date(2026, 1, 10), amount_fen=1_100_000
    )
    response = mia.get(reverse("web:borrower_detail", args=[loan.borrower.external_id]))
    [row] = response.context["loans"]
    pos = loan_position(loan, local_today())
    assert (row.outstanding_principal, row.credit_as_of) == (
        pos.outstanding_principal,
        pos.credit_balance,
    )
    assert not row.is_overdue
