"""The agencies pages: place a batch, recall it, upload an agency's file and decide, the
statement as PDF and XLSX (to the fen), performance, and the agency user's case panel."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from arrears.agencies.models import AgencyPayment, Placement, PlacementBatch
from arrears.book.services import payment_post
from arrears.cases.models import Case

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def as_user(user, lang="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def test_a_manager_places_a_batch_by_hand_and_recalls_it(people, agency, cases, today):
    mia = as_user(people["mia"])
    response = mia.post(
        "/agencies/place/",
        {
            "agency": agency.pk,
            "number": "B-WEB-1",
            "starts_on": today,
            "ends_on": today + 30 * DAY,
            "cases": f"{cases['m1'].pk}, #{cases['m4'].pk}",
            "limit": 100,
        },
    )
    batch = PlacementBatch.objects.get(number="B-WEB-1")
    assert response.status_code == 302 and response["Location"] == f"/agencies/batches/{batch.pk}/"
    html = mia.get(response["Location"]).content.decode()
    assert "L-M1" in html and "L-M4" in html and "With the agency" in html
    assert Case.objects.get(pk=cases["m1"].pk).agency_id == agency.pk
    mia.post(f"/agencies/batches/{batch.pk}/", {})
    assert set(Placement.objects.values_list("status", flat=True)) == {"recalled"}
    assert Case.objects.get(pk=cases["m1"].pk).agency_id is None


def test_placing_with_an_agency_overdue_for_review_shows_why(people, agency, cases, today):
    from arrears.core.models import Agency

    Agency.objects.filter(pk=agency.pk).update(review_due_on=today - DAY)
    response = as_user(people["mia"]).post(
        "/agencies/place/",
        {
            "agency": agency.pk,
            "number": "B-LATE",
            "starts_on": today,
            "ends_on": today + 30 * DAY,
            "cases": str(cases["m1"].pk),
            "limit": 100,
        },
    )
    assert response.status_code == 200
    assert (
        f"Agency One is overdue for its yearly review (due {today - DAY}): no placements until "
        "it is reviewed." in response.content.decode()
    )
    assert not Placement.objects.exists()


def test_placing_by_filter_takes_the_matching_open_cases(people, agency, cases, today):
    as_user(people["mia"]).post(
        "/agencies/place/",
        {
            "agency": agency.pk,
            "number": "B-M4",
            "starts_on": today,
            "ends_on": today + 30 * DAY,
            "by_filter": "on",
            "bucket": "M4",
            "limit": 100,
        },
    )
    assert list(Placement.objects.values_list("case__loan__external_id", flat=True)) == ["L-M4"]


def test_upload_then_confirm_a_differing_payment(people, placed, cases, today):
    day = today - 2 * DAY
    payment_post(loan=cases["m4"].loan, external_id="P-9", paid_on=day, amount_fen=400_00)
    mia = as_user(people["mia"])
    csv = (
        "payment_id,loan_id,paid_on,amount,agency,reference\n"
        f"AG-9,L-M4,{day},450.00,Agency One,P-9\n"
    ).encode()
    response = mia.post(
        "/agencies/reconciliation/",
        {"file": SimpleUploadedFile("agency.csv", csv, "text/csv")},
    )
    assert response.status_code == 302
    html = mia.get("/agencies/reconciliation/").content.decode()
    assert "AG-9" in html and "450.00" in html and "Differs" in html
    item = AgencyPayment.objects.get()
    mia.post(f"/agencies/reconciliation/{item.pk}/decide/", {"decision": "confirm"})
    item.refresh_from_db()
    assert (item.status, item.ledger_payment.external_id, item.decided_by) == (
        "confirmed",
        "P-9",
        people["mia"],
    )


def test_a_bad_file_lists_its_row_errors(people, placed):
    csv = b"payment_id,loan_id,paid_on,amount,agency,reference\nAG-1,L-NONE,2026-01-01,1,Agency One,\n"
    html = (
        as_user(people["mia"])
        .post("/agencies/reconciliation/", {"file": SimpleUploadedFile("a.csv", csv)})
        .content.decode()
    )
    assert "row 2, column loan_id: no such loan" in html
    assert not AgencyPayment.objects.exists()


def test_the_statement_pdf_and_xlsx_reconcile_to_the_fen(people, placed, cases, today):
    from openpyxl import load_workbook

    day = today - DAY
    payment_post(loan=cases["m1"].loan, external_id="P-1", paid_on=day, amount_fen=333_33)
    payment_post(loan=cases["m4"].loan, external_id="P-2", paid_on=day, amount_fen=1_000_01)
    mia = as_user(people["mia"])
    url = f"/agencies/{placed.agency_id}/statement/{day:%Y-%m}/"
    html = mia.get(url).content.decode()
    # 333.33 × 15% = 50.00; 1,000.01 × 20% = 200.00 (200.002)
    assert 'id="money-total">1,333.34<' in html and 'id="commission-total">250.00<' in html
    pdf = mia.get(url + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = mia.get(url + "?format=xlsx")
    ws = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[-1][5] == 1333.34 and rows[-1][7] == 250.00
    assert sorted(r[0] for r in rows[1:-1]) == ["P-1", "P-2"]


def test_performance_shows_agencies_beside_teams(people, placed, cases, today):
    payment_post(loan=cases["m1"].loan, external_id="P-1", paid_on=today - DAY, amount_fen=100_00)
    html = as_user(people["mia"]).get("/agencies/performance/").content.decode()
    assert "Agency One" in html and "Team B" in html and "in-house" in html


def test_the_agency_user_sees_the_panel_and_reports_a_payment(people, placed, cases, today):
    ada = as_user(people["ada"])
    html = ada.get(f"/cases/{cases['m1'].pk}/").content.decode()
    assert "Report a payment the borrower made to the agency" in html
    ada.post(
        f"/agencies/case/{cases['m1'].pk}/report/",
        {"payment_id": "ADA-1", "paid_on": today - DAY, "amount": "88.80"},
    )
    assert AgencyPayment.objects.get().amount_fen == 88_80
    # The lender's pages are not the agency's.
    assert ada.get("/agencies/").status_code == 403
    assert ada.get(f"/cases/{cases['tina'].pk}/").status_code == 404


def test_the_pages_read_in_chinese(people, placed):
    zh = as_user(people["mia"], "zh-hans")
    html = zh.get("/agencies/").content.decode()
    assert "委外机构" in html and "回款核对" in html and "委外中" in html


def test_the_agency_user_follows_their_reported_payments(people, placed, cases, today):
    from arrears.agencies import services

    services.agency_payment_report(
        agency=placed.agency,
        payment_id="ADA-7",
        loan=cases["m4"].loan,
        paid_on=today - DAY,
        amount_fen=12_00,
        actor=people["ada"],
    )
    html = as_user(people["ada"], "zh-hans").get("/agencies/reconciliation/").content.decode()
    assert "回款报告" in html and "ADA-7" in html
    assert "/decide/" not in html  # deciding is the lender's


def test_the_agency_user_sees_phone_numbers_masked(people, placed, cases):
    html = as_user(people["ada"]).get(f"/cases/{cases['m1'].pk}/").content.decode()
    assert "138****5678" in html and "13812345678" not in html


def test_a_contract_is_saved_from_the_page_and_a_gap_is_named(people, agency, today):
    mia = as_user(people["mia"])
    form = {
        "contract": "1",
        "c-number": "C-WEB",
        "c-valid_from": today,
        "c-valid_to": today + 300 * DAY,
        "c-approved": "on",
        "c-last_review_on": today,
        "c-tier_key": "amount",
        "c-basis": "credited",
        "c-tiers": "0-5000 12%\n6000- 10%",
    }
    html = mia.post(f"/agencies/{agency.pk}/", form).content.decode()
    assert "gap between tiers [0.00, 5,000.00) and [6,000.00, ∞) (5,000.00 to 6,000.00)" in html
    form["c-tiers"] = "0-5000 12%\n5000- 10%"
    assert mia.post(f"/agencies/{agency.pk}/", form).status_code == 302
    contract = agency.contracts.get(number="C-WEB")
    assert [(t.low, t.high, str(t.rate)) for t in contract.tiers.all()] == [
        (0, 500_000, "0.120000"),
        (500_000, None, "0.100000"),
    ]
