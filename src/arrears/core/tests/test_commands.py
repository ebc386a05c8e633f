"""`arrears user add` and `arrears token create`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from arrears.core.models import Agency, ApiToken, AuditEntry, Team, User

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_user_add_prints_a_generated_password_that_works():
    text = _run("user", "add", "wang", "--role", "collector", "--team", "电催一组")
    password = text.split("password: ")[1].split()[0]
    wang = User.objects.get(username="wang")
    assert wang.role == "collector" and wang.team.name == "电催一组"
    assert wang.check_password(password)


def test_user_add_creates_the_team_and_agency_by_name():
    _run("user", "add", "lead", "--role", "team_lead", "--team", "电催三组")
    _run("user", "add", "ag", "--role", "agency", "--agency", "某某催收服务有限公司")
    assert Team.objects.filter(name="电催三组").exists()
    assert User.objects.get(username="ag").agency == Agency.objects.get(name="某某催收服务有限公司")


def test_user_add_with_a_given_password_does_not_print_it():
    text = _run("user", "add", "li", "--role", "auditor", "--password", "s3cret-pass-word")
    assert "s3cret" not in text
    assert User.objects.get(username="li").check_password("s3cret-pass-word")


def test_user_add_writes_an_audit_row_without_the_password():
    _run("user", "add", "zhao", "--role", "manager", "--password", "another-secret")
    entry = AuditEntry.objects.get(event="user.add", object_id="zhao")
    assert entry.after["role"] == "manager"
    assert "another-secret" not in str(entry.after)


def test_user_add_refuses_an_unknown_role():
    with pytest.raises(CommandError, match="unknown role 'boss'.*collector"):
        _run("user", "add", "x", "--role", "boss")
    assert not User.objects.filter(username="x").exists()


def test_user_add_refuses_an_existing_name():
    _run("user", "add", "sun", "--role", "legal")
    with pytest.raises(CommandError, match="already exists"):
        _run("user", "add", "sun", "--role", "legal")


def test_user_add_needs_a_team_for_a_team_lead_and_an_agency_for_an_agency_user():
    with pytest.raises(CommandError, match="--team"):
        _run("user", "add", "t", "--role", "team_lead")
    with pytest.raises(CommandError, match="--agency"):
        _run("user", "add", "a", "--role", "agency")
    with pytest.raises(CommandError, match="only for users with the role agency"):
        _run("user", "add", "c", "--role", "collector", "--agency", "X")


def test_admins_added_by_command_can_use_the_admin_site():
    _run("user", "add", "root", "--role", "admin", "--password", "long-enough-pw")
    root = User.objects.get(username="root")
    assert root.is_staff and root.is_superuser


def test_token_create_prints_a_token_that_authenticates(people):
    text = _run("token", "create", "alice", "--label", "nightly export")
    raw = [line for line in text.splitlines() if line.startswith("arr_")][0]
    token = ApiToken.objects.authenticate(raw)
    assert token.user == people["alice"] and token.name == "nightly export"


def test_token_create_audits_the_prefix_not_the_token(people):
    text = _run("token", "create", "mia")
    raw = [line for line in text.splitlines() if line.startswith("arr_")][0]
    entry = AuditEntry.objects.get(event="token.create")
    assert entry.after["user"] == "mia" and entry.after["prefix"] == raw[:8]
    assert raw not in str(entry.after)


def test_token_create_refuses_an_unknown_or_inactive_user(people):
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        _run("token", "create", "nobody")
    User.objects.filter(username="carl").update(is_active=False)
    with pytest.raises(CommandError, match="inactive"):
        _run("token", "create", "carl")
    assert not ApiToken.objects.exists()
