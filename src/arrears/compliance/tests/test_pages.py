"""The administrators' pages: each product's rule pack, and the LPR table (rulepack.edit)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from arrears.book.services import product_default
from arrears.compliance.models import LprRate, ProductRulePack
from arrears.compliance.selectors import pack_current, pack_for_product
from arrears.compliance.services import rulepack_revise
from arrears.core.models import AuditEntry
from arrears.testing import PASSWORD

pytestmark = pytest.mark.django_db

USERS = ("alice", "mia", "tom", "tina", "carl", "cora", "fay", "lee", "ada", "aud")


@pytest.fixture
def product(people):
    return product_default()


def login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.parametrize("username", USERS)
def test_only_an_administrator_may_change_them_and_managers_read_them(
    client, product, people, username
):
    # Issue 13: managers (and auditors) read the rule packs and the LPR table, without forms;
    # only an administrator changes them.
    login(client, username)
    allowed = username == "alice"
    readers = ("alice", "mia", "aud")
    for name in ("compliance:packs", "compliance:lpr"):
        response = client.get(reverse(name))
        assert response.status_code == (200 if username in readers else 403)
        if username in readers:
            html = response.content.decode()
            assert ('method="post"' in html.split("</header>", 1)[1]) is allowed
    home = client.get(reverse("web:home")).content.decode()
    assert (reverse("compliance:packs") in home) is (username in readers)  # the nav item
    if allowed:
        return
    response = client.post(
        reverse("compliance:product_pack", args=[product.pk]), {f"p{product.pk}-pack": "cn_default"}
    )
    assert response.status_code == 403
    response = client.post(
        reverse("compliance:lpr"),
        {"month": "2025-11", "one_year_rate": "3%", "five_year_rate": "3.5%", "source": "x"},
    )
    assert response.status_code == 403
    assert not ProductRulePack.objects.exists()
    assert not LprRate.objects.filter(month=dt.date(2025, 11, 1)).exists()


def test_the_page_lists_products_with_the_pack_they_follow(client, product, people):
    html = login(client, "alice").get(reverse("compliance:packs")).content.decode()
    assert product.code in html
    assert "cn_default v1" in html
    assert "us_reg_f" in html  # listed among the packs, switched off
    assert "现行规则包" in html  # in Chinese by default


def test_an_administrator_moves_a_product_to_another_pack_audited(client, product, people):
    alice = people["alice"]
    us = rulepack_revise(pack=pack_current("us_reg_f"), changes={"is_active": True}, actor=alice)
    url = reverse("compliance:product_pack", args=[product.pk])
    response = login(client, "alice").post(
        url, {f"p{product.pk}-pack": "us_reg_f"}, REMOTE_ADDR="198.51.100.4"
    )
    assert response.status_code == 302
    assert pack_for_product(product) == us
    entry = AuditEntry.objects.get(event="rulepack.assign")
    assert (entry.actor, entry.source, entry.ip) == (alice, "web", "198.51.100.4")
    assert (entry.before, entry.after) == ({"pack": "cn_default"}, {"pack": "us_reg_f"})
    page = client.get(reverse("compliance:packs")).content.decode()
    assert f"us_reg_f v{us.version}" in page


def test_a_switched_off_pack_is_not_offered_and_is_refused(client, product, people):
    url = reverse("compliance:product_pack", args=[product.pk])
    response = login(client, "alice").post(url, {f"p{product.pk}-pack": "uk_conc"})
    assert response.status_code == 400
    assert response.context["rows"][0]["form"].errors["pack"]
    assert not ProductRulePack.objects.exists()
    assert not AuditEntry.objects.filter(event="rulepack.assign").exists()


def test_an_administrator_adds_a_month_to_the_lpr_table(client, people):
    response = login(client, "alice").post(
        reverse("compliance:lpr"),
        {
            "month": "2025-11",
            "one_year_rate": "3.00%",
            "five_year_rate": "0.035",
            "source": "NIFC 2025-11-20",
        },
    )
    assert response.status_code == 302
    row = LprRate.objects.get(month=dt.date(2025, 11, 1))
    assert (row.one_year_rate, row.five_year_rate) == (Decimal("0.03"), Decimal("0.035"))
    assert row.published_on == dt.date(2025, 11, 20)
    entry = AuditEntry.objects.get(event="lpr.set")
    assert (entry.actor, entry.source, entry.object_id) == (people["alice"], "web", "2025-11")
    html = client.get(reverse("compliance:lpr")).content.decode()
    assert "2025-11" in html and "3.00%" in html and "NIFC 2025-11-20" in html


@pytest.mark.parametrize(
    ("field", "value"),
    [("month", "2025-13"), ("month", "Nov"), ("one_year_rate", "abc"), ("five_year_rate", "35%")],
)
def test_a_bad_lpr_entry_is_a_field_error(client, people, field, value):
    data = {"month": "2025-11", "one_year_rate": "3%", "five_year_rate": "3.5%", "source": "x"}
    data[field] = value
    response = login(client, "alice").post(reverse("compliance:lpr"), data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert not AuditEntry.objects.filter(event="lpr.set").exists()
