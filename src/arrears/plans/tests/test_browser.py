"""In a real browser on a phone-sized screen: propose a settlement, approve it from the queue.

Screenshots go to /tmp/arrears-plans-*.png for a person to look at.
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.testing import browser_sign_in, fits_width

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_a_settlement_proposed_and_approved_on_a_phone(live_server, browser, people, case):
    from arrears.core.dates import local_today
    from arrears.plans.models import Plan
    from arrears.plans.selectors import amount_due

    full = amount_due(case.loan).full
    page = browser_sign_in(browser, live_server, "carl")
    page.goto(f"{live_server.url}/plans/case/{case.pk}/new/")
    assert "提前结清金额" in page.content()
    assert fits_width(page)
    page.select_option("#id_kind", "settlement")
    page.fill("#id_agreed_total", f"{(full * 3 // 4) // 100}.00")
    page.fill("#id_first_due_on", (local_today() + dt.timedelta(days=7)).isoformat())
    page.screenshot(path="/tmp/arrears-plans-propose.png", full_page=True)
    page.click(".plan-form button.primary")
    page.wait_for_load_state()
    plan = Plan.objects.get()
    assert (plan.kind, plan.status, plan.awaiting_role) == (
        "settlement",
        "pending_approval",
        "manager",
    )

    page = browser_sign_in(browser, live_server, "mia")
    page.goto(f"{live_server.url}/plans/awaiting/")
    assert "待审批还款计划" in page.content()
    assert fits_width(page)
    page.screenshot(path="/tmp/arrears-plans-queue.png", full_page=True)
    page.click(f"#plan-{plan.pk} button[name=approve][value='1']")
    page.wait_for_load_state()
    assert "/plans/awaiting/" in page.url
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by) == ("approved", people["mia"])
