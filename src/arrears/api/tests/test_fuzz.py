"""No input, however odd, makes the API answer 5xx (schemathesis does this from the OpenAPI
document in CI; this is the quick, always-on version)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.book.models import Payment

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
amounts = (
    json_values
    | st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str)
    | st.integers(min_value=-(10**20), max_value=10**20)
)
dates = json_values | st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(str)
payment_bodies = st.fixed_dictionaries(
    {},
    optional={
        "payment_id": json_values | st.text(min_size=1, max_size=70),
        "paid_on": dates,
        "amount": amounts,
        "channel": json_values | st.sampled_from(Payment.Channel.values),
    },
)


@pytest.fixture
def tom(book, api_as):
    return api_as("tom")


@SETTINGS
@given(body=payment_bodies | json_values)
def test_no_payment_body_causes_a_server_error(tom, body):
    response = tom.post("/loans/L-CARL/payments", body)
    assert response.status_code < 500
    assert response.status_code in {200, 201} or "errors" in response.json()


@SETTINGS
@given(
    params=st.fixed_dictionaries(
        {},
        optional={
            "q": st.text(max_size=120),
            "status": st.text(max_size=12),
            "county": st.text(max_size=60),
            "town": st.text(max_size=60),
            "method": st.text(max_size=12),
            "overdue": st.text(max_size=6),
            "page": st.text(max_size=8) | st.integers().map(str),
            "page_size": st.text(max_size=8) | st.integers().map(str),
        },
    )
)
def test_no_loan_filter_causes_a_server_error(tom, params):
    assert tom.get("/loans", **params).status_code < 500


@SETTINGS
@given(
    loan_id=st.text(min_size=1, max_size=80),
    as_of=st.none() | st.text(max_size=12) | st.dates().map(str),
)
def test_no_loan_id_or_date_causes_a_server_error(tom, loan_id, as_of):
    params = {} if as_of is None else {"as_of": as_of}
    for suffix in ("", "/schedule", "/payments", "/charges"):
        response = tom.get(f"/loans/{quote(loan_id, safe='')}{suffix}", **params)
        assert response.status_code < 500, (loan_id, suffix)
    response = tom.get(f"/borrowers/{quote(loan_id, safe='')}/loans")
    assert response.status_code < 500
