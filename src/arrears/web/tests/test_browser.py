"""End to end in a real browser: Debian's headless chromium driven by Playwright.

Signs in, opens the loan list, opens a loan and sees its schedule, on a desktop-sized and a
phone-sized screen. Screenshots go to /tmp/arrears-web-*.png for a person to look at.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def loan(people):
    import datetime as dt

    from arrears.book.services import payment_post
    from arrears.testing import make_borrower, make_loan

    borrower = make_borrower(external_id="B-E2E", name="王建国", county="青川县", town="卧水镇")
    loan = make_loan(
        external_id="L-E2E",
        borrower=borrower,
        disbursed_on=dt.date(2026, 1, 10),
        team=people["tom"].team,
        collector=people["carl"],
    )
    payment_post(
        loan=loan, external_id="E2E-PAY-1", paid_on=dt.date(2026, 2, 10), amount_fen=88_849
    )
    return loan


@pytest.mark.parametrize(
    ("size", "viewport"),
    [("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})],
)
def test_a_collector_signs_in_and_opens_a_loan_schedule(live_server, browser, loan, size, viewport):
    from arrears.testing import PASSWORD

    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/loans/")
        # Not signed in: the login page, which then leads back to the list.
        assert "/login/" in page.url
        page.fill("#id_username", "carl")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server.url}/loans/")
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        assert page.locator("h1").inner_text().startswith("贷款")

        page.click("text=L-E2E")
        page.wait_for_url(f"{live_server.url}/loans/L-E2E/")
        schedule = page.locator("#schedule")
        assert "还款计划" in schedule.locator("h2").inner_text()
        assert schedule.locator("tbody tr").count() == 12
        first = schedule.locator("tbody tr").first.inner_text()
        assert "2026-02-10" in first and "788.49" in first and "已还清" in first
        assert "E2E-PAY-1" in page.locator("#payments").inner_text()

        # Nothing is wider than the screen on a phone except the schedule's own scroller.
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= viewport["width"]

        page.screenshot(path=f"/tmp/arrears-web-loan-{size}.png", full_page=True)
        page.goto(f"{live_server.url}/loans/")
        page.screenshot(path=f"/tmp/arrears-web-list-{size}.png", full_page=True)
    finally:
        context.close()
