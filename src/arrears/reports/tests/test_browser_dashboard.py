"""In a real browser on a phone: a team lead opens the morning dashboard, follows the
collections tile into the report (chart beside the table) and downloads its XLSX.

Screenshots go to /tmp/arrears-dashboard-*.png for a person to look at.
"""

from __future__ import annotations

import io

import pytest

from arrears.testing import browser_sign_in, fits_width

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_dashboard_then_a_report_and_its_xlsx(live_server, browser, book, people):
    from openpyxl import load_workbook

    page = browser_sign_in(browser, live_server, "tom")
    page.goto(f"{live_server.url}/")
    assert page.is_visible("#morning")
    assert "昨日回款" in page.locator("#tile-collections").inner_text()
    assert fits_width(page)
    page.screenshot(path="/tmp/arrears-dashboard-home.png", full_page=True)
    page.goto(
        f"{live_server.url}/reports/collections/?from=2026-11-01&to=2026-11-30&as_of=2026-11-30"
    )
    assert "1,300.00" in page.locator("#table-received").inner_text()
    assert page.is_visible("#chart-by_channel svg")
    assert fits_width(page)
    page.screenshot(path="/tmp/arrears-dashboard-report.png", full_page=True)
    with page.expect_download() as info:
        page.click("#download-xlsx")
    download = info.value
    assert download.suggested_filename == "collections-2026-11-30.xlsx"
    wb = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    received = wb.worksheets[0]
    assert float(list(received.iter_rows(min_row=2, values_only=True))[0][-1]) == 1300.0
