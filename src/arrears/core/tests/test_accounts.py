"""Accounts that can be managed (issue 12): password rules everywhere a password is set, a
deactivated user stopped at once, tokens that show their last use, expire and are revoked."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from arrears.api.tests.conftest import BASE
from arrears.core import accounts
from arrears.core.models import ApiToken, AuditEntry, User
from arrears.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    "password,reason",
    [
        ("a", "too short|太短"),
        ("password123", "too common|太常见"),
        ("4815162342", "entirely numeric|只包含数字"),
        ("weak1weak1", "too similar to the username|太相似"),
    ],
)
def test_the_cli_refuses_a_weak_password(password, reason):
    with pytest.raises(CommandError, match=reason):
        _run("user", "add", "weak1weak1", "--role", "collector", "--password", password)
    assert not User.objects.filter(username="weak1weak1").exists()


def test_an_administrator_resets_a_password_from_the_cli(people):
    with pytest.raises(CommandError, match="too short|太短"):
        _run("user", "password", "carl", "--password", "short")
    text = _run("user", "password", "carl")
    new = text.split("password: ")[1].split()[0]
    assert User.objects.get(username="carl").check_password(new)
    entry = AuditEntry.objects.get(event="user.password_reset")
    assert entry.object_id == "carl" and new not in str(entry.after)


def test_a_deactivated_users_session_and_token_stop_at_once(client, people):
    raw = ApiToken.issue(people["carl"], name="script")[1]
    client.post("/login/", {"username": "carl", "password": PASSWORD})
    assert client.get("/loans/").status_code == 200
    api = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(f"{BASE}/me", **api).status_code == 200

    text = _run("user", "deactivate", "carl")

    assert "1 API token(s) revoked" in text
    assert client.get("/loans/").status_code == 302  # the session no longer signs anyone in
    from django.test import Client

    assert Client().get(f"{BASE}/me", **api).status_code == 401
    assert client.post("/login/", {"username": "carl", "password": PASSWORD}).status_code == 200
    _run("user", "activate", "carl")
    assert Client().get(f"{BASE}/me", **api).status_code == 401  # old tokens stay revoked
    events = AuditEntry.objects.filter(event__in=["user.deactivate", "user.activate"])
    assert list(events.values_list("event", flat=True)) == ["user.deactivate", "user.activate"]


def test_tokens_are_listed_with_last_use_expire_and_are_revoked(people):
    from django.test import Client

    text = _run("token", "create", "carl", "--label", "dialer", "--expires-days", "30")
    raw = text.splitlines()[1]
    token = ApiToken.objects.get(user=people["carl"])
    assert token.expires_at.date() == (timezone.now() + dt.timedelta(days=30)).date()
    assert "last used -" in _run("token", "list", "carl")
    Client().get(f"{BASE}/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    listed = _run("token", "list")
    assert "dialer" in listed and "last used -" not in listed and "active" in listed

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    assert Client().get(f"{BASE}/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert "expired" in _run("token", "list", "carl")

    assert "revoked token" in _run("token", "revoke", token.prefix)
    assert "already revoked" in _run("token", "revoke", str(token.pk))
    assert AuditEntry.objects.filter(event="token.revoke", object_id=str(token.pk)).count() == 1


def test_a_user_changes_their_own_password_with_the_rules(client, people):
    client.post("/login/", {"username": "carl", "password": PASSWORD})
    page = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    assert (
        page.status_code == 200
        and "This password is too short" in page.content.decode("utf-8")
        or "密码长度太短" in page.content.decode()
    )
    done = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "plum blossom river 42",
            "new_password2": "plum blossom river 42",
        },
    )
    assert done.status_code == 302
    assert User.objects.get(username="carl").check_password("plum blossom river 42")
    assert AuditEntry.objects.filter(event="user.password_change", actor=people["carl"]).exists()
    # Still signed in after the change (the session hash is updated).
    assert client.get("/loans/").status_code == 200


def test_the_services_refuse_what_makes_no_sense(people):
    with pytest.raises(accounts.AccountError, match="cannot deactivate yourself"):
        accounts.user_deactivate(user=people["alice"], actor=people["alice"])
    with pytest.raises(accounts.AccountError, match="team lead needs a team"):
        accounts.user_update(
            user=people["carl"],
            role="team_lead",
            team=None,
            agency=None,
            case_capacity=None,
            actor=people["alice"],
        )
