"""Posting payments through the API: amounts to the fen, idempotence, refusals by field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arrears.book.models import Payment
from arrears.core.dates import local_today
from arrears.core.models import AuditEntry

URL = "/loans/L-CARL/payments"


def post(api, **fields):
    body = {"payment_id": "P-1", "paid_on": "2026-02-10", "amount": "888.49", "channel": "cash"}
    body.update(fields)
    body = {k: v for k, v in body.items() if v is not None}
    return api.post(URL, body)


def only_error(response, status=422):
    assert response.status_code == status, response.content
    [error] = response.json()["errors"]
    return error


@pytest.fixture
def tom(book, api_as):
    return api_as("tom")


def test_it_posts_a_payment_and_shows_its_allocation(tom):
    response = post(tom)
    assert response.status_code == 201
    body = response.json()
    assert body["created"] is True
    payment = body["payment"]
    assert payment["payment_id"] == "P-1"
    assert payment["amount"] == "888.49"
    assert payment["channel"] == "cash"
    assert payment["source"] == "api"
    # The first annuity installment of 10,000.00 at 12% over 12 months: 100.00 + 788.49.
    assert [(a["component"], a["amount"], a["installment_no"]) for a in payment["allocations"]] == [
        ("interest", "100.00", 1),
        ("principal", "788.49", 1),
    ]
    assert body["position"]["outstanding_principal"] == "9211.51"

    schedule = tom.get("/loans/L-CARL/schedule").json()
    assert schedule[0]["principal_paid"] == "788.49"
    assert schedule[0]["interest_paid"] == "100.00"
    listed = tom.get(URL).json()
    assert [p["payment_id"] for p in listed] == ["P-1"]
    assert listed[0]["allocations"] == payment["allocations"]


def test_it_records_who_posted_through_the_api(people, tom):
    post(tom)
    entry = AuditEntry.objects.get(event="payment.post", object_id="P-1")
    assert entry.actor == people["tom"]
    assert entry.source == "api"
    assert entry.after["amount_fen"] == 88849


def test_an_exact_repeat_changes_nothing(tom):
    assert post(tom).status_code == 201
    again = post(tom)
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["payment"]["amount"] == "888.49"
    assert Payment.objects.filter(external_id="P-1").count() == 1
    assert AuditEntry.objects.filter(event="payment.post").count() == 1


def test_a_reused_payment_id_with_another_amount_is_refused(tom):
    post(tom)
    error = only_error(post(tom, amount="888.50"))
    assert error["field"] == "payment_id"
    assert error["code"] == "duplicate_payment_id"
    assert Payment.objects.get(external_id="P-1").amount_fen == 88849


def test_a_reused_payment_id_on_another_loan_is_refused(book, api_as):
    mia = api_as("mia")
    assert post(mia).status_code == 201
    response = mia.post(
        "/loans/L-CORA/payments", {"payment_id": "P-1", "paid_on": "2026-02-10", "amount": "888.49"}
    )
    assert only_error(response)["field"] == "payment_id"


def test_a_future_date_is_refused(tom):
    tomorrow = local_today() + dt.timedelta(days=1)
    error = only_error(post(tom, paid_on=tomorrow.isoformat()))
    assert error["field"] == "paid_on"
    assert error["code"] == "paid_in_future"
    assert not Payment.objects.exists()


def test_a_date_before_disbursement_is_refused(tom):
    error = only_error(post(tom, paid_on="2026-01-09"))
    assert (error["field"], error["code"]) == ("paid_on", "paid_before_disbursement")


def test_an_impossible_date_is_refused(tom):
    assert only_error(post(tom, paid_on="2026-02-30"))["field"] == "paid_on"


@pytest.mark.parametrize("amount", [888.49, 888.0, 1e3])
def test_a_json_float_amount_is_refused_with_a_hint(tom, amount):
    error = only_error(post(tom, amount=amount))
    assert error["field"] == "amount"
    assert error["code"] == "bad_amount"
    assert "string" in error["message"]
    assert not Payment.objects.exists()


def test_a_whole_number_of_yuan_is_accepted(tom):
    response = post(tom, amount=888)
    assert response.status_code == 201
    assert response.json()["payment"]["amount"] == "888.00"


@pytest.mark.parametrize(
    "amount", ["888.499", "-5", "1,000", "abc", "", "1e3", "NaN", "Infinity", True, None, [1]]
)
def test_a_malformed_amount_is_refused(tom, amount):
    body = {"payment_id": "P-1", "paid_on": "2026-02-10", "amount": amount}
    error = only_error(tom.post(URL, body))
    assert error["field"] == "amount"


def test_a_zero_amount_is_refused(tom):
    error = only_error(post(tom, amount="0.00"))
    assert (error["field"], error["code"]) == ("amount", "amount_not_positive")


def test_an_unknown_channel_is_refused(tom):
    assert only_error(post(tom, channel="bitcoin"))["field"] == "channel"


def test_channel_defaults_to_other(tom):
    response = post(tom, channel=None)
    assert response.json()["payment"]["channel"] == "other"


@pytest.mark.parametrize("payment_id", ["", "   ", "P\x00-1", "P\n1", "x" * 65])
def test_a_bad_payment_id_is_refused(tom, payment_id):
    assert only_error(post(tom, payment_id=payment_id))["field"] == "payment_id"


def test_missing_fields_are_each_named(tom):
    response = tom.post(URL, {})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"payment_id", "paid_on", "amount"}


def test_an_overpayment_pays_later_installments_and_keeps_the_rest_as_credit(tom):
    body = post(tom, amount="20000.00").json()
    allocations = body["payment"]["allocations"]
    # Every fen of the payment is accounted for.
    assert sum(Decimal(a["amount"]) for a in allocations) == Decimal("20000.00")
    # The schedule totals 10,661.86 (10,000.00 principal + 661.86 interest); the rest is credit.
    assert [a["amount"] for a in allocations if a["component"] == "credit"] == ["9338.14"]
    assert allocations[-1]["installment_no"] == 12
    position = tom.get("/loans/L-CARL", as_of="2027-02-01").json()["position"]
    assert position["outstanding_principal"] == "0.00"
    assert position["credit_balance"] == "9338.14"
    assert tom.get("/loans/L-CARL").json()["terms"]["status"] == "paid_off"


def test_posting_to_a_loan_outside_scope_is_404(book, api_as):
    response = api_as("tina").post(
        URL, {"payment_id": "P-1", "paid_on": "2026-02-10", "amount": "1.00"}
    )
    assert only_error(response, 404)["code"] == "not_found"
    assert not Payment.objects.exists()
