"""Issue 4's browser test, end to end on a phone-sized screen in Chromium.

collector carl signs in at 390×844, opens his case page and logs a call through the activity
log form with the outcome "promise to pay" and the promise's amount and date; a payment file
is imported through `arrears import payments FILE` (the real import path), end-of-day runs
(`arrears eod --as-of`), and the reloaded page shows the promise kept (已履行) with its amount,
fitting the screen's width. Screenshots go to /tmp/arrears-casework-*.png for a person to
look at.

Dates are relative to today: the call was yesterday at 10:30 Asia/Shanghai (inside the
08:00–22:00 contact hours, and not in the future whatever the hour now), the promise is to pay
within three days of today, the payment is dated today and end-of-day runs as of today.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from arrears.testing import PHONE, browser_sign_in, fits_width

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_call_with_a_promise_on_a_phone_then_an_imported_payment_and_eod_show_it_kept(
    live_server, browser, people, case, settings, tmp_path
):
    from arrears.activities.models import Activity
    from arrears.book.models import Payment
    from arrears.promises.models import Promise

    settings.ARREARS_DOCUMENT_ROOT = tmp_path
    today = dt.datetime.now(SHANGHAI).date()
    yesterday = today - dt.timedelta(days=1)
    pay_by = today + dt.timedelta(days=3)

    # 1. carl, on a phone, logs yesterday's call: promise to pay 1,500.00 by pay_by.
    page = browser_sign_in(browser, live_server, "carl", viewport=PHONE)
    assert page.viewport_size == {"width": 390, "height": 844}
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert fits_width(page)
    form = page.locator("form.act-form")
    form.locator("select[name=log-channel]").select_option("call")
    form.locator("select[name=log-outcome]").select_option("promise_to_pay")
    assert page.locator(".act-promise").is_visible()
    form.locator("input[name=log-occurred_at]").fill(f"{yesterday.isoformat()}T10:30")
    form.locator("input[name=log-duration_seconds]").fill("120")
    form.locator("textarea[name=log-note]").fill("客户承诺三天内还 1500 元")
    form.locator("input[name=log-promise_amount]").fill("1500.00")
    form.locator("input[name=log-promised_on]").fill(pay_by.isoformat())
    page.screenshot(path="/tmp/arrears-casework-1-form.png", full_page=True)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/#panel-activities")

    call = Activity.objects.get(case=case)
    assert (call.channel, call.outcome, call.duration_seconds) == ("call", "promise_to_pay", 120)
    assert call.occurred_at == dt.datetime.combine(yesterday, dt.time(10, 30), SHANGHAI)
    promise = Promise.objects.get(loan=case.loan)
    assert (promise.amount_fen, promise.promised_on, promise.status) == (
        150_000,
        pay_by,
        "pending",
    )
    assert promise.created_on == yesterday
    assert "待履行" in page.locator(f"#promise-{promise.pk}").inner_text()
    assert fits_width(page)
    page.screenshot(path="/tmp/arrears-casework-2-promised.png", full_page=True)

    # 2. The bank's payment file is imported through the CLI's import path.
    path = tmp_path / "payments.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["payment_id", "loan_id", "paid_on", "amount", "channel"])
        w.writerow(
            ["BANK-PTP-1", case.loan.external_id, today.isoformat(), "1500.00", "bank_transfer"]
        )
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "payments", str(path), "--no-progress", stdout=out, stderr=err)
    assert err.getvalue() == "", err.getvalue()
    payment = Payment.objects.get(external_id="BANK-PTP-1")
    assert (payment.loan_id, payment.paid_on, payment.amount_fen) == (case.loan_id, today, 150_000)

    # 3. End-of-day runs as of today.
    call_command("eod", "--as-of", today.isoformat(), "--no-progress", stdout=io.StringIO())
    promise.refresh_from_db()
    assert promise.status == "kept"

    # 4. The page, reloaded, shows the promise kept with its amount, on the phone's width.
    page.reload()
    page.wait_for_load_state()
    item = page.locator(f"#promise-{promise.pk}")
    item.scroll_into_view_if_needed()
    text = item.inner_text()
    page.screenshot(path="/tmp/arrears-casework-3-kept.png", full_page=True)
    assert "已履行" in text, text
    assert "1,500.00" in text or "1500.00" in text, text
    assert fits_width(page)
    page.context.close()
