"""The list and the loan page read in a fixed number of queries, however many rows they show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from arrears.book.services import payment_post
from arrears.testing import PASSWORD, make_loan

pytestmark = pytest.mark.django_db


def test_the_loan_list_does_not_query_per_row(client, people, django_assert_max_num_queries):
    for n in range(30):
        make_loan(external_id=f"Q{n:03d}", team=people["tom"].team)
    assert client.login(username="tom", password=PASSWORD)
    # session, user, regions (2), count, page
    with django_assert_max_num_queries(8):
        assert client.get(reverse("web:loan_list")).status_code == 200


def test_the_loan_page_does_not_query_per_payment(client, people, django_assert_max_num_queries):
    loan = make_loan(external_id="Q-PAGE", team=people["tom"].team)
    for n in range(6):
        payment_post(
            loan=loan, external_id=f"QP{n}", paid_on=dt.date(2026, 2 + n, 10), amount_fen=88_849
        )
    assert client.login(username="tom", password=PASSWORD)
    # A fixed number whatever the payments: the sections' queries, the repayment arrangements
    # (accepted plans) among them, and the law's cap for the loan (the product's pack choice,
    # the pack and its rules: 3; the LPR table too for private lending).
    with django_assert_max_num_queries(18):
        assert client.get(reverse("web:loan_detail", args=["Q-PAGE"])).status_code == 200
