"""Issue 13's browser tests for assignment (分案) and closed cases, in Chromium at phone size.

1. tom (team lead of team A) filters the case list to his team's cases with no collector —
   twenty of them — assigns them all to cora by the filter with a reason, then opens one
   and undoes that move: nineteen stay with cora, the one goes back to nobody.
2. A closed case shows no stale actions: no promise, plan, reassign or complaint forms and
   none of those quick actions; its superseded promise stays in the history.

Screenshots go to /tmp/arrears-assign-*.png for a person to look at.
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.testing import PHONE, browser_sign_in, fits_width

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_a_team_lead_assigns_twenty_unassigned_cases_by_filter_and_undoes_one(
    live_server, browser, people, cases
):
    from arrears.cases.models import Case, CaseAssignment
    from arrears.cases.tests.conftest import bullet, open_case
    from arrears.testing import make_borrower

    team = people["tom"].team
    new = [open_case(bullet(f"L-NEW{i:02d}", make_borrower(), team=team)) for i in range(20)]
    assert Case.objects.filter(team=team, collector__isnull=True).count() == 20

    page = browser_sign_in(browser, live_server, "tom", viewport=PHONE)
    page.goto(f"{live_server.url}/cases/?collector=none&status=open")
    assert fits_width(page)
    page.locator("#assign-bar summary").click()
    bar = page.locator("form#bulk-assign")
    bar.locator("input[name=scope][value=filter]").check()
    bar.locator("select[name=to]").select_option(f"u:{people['cora'].pk}")
    bar.locator("input[name=reason]").fill("新案分配")
    bar.screenshot(path="/tmp/arrears-assign-1-list.png")
    bar.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert Case.objects.filter(pk__in=[c.pk for c in new], collector=people["cora"]).count() == 20
    assert Case.objects.get(pk=cases["tina"].pk).collector is None  # team B: untouched

    one = new[7]
    page.goto(f"{live_server.url}/cases/{one.pk}/#assignment")
    assert fits_width(page)
    undo = page.locator("form.undo-form")
    assert undo.is_visible()
    page.screenshot(path="/tmp/arrears-assign-2-case.png", full_page=True)
    undo.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/cases/{one.pk}/#assignment")

    assert Case.objects.get(pk=one.pk).collector is None
    assert Case.objects.filter(pk__in=[c.pk for c in new], collector=people["cora"]).count() == 19
    row = CaseAssignment.objects.get(case=one, kind="assign")
    assert row.undone_by == people["tom"]
    assert page.locator("form.undo-form").count() == 0
    assert page.locator("ol.assignment-history li[data-kind=undo]").count() == 1

    # The team's load: cora carries the nineteen, one case is back without a collector.
    page.goto(f"{live_server.url}/cases/load/")
    assert fits_width(page)
    page.screenshot(path="/tmp/arrears-assign-4-load.png", full_page=True)
    cora = page.locator("tr[data-user=cora]")
    assert "20" in cora.inner_text()  # her own case and nineteen new ones


def test_a_closed_case_shows_no_stale_actions(live_server, browser, people, case):
    from arrears.cases.models import Case
    from arrears.core.dates import local_today
    from arrears.eod.phases import EodPhaseContext
    from arrears.plans.eod import plans_case_closed_phase
    from arrears.promises.eod import promises_case_closed_phase
    from arrears.promises.services import promise_record

    promise_record(
        case=case,
        amount_fen=150_000,
        promised_on=local_today() + dt.timedelta(days=3),
        actor=people["carl"],
        source="web",
    )
    Case.objects.filter(pk=case.pk).update(
        status="closed", closed_on=local_today(), close_reason="paid_off"
    )
    ctx = EodPhaseContext(as_of=local_today(), is_latest=True)
    promises_case_closed_phase(ctx)
    plans_case_closed_phase(ctx)

    page = browser_sign_in(browser, live_server, "tom", viewport=PHONE)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert fits_width(page)
    page.screenshot(path="/tmp/arrears-assign-3-closed.png", full_page=True)
    assert page.locator("#closed-note").is_visible()
    for action in ("assign", "assists", "escalate", "complaints", "debtor-type", "whereabouts"):
        assert page.locator(f"form[action='/cases/{case.pk}/{action}/']").count() == 0, action
    assert page.locator("form[action*='/promises/']").count() == 0
    assert page.locator("form[action*='/plans/']").count() == 0
    quick = page.locator("nav.quick")
    for anchor in ("#panel-promises", "#panel-plans", "#situations", "#profile"):
        assert quick.locator(f"a[href='{anchor}']").count() == 0, anchor
    # The history stays: the promise is listed, superseded (已被取代 or its English label).
    assert page.locator("#promises").inner_text().count("1,500.00") >= 1
