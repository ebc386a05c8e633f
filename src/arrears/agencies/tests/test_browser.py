"""In a real browser (Chromium, phone-sized, Chinese): a manager places a batch, imports an
agency's payments file, confirms the differing payment and recalls the batch."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_place_import_confirm_and_recall_at_390px(
    live_server, browser, people, agency, cases, today, tmp_path
):
    from arrears.agencies.models import AgencyPayment, Placement
    from arrears.book.services import payment_post
    from arrears.cases.models import Case
    from arrears.testing import browser_sign_in, fits_width

    page = browser_sign_in(browser, live_server, "mia")
    try:
        # 1. Place carl's two cases with Agency One.
        page.goto(f"{live_server.url}/agencies/place/")
        page.select_option("#id_agency", str(agency.pk))
        page.fill("#id_number", "B-BROWSER")
        page.fill("#id_starts_on", (today - dt.timedelta(days=5)).isoformat())
        page.fill("#id_ends_on", (today + dt.timedelta(days=30)).isoformat())
        page.fill("#id_cases", f"{cases['m1'].pk} {cases['m4'].pk}")
        page.click("button[type=submit].primary")
        page.wait_for_url(lambda url: "/agencies/batches/" in url)
        assert "委外中" in page.inner_text("main")
        assert fits_width(page), "the batch page scrolls sideways"
        assert Case.objects.get(pk=cases["m1"].pk).agency_id == agency.pk

        # 2. The borrower paid 300.00 to the lender; the agency reports 320.00.
        day = today - dt.timedelta(days=2)
        payment_post(loan=cases["m1"].loan, external_id="P-77", paid_on=day, amount_fen=300_00)
        file = tmp_path / "agency.csv"
        file.write_text(
            "payment_id,loan_id,paid_on,amount,agency,reference\n"
            f"AG-77,L-M1,{day},320.00,Agency One,P-77\n",
            encoding="utf-8",
        )
        page.goto(f"{live_server.url}/agencies/reconciliation/")
        page.set_input_files("#id_file", str(file))
        page.click("button[type=submit].primary")
        page.wait_for_selector("#to-check tbody tr[id^=report-]")
        row = page.locator("#to-check tbody tr[id^=report-]").first
        assert "AG-77" in row.inner_text() and "320.00" in row.inner_text()
        assert "不一致" in row.inner_text()  # differs from the lender's 300.00
        assert fits_width(page), "the reconciliation page scrolls sideways"

        # 3. Confirm it: credited at the lender's figure.
        row.locator("button[value=confirm]").click()
        page.wait_for_selector("text=没有待核对的回款。")
        item = AgencyPayment.objects.get()
        assert (item.status, item.ledger_payment.amount_fen) == ("confirmed", 300_00)

        # 4. Recall the whole batch.
        batch = Placement.objects.first().batch
        page.goto(f"{live_server.url}/agencies/batches/{batch.pk}/")
        page.click("#recall-batch")
        page.wait_for_selector("text=已收回 2 个案件。")
        assert set(Placement.objects.values_list("status", flat=True)) == {"recalled"}
        assert Case.objects.get(pk=cases["m1"].pk).agency_id is None
        page.screenshot(path="/tmp/arrears-agencies-phone.png", full_page=True)
    finally:
        page.context.close()
