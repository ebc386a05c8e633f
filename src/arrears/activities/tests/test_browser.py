"""In a real browser on a phone-sized screen: log a call with a promise to pay from the case
page (Debian's chromium driven by Playwright; screenshot in /tmp/arrears-activities-*.png)."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_a_call_with_a_promise_logged_at_390px(
    live_server, browser, people, case, settings, tmp_path
):
    from arrears.activities.models import Activity
    from arrears.activities.tests.conftest import SHANGHAI, yesterday
    from arrears.testing import PASSWORD

    settings.ARREARS_DOCUMENT_ROOT = tmp_path
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/?next=/cases/{case.pk}/")
        page.fill("#id_username", "carl")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
        form = page.locator("form.act-form")
        promise = page.locator(".act-promise")
        assert not promise.is_visible()  # only with the outcome "promise to pay"
        form.locator("select[name=log-outcome]").select_option("promise_to_pay")
        assert promise.is_visible()
        when = dt.datetime.combine(yesterday(), dt.time(10, 30))
        form.locator("input[name=log-occurred_at]").fill(when.strftime("%Y-%m-%dT%H:%M"))
        form.locator("input[name=log-duration_seconds]").fill("90")
        form.locator("textarea[name=log-note]").fill("客户承诺明天还 1500 元")
        form.locator("input[name=log-promise_amount]").fill("1500.00")
        form.locator("input[name=log-promised_on]").fill(
            dt.datetime.now(SHANGHAI).date().isoformat()
        )
        form.locator("button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/cases/{case.pk}/#panel-activities")
        entry = page.locator("ol.timeline li.act").first
        assert "承诺还款" in entry.inner_text() and "10:30" in entry.inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways ({width}px)"
        page.screenshot(path="/tmp/arrears-activities-phone.png", full_page=True)
        a = Activity.objects.get()
        assert (a.outcome, a.duration_seconds) == ("promise_to_pay", 90)
        assert a.occurred_at == when.replace(tzinfo=SHANGHAI)
    finally:
        context.close()


def test_an_opt_out_recorded_on_the_case_page_at_390px(live_server, browser, people, case):
    from arrears.activities.models import RecordedFact
    from arrears.testing import PASSWORD

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/?next=/cases/{case.pk}/")
        page.fill("#id_username", "carl")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
        panel = page.locator("section#facts")
        panel.locator("summary").click()
        panel.locator("select[name=kind]").select_option("opt_out")
        panel.locator("select[name=channel]").select_option("sms")
        panel.locator("input[name=on]").fill("2026-11-20")
        panel.locator("form button[type=submit]").last.click()
        page.wait_for_url(f"{live_server.url}/cases/{case.pk}/#facts")
        assert "债务人退订某一渠道" in page.locator("#fact-list").inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways ({width}px)"
        page.locator("section#facts").screenshot(path="/tmp/arrears-facts-phone.png")
        fact = RecordedFact.objects.get()
        assert (fact.kind, fact.channel, fact.recorded_by) == ("opt_out", "sms", people["carl"])
    finally:
        context.close()
