"""In Chromium at phone size (390 px), in Chinese: a team lead moves the end of a collector's
absence and then cancels it from the person page; a manager deletes an allocation rule after
confirming. Screenshots go to /tmp/arrears-absence-*.png for a person to look at.
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.testing import PHONE, browser_sign_in, fits_width

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_a_team_lead_moves_the_end_of_an_absence_then_cancels_it(live_server, browser, people):
    from arrears.cases.allocation import absence_record
    from arrears.cases.models import Absence
    from arrears.core.dates import local_today

    today = local_today()
    away = absence_record(
        user=people["carl"],
        starts_on=today,
        ends_on=today + dt.timedelta(days=6),
        reason="leave",
        note="年假",
        actor=people["tom"],
    )
    page = browser_sign_in(browser, live_server, "tom", viewport=PHONE)
    page.goto(f"{live_server.url}/cases/people/{people['carl'].pk}/")
    row = page.locator(f"li[data-absence='{away.pk}']")
    row.locator("summary", has_text="更改结束日期").click()
    assert fits_width(page)
    row.locator("input[type=date]").fill((today + dt.timedelta(days=2)).isoformat())
    page.screenshot(path="/tmp/arrears-absence-1-change.png", full_page=True)
    row.locator("button", has_text="改为此结束日期").click()
    page.wait_for_load_state()
    assert "缺勤现在于" in page.inner_text("body")
    away.refresh_from_db()
    assert away.ends_on == today + dt.timedelta(days=2)

    row = page.locator(f"li[data-absence='{away.pk}']")
    row.locator("summary", has_text="取消缺勤").click()
    assert fits_width(page)
    row.locator("input[type=text]").fill("提前返岗")
    page.screenshot(path="/tmp/arrears-absence-2-cancel.png", full_page=True)
    row.locator("button", has_text="取消缺勤").click()
    page.wait_for_load_state()
    assert "缺勤已取消" in page.inner_text("body")
    assert Absence.objects.get(pk=away.pk).cancelled_on == today
    assert page.locator(f"li[data-absence='{away.pk}']").count() == 0


def test_a_manager_deletes_a_rule_after_confirming(live_server, browser, people):
    from arrears.cases.models import AllocationRule

    AllocationRule.objects.create(position=1, name="梅州客家", team=people["tom"].team)
    page = browser_sign_in(browser, live_server, "mia", viewport=PHONE)
    page.goto(f"{live_server.url}/cases/allocation/rules/")
    row = page.locator("tr", has_text="梅州客家")
    row.locator("summary", has_text="删除").click()
    assert fits_width(page)
    assert "确认删除规则 梅州客家" in row.inner_text()
    page.screenshot(path="/tmp/arrears-absence-3-rule.png", full_page=True)
    row.locator("button", has_text="确认删除").click()
    page.wait_for_load_state()
    assert "规则 梅州客家 已删除" in page.inner_text("body")
    assert not AllocationRule.objects.exists()
