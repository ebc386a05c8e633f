"""The newcomer's path: import a loans and a payments file, then see the same balances in the
browser, the API and the export."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from arrears.core.models import ApiToken
from arrears.ingest.tests.files import LOAN_HEADERS, PAYMENT_HEADERS, loan_row, write_csv
from arrears.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path, people):
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    loans = write_csv(
        tmp_path / "贷款.csv",
        LOAN_HEADERS,
        [
            # Bullet 10,000.00 at 12% for 6 months: 600.00 interest due 2026-07-10.
            loan_row(1, principal="10000", term_months="6", repayment_method="到期一次还本付息"),
            # 等额本息 12,000.00 at 12% over 12 months: 1,066.19 a month from 2026-02-10.
            loan_row(2, repayment_method="等额本息"),
        ],
        encoding="gbk",
        chinese=True,
    )
    call_command("import", "loans", str(loans), "--no-progress", **quiet)
    payments = write_csv(
        tmp_path / "还款.csv",
        PAYMENT_HEADERS,
        [
            # Ten days late: 10,000 × 18% / 360 × 10 = 50.00 penalty, then interest, principal.
            {"payment_id": "T1", "loan_id": "L0001", "paid_on": "2026-07-20", "amount": "10650"},
            {"payment_id": "T2", "loan_id": "L0002", "paid_on": "2026-02-10", "amount": "1066.19"},
        ],
        chinese=True,
    )
    call_command("import", "payments", str(payments), "--no-progress", **quiet)


def test_the_browser_shows_the_imported_balances(client, imported):
    client.login(username="mia", password=PASSWORD)

    paid_off = client.get("/loans/L0001/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Paid off" in paid_off
    for amount in ("50.00", "600.00", "10,000.00"):  # the allocation of T1
        assert amount in paid_off

    partly = client.get("/loans/L0002/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "11,053.81" in partly  # 12,000.00 less the 946.19 principal of installment 1


def test_the_api_shows_the_imported_balances(client, imported, people):
    _, raw = ApiToken.issue(people["mia"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    payments = client.get("/api/v1/loans/L0001/payments", **auth).json()
    allocations = {a["component"]: a["amount"] for a in payments[0]["allocations"]}
    assert allocations == {"penalty": "50.00", "interest": "600.00", "principal": "10000.00"}
    detail = client.get("/api/v1/loans/L0002", **auth).json()
    assert detail["position"]["outstanding_principal"] == "11053.81"
    assert client.get("/api/v1/loans/L0001", **auth).json()["terms"]["status"] == "paid_off"


def test_the_export_shows_the_imported_balances(imported):
    out = io.StringIO()
    call_command("export", "loans", "--format", "csv", stdout=out)
    rows = {r["loan_id"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert rows["L0001"]["outstanding_principal"] == "0.00"
    assert rows["L0001"]["paid_penalty"] == "50.00"
    assert rows["L0001"]["paid_interest"] == "600.00"
    assert rows["L0002"]["outstanding_principal"] == "11053.81"
    assert rows["L0002"]["paid_interest"] == "120.00"
