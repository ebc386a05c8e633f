"""In a real browser at phone size, in Chinese: a manager previews a filter and proposes, an
administrator approves on the phone; every write-off page fits the screen and reads in
Chinese; the case page shows the write-off."""

from __future__ import annotations

import pytest

from arrears.testing import browser_sign_in, fits_width

pytestmark = [pytest.mark.browser]


def test_propose_by_filter_and_approve_on_a_phone(live_server, browser, people, case):
    from arrears.book.models import Loan
    from arrears.core.dates import local_today
    from arrears.eod.services import eod_run
    from arrears.web.tests.pages import english_pattern, english_strings
    from arrears.web.tests.test_browser_phone_zh import VISIBLE_TEXT
    from arrears.writeoff.models import WriteOffProposal

    eod_run(as_of=local_today())
    english = english_pattern(english_strings())
    problems = []

    def check(page, what, *, text=True):
        if not fits_width(page):
            page.screenshot(path=f"/tmp/arrears-phone-writeoff-{what}.png", full_page=True)
            problems.append(f"{what}: wider than the phone")
        # (The case page also shows the test's team, named "Team A": only its panel is ours.)
        found = sorted(set(english.findall(page.evaluate(VISIBLE_TEXT) if text else "")))
        if found:
            problems.append(f"{what}: English {found}")

    mia = browser_sign_in(browser, live_server, "mia")
    mia.goto(f"{live_server.url}/writeoff/new/")
    check(mia, "new")
    mia.select_option("#f-reason", "other")
    mia.click("#by-filter button[type=submit]")
    assert "L-WO" in mia.locator("#preview").inner_text()
    check(mia, "preview")
    mia.fill("#f-explain", "借款人失联两年，无财产可执行")
    mia.click("text=对这些贷款提出核销")
    mia.wait_for_url(lambda url: "/writeoff/" in url and url.rstrip("/").split("/")[-1].isdigit())
    proposal = WriteOffProposal.objects.get()
    assert "此核销由您提出" in mia.content()
    check(mia, "detail-own")

    alice = browser_sign_in(browser, live_server, "alice")
    alice.goto(f"{live_server.url}/writeoff/{proposal.pk}/")
    check(alice, "detail")
    alice.click("text=批准并核销")
    alice.wait_for_load_state()
    assert "已批准并核销" in alice.locator("#status").inner_text()
    assert Loan.objects.get(external_id="L-WO").status == "written_off"
    for url in ("/writeoff/", "/writeoff/authority/", "/writeoff/ledger/"):
        alice.goto(f"{live_server.url}{url}")
        check(alice, url.strip("/").replace("/", "-"))
    assert "L-WO" in alice.locator("#ledger").inner_text()
    alice.goto(f"{live_server.url}/cases/{case.pk}/")
    panel = alice.locator("#writeoff").inner_text()
    from arrears.core.money import format_yuan
    from arrears.writeoff.models import WrittenOffLoan

    written = WrittenOffLoan.objects.get()
    assert "已核销（账销案存）" in panel and format_yuan(written.total_fen) in panel
    assert not english.findall(panel)
    check(alice, "case", text=False)
    alice.screenshot(path="/tmp/arrears-phone-writeoff-case.png", full_page=True)
    assert problems == []
