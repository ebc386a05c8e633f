"""Posting a payment from the loan page: who may, what it shows, and how refusals read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arrears.book.models import Payment
from arrears.testing import PASSWORD

pytestmark = pytest.mark.django_db

LOAN_URL = reverse("web:loan_detail", args=["LA1"])
POST_URL = reverse("web:loan_payment", args=["LA1"])

# LA1: 10,000.00 annuity at 12% over 12 months from 2026-01-10: each installment is 888.49,
# the first one 100.00 interest and 788.49 principal.
GOOD = {"payment_id": "WEB-1", "paid_on": "2026-02-10", "amount": "888.49", "channel": "cash"}


def login(client, person: str) -> None:
    assert client.login(username=person, password=PASSWORD)


def test_a_team_lead_posts_a_payment_and_sees_its_allocation(client, people, book):
    login(client, "tom")
    response = client.post(POST_URL, GOOD)
    payment = Payment.objects.get(external_id="WEB-1")
    assert response.status_code == 302
    assert response["Location"] == f"{LOAN_URL}#payment-{payment.pk}"
    assert payment.amount_fen == 88_849
    assert payment.posted_by == people["tom"]
    assert payment.source == "web"

    page = client.get(LOAN_URL)
    html = page.content.decode()
    assert "WEB-1" in html
    [shown] = page.context["page"].payments
    assert [(a.component, a.installment.number, a.amount_fen) for a in shown.allocations.all()] == [
        ("interest", 1, 10_000),
        ("principal", 1, 78_849),
    ]
    assert "788.49" in html
    assert "已入账" in html  # the success message, in the default language


def test_dates_and_amounts_are_read_as_lenders_write_them(client, people, book):
    login(client, "mia")
    data = GOOD | {"paid_on": "2026年2月10日", "amount": "1,000.00元"}
    assert client.post(POST_URL, data).status_code == 302
    assert Payment.objects.get(external_id="WEB-1").amount_fen == 100_000


def test_posting_the_same_payment_twice_changes_nothing(client, people, book):
    login(client, "tom")
    client.post(POST_URL, GOOD)
    response = client.post(POST_URL, GOOD, follow=True)
    assert Payment.objects.filter(external_id="WEB-1").count() == 1
    assert "未做任何更改" in response.content.decode()


@pytest.mark.parametrize(
    ("change", "field", "label"),
    [
        ({"paid_on": "2026-02-30"}, "paid_on", "还款日期"),
        ({"paid_on": "yesterday"}, "paid_on", "还款日期"),
        ({"paid_on": "2099-01-01"}, "paid_on", "还款日期"),
        ({"paid_on": "2025-12-31"}, "paid_on", "还款日期"),
        ({"amount": "abc"}, "amount", "金额（元）"),
        ({"amount": "0"}, "amount", "金额（元）"),
        ({"amount": "-5"}, "amount", "金额（元）"),
        ({"payment_id": ""}, "payment_id", "流水号"),
        ({"channel": "pigeon"}, "channel", "渠道"),
    ],
)
def test_a_bad_value_is_a_form_error_naming_the_field(client, people, book, change, field, label):
    login(client, "tom")
    response = client.post(POST_URL, GOOD | change)
    assert response.status_code == 400
    assert list(response.context["payment_form"].errors) == [field]
    assert f'id="{field}-error"' in response.content.decode()
    assert f">{label}: " in response.content.decode()
    assert not Payment.objects.exists()


def test_a_payment_id_used_with_other_details_is_an_error_on_the_payment_id(client, people, book):
    login(client, "tom")
    client.post(POST_URL, GOOD)
    response = client.post(POST_URL, GOOD | {"amount": "100.00"})
    assert response.status_code == 400
    errors = response.context["payment_form"].errors
    assert list(errors) == ["payment_id"]
    assert "该流水号已入账" in errors["payment_id"][0]
    assert Payment.objects.get(external_id="WEB-1").amount_fen == 88_849


@pytest.mark.parametrize("person", ["aud", "carl", "fay", "lee", "ada"])
def test_roles_without_payment_post_see_no_form_and_get_403(client, people, book, person):
    loan = {"lee": "LL1", "ada": "LG1"}.get(person, "LA1")
    login(client, person)
    page = client.get(reverse("web:loan_detail", args=[loan]))
    assert page.status_code == 200
    assert page.context["payment_form"] is None
    assert b'id="post-payment"' not in page.content
    response = client.post(reverse("web:loan_payment", args=[loan]), GOOD)
    assert response.status_code == 403
    assert not Payment.objects.exists()


def test_a_team_lead_cannot_post_to_another_teams_loan(client, people, book):
    login(client, "tina")
    assert client.post(POST_URL, GOOD).status_code == 404
    assert not Payment.objects.exists()


def test_the_posting_is_audited(client, people, book):
    from arrears.core.models import AuditEntry

    login(client, "tom")
    client.post(POST_URL, GOOD)
    entry = AuditEntry.objects.get(event="payment.post")
    assert (entry.actor, entry.object_id, entry.source) == (people["tom"], "WEB-1", "web")


def test_money_held_for_a_later_due_date_is_marked_as_held(client, people):
    import datetime as dt

    from arrears.core.dates import local_today
    from arrears.testing import make_loan

    today = local_today()
    make_loan(
        external_id="L-NEW", disbursed_on=today - dt.timedelta(days=3), team=people["tom"].team
    )
    login(client, "tom")
    data = GOOD | {"paid_on": today.isoformat(), "amount": "500.00"}
    client.post(reverse("web:loan_payment", args=["L-NEW"]), data)
    html = client.get(reverse("web:loan_detail", args=["L-NEW"])).content.decode()
    assert "到期抵扣" in html


def test_switching_language_on_a_refused_form_returns_to_the_loan_page(client, people, book):
    login(client, "tom")
    response = client.post(POST_URL, GOOD | {"amount": "abc"})
    assert f'name="next" value="{LOAN_URL}"' in response.content.decode()
