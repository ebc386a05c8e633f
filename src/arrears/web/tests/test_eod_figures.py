"""The loan and borrower pages show the latest end-of-day figures and the collection case."""

import datetime as dt

import pytest

from arrears.eod.services import eod_run
from arrears.testing import PASSWORD, make_loan

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def late_loan():
    # Bullet 10,000.00 due 2026-07-10, nothing paid: as of 2026-11-28 DPD 141, M5, 次级.
    return make_loan(
        external_id="L-LATE", method="bullet", term_months=6, disbursed_on=D(2026, 1, 10)
    )


def test_loan_page_shows_bucket_class_limitation_and_the_open_case(client, people, late_loan):
    eod_run(as_of=D(2026, 11, 28))
    client.login(username="mia", password=PASSWORD)

    page = client.get("/loans/L-LATE/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "End-of-day figures as of 2026-11-28" in page
    assert ">M5<" in page
    assert "Substandard" in page
    assert "2029-07-10" in page  # three years after the last due date
    assert "11,305.00" in page  # 10,000.00 + 600.00 interest + 705.00 penalty
    assert "Collection case" in page and "since 2026-11-28" in page


def test_loan_page_before_any_run_says_so(client, people, late_loan):
    client.login(username="mia", password=PASSWORD)
    page = client.get("/loans/L-LATE/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No end-of-day run has included this loan yet." in page


def test_borrower_page_lists_each_loans_bucket(client, people, late_loan):
    eod_run(as_of=D(2026, 11, 28))
    client.login(username="mia", password=PASSWORD)
    page = client.get(
        f"/borrowers/{late_loan.borrower.external_id}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert ">M5<" in page
    assert "Substandard" in page
