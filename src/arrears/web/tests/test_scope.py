"""The scope matrix on the pages: who sees which loans and borrowers, and who gets a 404."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from arrears.testing import PASSWORD

ALL = {"carl_loan", "cora_loan", "team_b_loan", "agency_loan", "legal_loan", "loose_loan"}

VISIBLE = {
    "alice": ALL,
    "mia": ALL,
    "aud": ALL,
    "tom": {"carl_loan", "cora_loan"},
    "tina": {"team_b_loan"},
    "carl": {"carl_loan"},
    "cora": {"cora_loan"},
    "fay": {"carl_loan"},
    "lee": {"legal_loan"},
    "ada": {"agency_loan"},
}

pytestmark = pytest.mark.django_db


def login(client, person: str) -> None:
    assert client.login(username=person, password=PASSWORD)


def listed_loan_ids(html: str, book) -> set[str]:
    return {key for key, loan in book.items() if f">{loan.external_id}</a>" in html}


@pytest.mark.parametrize("person", sorted(VISIBLE))
def test_loan_list_shows_only_the_loans_in_scope(client, people, book, person):
    login(client, person)
    response = client.get(reverse("web:loan_list"))
    assert response.status_code == 200
    assert listed_loan_ids(response.content.decode(), book) == VISIBLE[person]
    assert response.context["page"].paginator.count == len(VISIBLE[person])


@pytest.mark.parametrize("person", sorted(VISIBLE))
def test_loan_page_is_found_in_scope_and_404_outside(client, people, book, person):
    login(client, person)
    for key, loan in book.items():
        response = client.get(reverse("web:loan_detail", args=[loan.external_id]))
        expected = 200 if key in VISIBLE[person] else 404
        assert response.status_code == expected, (person, key)


@pytest.mark.parametrize("person", sorted(VISIBLE))
def test_borrower_page_is_found_in_scope_and_404_outside(client, people, book, person):
    login(client, person)
    for key, loan in book.items():
        response = client.get(reverse("web:borrower_detail", args=[loan.borrower.external_id]))
        expected = 200 if key in VISIBLE[person] else 404
        assert response.status_code == expected, (person, key)


@pytest.mark.parametrize("person", sorted(VISIBLE))
def test_borrower_list_shows_only_the_borrowers_in_scope(client, people, book, person):
    login(client, person)
    html = client.get(reverse("web:borrower_list")).content.decode()
    shown = {key for key, loan in book.items() if f">{loan.borrower.external_id}</a>" in html}
    assert shown == VISIBLE[person]


@pytest.mark.parametrize("person", sorted(VISIBLE))
def test_dashboard_counts_only_the_loans_in_scope(client, people, book, person):
    login(client, person)
    # Collectors' home is their workbench; the overview is at /overview/ for everyone.
    figures = client.get(reverse("web:overview")).context["figures"]
    assert figures.loans == len(VISIBLE[person])
    # Each test loan is 10,000.00 and nothing is paid yet.
    assert figures.principal == 1_000_000 * len(VISIBLE[person])
    assert figures.outstanding == 1_000_000 * len(VISIBLE[person])
    assert sum(c.loans for c in figures.counties) == len(VISIBLE[person])


def test_an_unknown_loan_is_a_404_like_one_out_of_scope(client, people, book):
    login(client, "carl")
    assert client.get(reverse("web:loan_detail", args=["NOPE"])).status_code == 404


def test_a_borrower_page_lists_only_the_loans_the_user_may_see(client, people, book):
    from arrears.testing import make_loan

    # The same borrower has a second loan, in team B: carl must not see it on the borrower page.
    borrower = book["carl_loan"].borrower
    other = make_loan(external_id="LA1-B", borrower=borrower, team=people["tina"].team)
    login(client, "carl")
    html = client.get(reverse("web:borrower_detail", args=[borrower.external_id])).content
    assert b"LA1<" in html
    assert other.external_id.encode() not in html
    login(client, "mia")
    html = client.get(reverse("web:borrower_detail", args=[borrower.external_id])).content
    assert other.external_id.encode() in html


@pytest.mark.parametrize(
    "name",
    ["web:home", "web:loan_list", "web:borrower_list"],
)
def test_pages_need_a_signed_in_user(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:login')}?next={url}"


def test_loan_and_borrower_pages_need_a_signed_in_user(client, people, book):
    for url in [
        reverse("web:loan_detail", args=["LA1"]),
        reverse("web:borrower_detail", args=["BA1"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))
    response = client.post(reverse("web:loan_payment", args=["LA1"]), {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_the_not_found_page_says_so_in_the_frame(client, people, book):
    login(client, "carl")
    response = client.get(reverse("web:loan_detail", args=["LB1"]))
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在，或未分配给您" in html
    # Nothing about the loan itself (the random CSRF token may contain any letters, so it goes).
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    assert "LB1" not in html.replace("/loans/LB1/", "")
