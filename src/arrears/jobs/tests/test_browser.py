"""In a real browser on a phone-sized screen: a manager uploads a payments file with a bad
row, reads the error, fixes the file and commits it. Screenshots: /tmp/arrears-upload-*.png.
"""

from __future__ import annotations

import pytest

from arrears.testing import browser_sign_in, fits_width

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_a_manager_fixes_a_bad_row_and_commits_the_payments(
    live_server, browser, people, two_loans, tmp_path
):
    from arrears.book.models import Payment
    from arrears.jobs.tests.conftest import BAD_ROWS, GOOD_ROWS, payments_csv

    bad = tmp_path / "还款流水.csv"
    bad.write_bytes(payments_csv(BAD_ROWS))
    fixed = tmp_path / "还款流水-改.csv"
    fixed.write_bytes(payments_csv(GOOD_ROWS))

    page = browser_sign_in(browser, live_server, "mia")
    page.click("nav >> text=上传")
    assert "/jobs/imports/" in page.url
    assert fits_width(page)
    page.select_option("#id_kind", "payments")
    page.set_input_files("#id_file", str(bad))
    page.click("#upload button.primary")
    page.wait_for_load_state()

    # The check: one valid row, one error naming the row, the column and the value.
    assert page.locator(".row-error").count() == 1
    error = page.locator(".row-error").inner_text()
    assert "3" in error and "金额" in error and "不是金额" in error
    assert "五百元" in error
    assert page.locator("#commit").count() == 0
    assert page.locator("#error-file").is_visible()
    assert fits_width(page)
    page.screenshot(path="/tmp/arrears-upload-error.png", full_page=True)
    assert Payment.objects.count() == 0

    # Fixed and uploaded again from the same page; now it may be committed.
    page.set_input_files("#upload-again #id_file", str(fixed))
    page.click("#upload-again button.primary")
    page.wait_for_load_state()
    assert page.locator(".row-error").count() == 0
    page.screenshot(path="/tmp/arrears-upload-checked.png", full_page=True)
    page.click("#commit")
    page.wait_for_load_state()

    assert "已导入" in page.content()
    assert fits_width(page)
    page.screenshot(path="/tmp/arrears-upload-committed.png", full_page=True)
    assert sorted(Payment.objects.values_list("external_id", "amount_fen")) == [
        ("P1", 106619),
        ("P2", 50000),
    ]

    # The jobs page keeps both: the check and the import.
    page.click("nav >> text=任务")
    assert page.locator("table.jobs tbody tr").count() == 3
