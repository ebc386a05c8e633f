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
