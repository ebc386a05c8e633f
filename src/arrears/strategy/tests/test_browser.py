"""In a real browser on a phone-sized screen: a manager changes the default strategy in the
editor, and the next end-of-day treats the case under the new version and changes the
collector's queue accordingly.

Screenshots go to /tmp/arrears-strategy-*.png for a person to look at.
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.testing import browser_sign_in, fits_width, make_loan

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_a_manager_changes_the_early_split_and_the_next_end_of_day_uses_it(
    live_server, browser, people
):
    from arrears.cases.models import Case
    from arrears.eod.services import eod_run
    from arrears.queues.models import QueueEntry
    from arrears.strategy.models import CaseDraw, CaseTreatment, Strategy

    loan = make_loan(
        disbursed_on=dt.date(2026, 1, 10), collector=people["carl"], team=people["tom"].team
    )
    eod_run(as_of=dt.date(2026, 2, 20))
    case = Case.objects.get(loan=loan)
    CaseDraw.objects.filter(case=case).update(draw=6000)  # the challenger (call first) at 50/50
    eod_run(as_of=dt.date(2026, 2, 20))
    assert CaseTreatment.objects.get(case=case).path_key == "call_first"

    def queued(day):
        return list(
            QueueEntry.objects.filter(case=case, on=day).values_list("user__username", "channel")
        )

    # Call first: carl's queue for the first day in the segment calls the borrower.
    assert queued(dt.date(2026, 2, 21)) == [("carl", "call")]

    page = browser_sign_in(browser, live_server, "mia")
    page.goto(f"{live_server.url}/strategy/default/edit/")
    assert "顺序、持案天数与占比" in page.content()
    assert fits_width(page)
    row = page.locator("#row-early")
    row.locator("input[name^=share-]").nth(0).fill("70")  # sms first 70, call first 30
    row.locator("input[name^=share-]").nth(1).fill("30")
    page.fill("#rows-note", "短信优先 70%")
    page.screenshot(path="/tmp/arrears-strategy-edit.png", full_page=True)
    page.click("#rows button.primary")
    page.wait_for_load_state()
    assert "/strategy/default/" in page.url
    assert "已保存为第 2 版" in page.content()
    latest = Strategy.objects.get(code="default").latest()
    assert (latest.number, latest.note) == (2, "短信优先 70%")

    eod_run(as_of=dt.date(2026, 2, 21))
    t = CaseTreatment.objects.get(case=case)
    # Draw 6000 is below 7000 now: the same draw, the champion's larger share.
    assert (t.strategy_version.number, t.path_key) == (2, "sms_first")
    # SMS first sent its message on day 0 and calls from day 2: nothing for carl on 02-22.
    assert queued(dt.date(2026, 2, 22)) == []
    eod_run(as_of=dt.date(2026, 2, 22))
    assert queued(dt.date(2026, 2, 23)) == [("carl", "call")]
    page.goto(f"{live_server.url}/strategy/default/")
    page.screenshot(path="/tmp/arrears-strategy-detail.png", full_page=True)
    assert fits_width(page)
