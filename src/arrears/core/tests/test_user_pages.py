"""The user and team pages: administrators manage, managers read, everyone else is refused;
every change is audited (issue 12 accounts, issue 13 "users and teams managed in the app")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arrears.core.models import ApiToken, AuditEntry, Team, User
from arrears.testing import PASSWORD

pytestmark = pytest.mark.django_db

OTHERS = ("tom", "tina", "carl", "cora", "fay", "lee", "ada", "aud")


def login(client, username):
    client.post("/login/", {"username": username, "password": PASSWORD})
    return client


@pytest.mark.parametrize("username", OTHERS)
def test_only_administrators_and_managers_see_the_pages(client, people, username):
    login(client, username)
    for url in (reverse("accounts:users"), reverse("accounts:teams")):
        assert client.get(url).status_code == 403
    assert client.get(reverse("accounts:user", args=[people["carl"].pk])).status_code == 403
    assert "/users/" not in client.get("/").content.decode()


def test_a_manager_reads_but_cannot_change(client, people):
    login(client, "mia")
    page = client.get(reverse("accounts:users"))
    assert page.status_code == 200 and "carl" in page.content.decode()
    detail = client.get(reverse("accounts:user", args=[people["carl"].pk]))
    assert detail.status_code == 200 and "Deactivate" not in detail.content.decode()
    carl = people["carl"].pk
    for name, args, data in (
        ("accounts:user", [carl], {"role": "manager"}),
        ("accounts:user_deactivate", [carl], {}),
        ("accounts:user_password", [carl], {}),
        ("accounts:token_create", [carl], {}),
        ("accounts:user_add", [], {"username": "x", "role": "collector"}),
        ("accounts:teams", [], {"name": "Team C"}),
        ("accounts:team_rename", [people["tom"].team_id], {"name": "Team Z"}),
    ):
        assert client.post(reverse(name, args=args), data).status_code == 403, name
    assert User.objects.get(pk=carl).is_active and not Team.objects.filter(name="Team C").exists()


def test_an_administrator_adds_a_user_with_a_generated_password(client, people):
    login(client, "alice")
    response = client.post(
        reverse("accounts:user_add"),
        {
            "username": "wang.fang",
            "first_name": "王芳",
            "role": "collector",
            "team": people["tom"].team_id,
            "case_capacity": "120",
        },
        follow=True,
    )
    text = response.content.decode()
    user = User.objects.get(username="wang.fang")
    password = text.split("shown once): " if "shown once): " in text else "仅显示一次）：")[1]
    password = password.split("<")[0].strip()
    assert user.check_password(password)
    assert (user.role, user.team.name, user.case_capacity) == ("collector", "Team A", 120)
    entry = AuditEntry.objects.get(event="user.add", object_id="wang.fang")
    assert entry.actor == people["alice"] and entry.source == "web"
    assert password not in str(entry.after)


def test_a_weak_password_on_the_page_is_an_error_on_its_field(client, people):
    login(client, "alice")
    response = client.post(
        reverse("accounts:user_add"),
        {"username": "li", "role": "collector", "password": "12345678"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(username="li").exists()


def test_an_administrator_edits_role_team_and_capacity(client, people):
    login(client, "alice")
    carl = people["carl"]
    response = client.post(
        reverse("accounts:user", args=[carl.pk]),
        {"role": "team_lead", "team": people["tina"].team_id, "case_capacity": "80"},
    )
    assert response.status_code == 302
    carl.refresh_from_db()
    assert (carl.role, carl.team.name, carl.case_capacity) == ("team_lead", "Team B", 80)
    entry = AuditEntry.objects.get(event="user.update")
    assert entry.before == {"role": "collector", "team": "Team A", "case_capacity": None}
    assert entry.after == {"role": "team_lead", "team": "Team B", "case_capacity": 80}
    # A team lead without a team is refused on the form, nothing changes.
    bad = client.post(reverse("accounts:user", args=[carl.pk]), {"role": "team_lead"})
    assert bad.status_code == 400 and bad.context["form"].errors["team"]


def test_deactivate_reset_and_tokens_from_the_page(client, people):
    login(client, "alice")
    carl = people["carl"]
    client.post(reverse("accounts:token_create", args=[carl.pk]), {"label": "dialer"})
    token = ApiToken.objects.get(user=carl)
    page = client.get(reverse("accounts:user", args=[carl.pk])).content.decode()
    assert token.prefix in page and "dialer" in page
    client.post(reverse("accounts:token_revoke", args=[carl.pk, token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.post(
        reverse("accounts:user_password", args=[carl.pk]), {"password": "river plum 9 blossom"}
    )
    assert User.objects.get(pk=carl.pk).check_password("river plum 9 blossom")
    client.post(reverse("accounts:user_deactivate", args=[carl.pk]))
    assert not User.objects.get(pk=carl.pk).is_active
    events = set(AuditEntry.objects.filter(actor=people["alice"]).values_list("event", flat=True))
    assert {"token.create", "token.revoke", "user.password_reset", "user.deactivate"} <= events


def test_teams_are_added_and_renamed(client, people):
    login(client, "alice")
    client.post(reverse("accounts:teams"), {"name": "外访一组"})
    team = Team.objects.get(name="外访一组")
    dup = client.post(reverse("accounts:teams"), {"name": "外访一组"})
    assert dup.status_code == 400
    client.post(reverse("accounts:team_rename", args=[team.pk]), {"name": "外访二组"})
    team.refresh_from_db()
    assert team.name == "外访二组"
    assert list(AuditEntry.objects.filter(object_type="team").values_list("event", flat=True)) == [
        "team.add",
        "team.rename",
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_read_in_both_languages(client, people, language):
    client.cookies["django_language"] = language
    login(client, "alice")
    page = client.get(reverse("accounts:users")).content.decode()
    detail = client.get(reverse("accounts:user", args=[people["carl"].pk])).content.decode()
    if language == "zh-hans":
        assert "添加用户" in page and "案件容量" in page and "Case capacity" not in page
        assert "API 令牌" in detail and "停用后" in detail and "API tokens" not in detail
    else:
        assert "Add a user" in page and "Deactivate" in detail


@pytest.mark.slow
@pytest.mark.browser
def test_the_pages_fit_a_phone(live_server, browser, people):
    from arrears.testing import browser_sign_in, fits_width

    ApiToken.issue(people["carl"], name="外呼系统对接")
    page = browser_sign_in(browser, live_server, "alice")
    for path in (
        reverse("accounts:users"),
        reverse("accounts:user", args=[people["carl"].pk]),
        reverse("accounts:user_add"),
        reverse("accounts:teams"),
        reverse("accounts:password_change"),
    ):
        page.goto(f"{live_server.url}{path}")
        assert fits_width(page), path
    page.goto(f"{live_server.url}{reverse('accounts:user', args=[people['carl'].pk])}")
    page.fill("#id_case_capacity", "150")
    page.click("#edit button[type=submit]")
    page.wait_for_selector(".msg-success")
    assert User.objects.get(username="carl").case_capacity == 150
