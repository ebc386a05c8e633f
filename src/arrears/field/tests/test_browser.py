"""In Chromium on a phone-sized screen: a visit with cash recorded once online, and once with
the network switched off and back on — nothing lost, nothing doubled, the ledger to the fen.

Screenshots go to /tmp/arrears-field-*.png for a person to look at.
"""

from __future__ import annotations

import pytest

from arrears.testing import PASSWORD, PHONE, fits_width

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def sign_in(browser, live_server, username):
    context = browser.new_context(
        viewport=PHONE,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        geolocation={"latitude": 28.123456, "longitude": 112.654321},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(lambda url: "/login/" not in url)
    return context, page


def fill_visit(page, *, loan_id, principal, interest, receipt):
    page.select_option("#v-loan", loan_id)
    page.check("input[name=participants][value=tom]")
    page.fill("#v-rec", f"REC-{receipt}")
    page.select_option("#v-outcome", "met_borrower")
    page.fill("#v-cp", principal)
    page.fill("#v-ci", interest)
    page.fill("#v-receipt", receipt)


def waiting(page) -> str:
    return page.get_attribute("#outbox", "data-count")


def test_a_visit_with_cash_online_and_offline_is_recorded_exactly_once(
    live_server, browser, people, tmp_path
):
    from PIL import Image

    from arrears.book.models import Loan, Payment
    from arrears.book.selectors import loan_totals
    from arrears.core.dates import local_today
    from arrears.field.models import Visit
    from arrears.field.tests.conftest import town_loan

    photo = tmp_path / "门前.jpg"
    Image.new("RGB", (64, 48), (200, 120, 40)).save(photo, "JPEG")
    town_loan(people, "L-ON", "房六桂")
    town_loan(people, "L-OFF", "沈双郎")
    context, page = sign_in(browser, live_server, "fay")
    page.goto(f"{live_server.url}/field/visit/")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.ready")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    assert fits_width(page)

    # Online: sent at once.
    fill_visit(page, loan_id="L-ON", principal="300.00", interest="200.00", receipt="SJ-ON")
    page.screenshot(path="/tmp/arrears-field-form.png", full_page=True)
    page.click("#visit-form button.primary")
    page.wait_for_function("document.getElementById('outbox').dataset.count === '0'")
    page.wait_for_function(
        "Number(document.getElementById('outbox').textContent.split(' ').pop()) >= 1"
    )
    assert Visit.objects.filter(loan__external_id="L-ON").count() == 1
    visit = Visit.objects.get(loan__external_id="L-ON")
    assert visit.visited_on == local_today()
    assert (str(visit.latitude), str(visit.longitude)) == ("28.123456", "112.654321")

    # No signal: the page opens from the phone, the visit stays on the phone.
    context.set_offline(True)
    page.reload()
    assert "没有信号" in page.inner_text("#net-status") or "无信号" in page.inner_text(
        "#net-status"
    )
    fill_visit(page, loan_id="L-OFF", principal="600.00", interest="0.50", receipt="SJ-OFF")
    page.set_input_files("#v-photos", str(photo))
    page.click("#visit-form button.primary")
    page.wait_for_function("document.getElementById('outbox').dataset.count === '1'")
    page.screenshot(path="/tmp/arrears-field-offline.png", full_page=True)
    assert not Visit.objects.filter(loan__external_id="L-OFF").exists()

    # The signal returns: sent once, with its photo.
    context.set_offline(False)
    page.wait_for_function("document.getElementById('outbox').dataset.count === '0'", timeout=30000)
    assert Visit.objects.filter(loan__external_id="L-OFF").count() == 1
    offline_visit = Visit.objects.get(loan__external_id="L-OFF")
    assert [d.category.code for d in offline_visit.documents.all()] == ["visit_photo"]

    # The same visit sent again (its answer was lost on the way back): still once.
    sent = Visit.objects.get(loan__external_id="L-OFF")
    status = page.evaluate(
        """(id) => fetch('/api/v1/visits', {method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken':
              document.cookie.match(/csrftoken=([^;]+)/)[1]},
            body: JSON.stringify({visit_id: id, loan_id: 'L-OFF',
              visited_at: new Date().toISOString(), participants: ['tom'],
              recording_ref: 'REC-SJ-OFF', outcome: 'met_borrower',
              cash_principal: '600.00', cash_interest: '0.50', receipt_no: 'SJ-OFF'})
          }).then(r => r.status)""",
        sent.visit_id,
    )
    assert status == 200
    assert Visit.objects.count() == 2
    assert sorted(Payment.objects.values_list("external_id", "amount_fen")) == [
        ("SJ-OFF", 60_050),
        ("SJ-ON", 50_000),
    ]
    today = local_today()
    totals = {
        t.external_id: (t.paid_principal, t.paid_interest, t.paid_penalty)
        for t in loan_totals(Loan.objects.filter(external_id__in=["L-ON", "L-OFF"]), as_of=today)
    }
    assert totals == {"L-ON": (30_000, 20_000, 0), "L-OFF": (60_000, 50, 0)}
    page.screenshot(path="/tmp/arrears-field-sent.png", full_page=True)
    assert fits_width(page)
