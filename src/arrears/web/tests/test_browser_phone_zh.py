"""In a real browser at phone size (390 px), for every demo role: every page fits the screen
and every zh-Hans page reads in Chinese; and a collector finds today's callbacks on the home
page (issue 13, "Done when"). Screenshots of anything that fails go to /tmp/arrears-phone-*.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from arrears.testing import PHONE

pytestmark = [pytest.mark.slow, pytest.mark.browser]

AS_OF = dt.date(2026, 11, 28)


def _sign_in(browser, live_server, username, password):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(lambda url: "/login/" not in url)
    return context, page


# The text a person sees, without what is marked as another language (the language switch's
# "English", an English notice template) or shown as code on purpose.
VISIBLE_TEXT = """() => {
  const skip = (el) => el.closest('[lang]:not([lang^="zh"]), [translate="no"], code, pre, textarea, script, style');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || skip(el) || !node.textContent.trim()) continue;
    if (el.closest('[hidden]')) continue;
    parts.push(node.textContent.trim());
  }
  document.querySelectorAll('[placeholder], [title], [aria-label]').forEach((el) => {
    if (skip(el)) return;
    for (const a of ['placeholder', 'title', 'aria-label']) {
      if (el.getAttribute(a)) parts.push(el.getAttribute(a));
    }
  });
  return parts.join('\\n');
}"""


def test_every_page_fits_a_phone_and_reads_in_chinese_for_every_role(live_server, browser):
    from playwright.sync_api import Error as PlaywrightError

    from arrears.core.models import User
    from arrears.demo.casework import demo_casework
    from arrears.demo.generator import demo_generate
    from arrears.demo.users import DEMO_USERS, demo_users_ensure
    from arrears.web.tests.pages import english_pattern, english_strings, page_urls

    demo_generate(loans=300, seed=7, as_of=AS_OF, chunk_size=150, reset=True)
    demo_casework(as_of=AS_OF, seed=7)
    demo_users_ensure(set_passwords=True)
    english = english_pattern(english_strings())
    too_wide, not_chinese, seen = [], [], 0
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        context, page = _sign_in(browser, live_server, spec.username, spec.password)
        try:
            for url in page_urls(user, limit_cases=1, one_per_pattern=True):
                try:
                    response = page.goto(f"{live_server.url}{url}")
                except PlaywrightError:  # a POST-only address answers 405 with no page
                    # Chromium then shows its own error page, whose navigation would cut the
                    # next goto short: go on in a fresh tab of the same signed-in context.
                    page.close()
                    page = context.new_page()
                    continue
                if response is None or response.status != 200:
                    continue
                if "text/html" not in (response.headers.get("content-type") or ""):
                    continue
                seen += 1
                width = page.evaluate("document.documentElement.scrollWidth")
                shot = re.sub(r"\W+", "-", f"{spec.username}{url}").strip("-")
                if width > PHONE["width"]:
                    too_wide.append(f"{spec.username} {url}: {width} px")
                    page.screenshot(path=f"/tmp/arrears-phone-{shot}.png", full_page=True)
                assert page.evaluate("document.documentElement.lang") == "zh-hans", url
                found = sorted(set(english.findall(page.evaluate(VISIBLE_TEXT))))
                if found:
                    not_chinese.append(f"{spec.username} {url}: {found}")
        finally:
            context.close()
    assert seen > 60
    assert too_wide == []
    assert not_chinese == []


def test_a_collector_finds_todays_callbacks_on_the_home_page(live_server, browser, people):
    from django.utils import timezone

    from arrears.activities.services import outcome_log
    from arrears.cases.tests.conftest import bullet, open_case
    from arrears.core.dates import local_today
    from arrears.testing import PASSWORD, make_borrower

    carl = people["carl"]
    carl.first_name, carl.last_name = "卡尔", "陈"
    carl.save()
    wang = make_borrower(external_id="B-CB", name="王回访", phone="13812340000")
    case = open_case(bullet("L-CB", wang, team=carl.team, collector=carl))
    yesterday = local_today() - dt.timedelta(days=1)
    call_at = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(10, 0)))
    back_at = timezone.make_aware(dt.datetime.combine(local_today(), dt.time(16, 30)))
    outcome_log(
        case=case,
        channel="call",
        outcome="no_answer",
        occurred_at=call_at,
        actor=carl,
        source="web",
        number=wang.phone,
        next_action_at=back_at,
    )

    context, page = _sign_in(browser, live_server, "carl", PASSWORD)
    try:
        page.goto(f"{live_server.url}/")
        today = page.locator("#today")
        assert "今日工作" in today.inner_text()
        assert "16:30" in today.inner_text() and "王回访" in today.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path="/tmp/arrears-phone-home-callbacks.png", full_page=True)
        page.click("#today >> text=王回访")
        page.wait_for_url(f"{live_server.url}/cases/{case.pk}/*")
        # The callback leads to the log form, open.
        assert page.locator("details.act-log").evaluate("d => d.open")
        # And the header's "Log outcome" opens it too after it was closed.
        page.evaluate("document.querySelector('details.act-log').open = false")
        page.click(".quick >> text=记录结果")
        assert page.locator("details.act-log").evaluate("d => d.open")
        header = page.evaluate("document.querySelector('.case-head').offsetHeight")
        assert header <= 100, header
    finally:
        context.close()
