"""In a real browser on a phone-sized screen: record a promise on the case page, a payment is
imported, end-of-day runs, and the page shows the promise kept.

Screenshots go to /tmp/arrears-promises-*.png for a person to look at.
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.testing import browser_sign_in, fits_width

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_a_promise_recorded_on_a_phone_is_kept_after_the_payment_and_end_of_day(
    live_server, browser, people, case
):
    from arrears.book.services import payment_post
    from arrears.core.dates import local_today
    from arrears.eod.services import eod_run
    from arrears.promises.models import Promise

    today = local_today()
    page = browser_sign_in(browser, live_server, "carl")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    panel = page.locator("#promises")
    assert "承诺还款" in panel.inner_text()
    if not page.is_visible(".ptp-form"):
        page.click(".ptp-new > summary")
    page.fill(".ptp-form input[name=amount]", "800.00")
    page.fill(".ptp-form input[name=promised_on]", (today + dt.timedelta(days=5)).isoformat())
    page.screenshot(path="/tmp/arrears-promises-form.png", full_page=True)
    page.click(".ptp-form button.primary")
    page.wait_for_load_state()
    promise = Promise.objects.get()
    assert (promise.amount_fen, promise.status) == (80_000, "pending")
    assert "待履行" in page.locator(f"#promise-{promise.pk}").inner_text()
    assert fits_width(page)

    payment_post(
        loan=case.loan, external_id="BANK-1", paid_on=today, amount_fen=80_000, source="import"
    )
    eod_run(as_of=today)
    page.goto(f"{live_server.url}/cases/{case.pk}/")  # not the same URL: a real reload
    item = page.locator(f"#promise-{promise.pk}").inner_text()
    page.screenshot(path="/tmp/arrears-promises-kept.png", full_page=True)
    assert "已履行" in item and "800.00" in item
    assert fits_width(page)
