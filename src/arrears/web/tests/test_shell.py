"""The frame around the pages: sign-in, navigation, role, language."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arrears.testing import PASSWORD
from arrears.web.navigation import NAV, NavItem, nav_for, nav_register

pytestmark = pytest.mark.django_db


def test_signing_in_leads_to_the_page_asked_for(client, people):
    url = reverse("web:loan_list")
    response = client.post(
        reverse("web:login"), {"username": "carl", "password": PASSWORD, "next": url}
    )
    assert response.status_code == 302
    assert response["Location"] == url


def test_a_wrong_password_is_told_plainly(client, people):
    response = client.post(reverse("web:login"), {"username": "carl", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_signing_out_needs_a_post_and_returns_to_the_login_page(client, people):
    client.login(username="carl", password=PASSWORD)
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:login")
    assert client.get(reverse("web:home")).status_code == 302


def test_the_frame_shows_product_nav_user_and_role(client, people):
    client.login(username="tom", password=PASSWORD)
    html = client.get(reverse("web:home")).content.decode()
    assert "Arrears" in html and "贷后催收" in html
    assert f'href="{reverse("web:loan_list")}"' in html
    assert f'href="{reverse("web:borrower_list")}"' in html
    assert "tom" in html
    assert "组长" in html  # the role, in the default language


def test_the_default_language_is_simplified_chinese(client, people):
    client.login(username="carl", password=PASSWORD)
    html = client.get(reverse("web:loan_list")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "还款方式" in html


def test_the_language_switch_changes_the_page_language(client, people, book):
    client.login(username="carl", password=PASSWORD)
    url = reverse("web:loan_detail", args=["LA1"])
    response = client.post(reverse("set_language"), {"language": "en", "next": url}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == url
    assert '<html lang="en">' in html
    assert "Schedule" in html and "还款计划" not in html
    assert "Equal installments" in html  # a model choice label follows the language too

    response = client.post(
        reverse("set_language"), {"language": "zh-hans", "next": url}, follow=True
    )
    assert "还款计划" in response.content.decode()


def test_a_nav_item_can_be_limited_to_a_capability(people):
    saved = list(NAV)
    try:
        nav_register(
            NavItem(
                "imports",
                "Imports",
                "web:loan_list",
                order=90,
                capability="book.import",
                prefix="/imports/",
            )
        )
        assert "imports" in [link.key for link in nav_for(people["mia"], "/")]
        assert "imports" not in [link.key for link in nav_for(people["carl"], "/")]
    finally:
        NAV[:] = saved


def test_a_nav_item_for_an_unrouted_page_is_skipped_not_an_error(people):
    saved = list(NAV)
    try:
        nav_register(NavItem("later", "Later", "cases:queue"))
        assert "later" not in [link.key for link in nav_for(people["mia"], "/")]
    finally:
        NAV[:] = saved


def test_the_current_page_is_marked_in_the_nav(people):
    links = {link.key: link.active for link in nav_for(people["carl"], "/loans/LA1/")}
    assert links == {
        "workbench": False,
        "home": False,
        "loans": True,
        "cases": False,
        "borrowers": False,
        "predue": False,
        "field": False,
    }


def test_only_the_longest_matching_prefix_is_marked(people):
    # "Rule packs" covers /compliance/, "Overrides" /compliance/overrides/: one is current.
    links = {link.key: link.active for link in nav_for(people["alice"], "/compliance/overrides/")}
    assert [key for key, active in links.items() if active] == ["overrides"]
    links = {link.key: link.active for link in nav_for(people["alice"], "/compliance/lpr/")}
    assert [key for key, active in links.items() if active] == ["rulepacks"]


def test_the_stylesheet_is_served_without_a_cdn(client, people):
    client.login(username="carl", password=PASSWORD)
    html = client.get(reverse("web:home")).content.decode()
    assert "/static/web/arrears.css" in html
    assert "https://" not in html and "http://" not in html
