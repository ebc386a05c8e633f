"""Accounts: users, teams and API tokens — every change one audited service (web, API, CLI).

Passwords go through Django's validators (settings.AUTH_PASSWORD_VALIDATORS) wherever one is
set: adding a user, an administrator's reset, a user's own change. A deactivated user's
sessions and tokens stop at once: the authentication backend refuses an inactive user on
every request (ModelBackend.get_user) and the token lookup filters on `user.is_active`; the
tokens are revoked as well, so reactivating a user does not bring old tokens back.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arrears.core.audit import audit_record
from arrears.core.models import Agency, ApiToken, Team, User
from arrears.core.roles import Role


class AccountError(ValueError):
    """A change to an account that cannot be made as asked; `field` names the input.

    `template` is the English message with %(name)s placeholders (the pages translate it,
    the command line prints it as it is); `message` is it filled in.
    """

    def __init__(self, template: str, field: str | None = None, **params):
        self.template = template
        self.params = params
        self.message = template % params if params else template
        self.field = field
        super().__init__(self.message)

    def translated(self) -> str:
        from django.utils.translation import gettext

        text = gettext(self.template)
        return text % self.params if self.params else text


def password_check(password: str, user: User | None = None) -> None:
    """Raise AccountError with every validator's message when `password` is too weak."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        text = " ".join(str(m) for m in exc.messages)
        raise AccountError("%(reasons)s", "password", reasons=text) from exc


def generated_password() -> str:
    """A random password of 16 URL-safe characters (shown once)."""
    return secrets.token_urlsafe(12)


def _unit_rules(role: str, team: Team | None, agency: Agency | None) -> None:
    if role not in Role.values:
        raise AccountError(
            "unknown role %(role)s; choose one of: %(roles)s",
            "role",
            role=repr(role),
            roles=", ".join(Role.values),
        )
    if role == Role.TEAM_LEAD and team is None:
        raise AccountError("a team lead needs a team (otherwise they would see no loans)", "team")
    if role == Role.AGENCY and agency is None:
        raise AccountError(
            "an agency user needs an agency (otherwise they would see no loans)", "agency"
        )
    if agency is not None and role != Role.AGENCY:
        raise AccountError("an agency is only for users with the role agency", "agency_role")


def _snapshot(user: User) -> dict:
    return {
        "role": user.role,
        "team": user.team.name if user.team_id else None,
        "agency": user.agency.name if user.agency_id else None,
        "case_capacity": user.case_capacity,
        "name": user.first_name,
        "active": user.is_active,
    }


def user_add(
    *,
    username: str,
    role: str,
    team: str | Team | None = None,
    agency: str | Agency | None = None,
    password: str | None = None,
    case_capacity: int | None = None,
    first_name: str = "",
    actor: User | None = None,
    source: str = "cli",
    ip: str | None = None,
) -> tuple[User, str]:
    """Create a user with a role (a team or agency given by name is created if missing).

    Returns the user and the password (generated when none is given). Audited `user.add`.
    """
    username = (username or "").strip()
    if not username:
        raise AccountError("a user name is required", "username")
    if len(username) > 150 or not username.isprintable() or " " in username:
        raise AccountError("a user name is up to 150 characters without spaces", "username")
    generated = not password
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise AccountError("user %(name)s already exists", "username", name=username)
        if isinstance(team, str):
            team = Team.objects.get_or_create(name=team.strip())[0] if team.strip() else None
        if isinstance(agency, str):
            agency = (
                Agency.objects.get_or_create(name=agency.strip())[0] if agency.strip() else None
            )
        _unit_rules(role, team, agency)
        user = User(
            username=username,
            role=role,
            team=team,
            agency=agency,
            case_capacity=case_capacity,
            first_name=first_name.strip()[:150],
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        password = password or generated_password()
        password_check(password, user)
        user.set_password(password)
        user.save()
        audit_record(
            actor=actor,
            event="user.add",
            object_type="user",
            object_id=username,
            after={**_snapshot(user), "password_generated": generated},
            source=source,
            ip=ip,
        )
    return user, password


def user_update(
    *,
    user: User,
    role: str,
    team: Team | None,
    agency: Agency | None,
    case_capacity: int | None,
    first_name: str | None = None,
    actor: User | None,
    source: str = "web",
    ip: str | None = None,
) -> User:
    """Change a user's role, team, agency, case capacity (and display name). Audited
    `user.update` with before and after; unchanged fields are left out of both."""
    _unit_rules(role, team, agency)
    if case_capacity is not None and case_capacity < 0:
        raise AccountError("case capacity cannot be negative", "case_capacity")
    if actor is not None and actor.pk == user.pk and role != user.role:
        raise AccountError("you cannot change your own role", "role")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = _snapshot(user)
        user.role = role
        user.team = team
        user.agency = agency
        user.case_capacity = case_capacity
        if first_name is not None:
            user.first_name = first_name.strip()[:150]
        user.is_staff = user.is_superuser = role == Role.ADMIN
        user.save()
        after = _snapshot(user)
        changed = [k for k in after if after[k] != before[k]]
        if changed:
            audit_record(
                actor=actor,
                event="user.update",
                object_type="user",
                object_id=user.username,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
                source=source,
                ip=ip,
            )
    return user


def user_deactivate(
    *, user: User, actor: User | None, source: str = "cli", ip: str | None = None
) -> int:
    """Stop a user signing in, now: inactive (every session refused on its next request)
    and every live API token revoked. Returns the number of tokens revoked. Audited."""
    if actor is not None and actor.pk == user.pk:
        raise AccountError("you cannot deactivate yourself", "user")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        was_active = user.is_active
        user.is_active = False
        user.save(update_fields=["is_active"])
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit_record(
            actor=actor,
            event="user.deactivate",
            object_type="user",
            object_id=user.username,
            before={"active": was_active},
            after={"active": False, "tokens_revoked": revoked},
            source=source,
            ip=ip,
        )
    return revoked


def user_activate(
    *, user: User, actor: User | None, source: str = "cli", ip: str | None = None
) -> None:
    """Let a deactivated user sign in again (their old tokens stay revoked). Audited."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=True)
        audit_record(
            actor=actor,
            event="user.activate",
            object_type="user",
            object_id=user.username,
            before={"active": user.is_active},
            after={"active": True},
            source=source,
            ip=ip,
        )
    user.is_active = True


def user_password_set(
    *,
    user: User,
    actor: User | None,
    password: str | None = None,
    source: str = "cli",
    ip: str | None = None,
) -> str:
    """An administrator sets (or, with no password, generates) a user's password.

    Returns the password. Audited `user.password_reset` without it.
    """
    generated = not password
    password = password or generated_password()
    password_check(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            actor=actor,
            event="user.password_reset",
            object_type="user",
            object_id=user.username,
            after={"password_generated": generated},
            source=source,
            ip=ip,
        )
    return password


def password_change(
    *, user: User, old: str, new: str, source: str = "web", ip: str | None = None
) -> None:
    """A user changes their own password, giving the current one. Audited."""
    if not user.check_password(old):
        raise AccountError("the current password is wrong", "old_password")
    if old == new:
        raise AccountError("the new password must differ from the current one", "new_password")
    password_check(new, user)
    with transaction.atomic():
        user.set_password(new)
        user.save(update_fields=["password"])
        audit_record(
            actor=user,
            event="user.password_change",
            object_type="user",
            object_id=user.username,
            source=source,
            ip=ip,
        )


def token_create(
    *,
    user: User,
    label: str = "",
    expires_days: int | None = None,
    actor: User | None = None,
    source: str = "cli",
    ip: str | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token for an active user; returns (token, raw value, shown once). Audited."""
    if not user.is_active:
        raise AccountError(
            "user %(name)s is inactive; an inactive user's token never works",
            "user",
            name=user.username,
        )
    if expires_days is not None and expires_days <= 0:
        raise AccountError("a token lasts at least one day", "expires_days")
    expires_at = timezone.now() + dt.timedelta(days=expires_days) if expires_days else None
    with transaction.atomic():
        token, raw = ApiToken.issue(user, name=label.strip()[:100], expires_at=expires_at)
        audit_record(
            actor=actor,
            event="token.create",
            object_type="api_token",
            object_id=token.pk,
            after={
                "user": user.username,
                "label": token.name,
                "prefix": token.prefix,
                "expires_at": expires_at,
            },
            source=source,
            ip=ip,
        )
    return token, raw


def token_revoke(
    *, token: ApiToken, actor: User | None, source: str = "cli", ip: str | None = None
) -> bool:
    """Revoke a token now (it stays listed, as revoked). False when it already was."""
    with transaction.atomic():
        done = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if done:
            audit_record(
                actor=actor,
                event="token.revoke",
                object_type="api_token",
                object_id=token.pk,
                after={"user": token.user.username, "prefix": token.prefix},
                source=source,
                ip=ip,
            )
    return bool(done)


def team_create(
    *, name: str, actor: User | None, source: str = "web", ip: str | None = None
) -> Team:
    """Add a team by name (unique, case-insensitively). Audited `team.add`."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise AccountError("a team name is 1 to 100 characters", "name")
    with transaction.atomic():
        if Team.objects.filter(name__iexact=name).exists():
            raise AccountError("a team named %(name)s already exists", "name", name=name)
        team = Team.objects.create(name=name)
        audit_record(
            actor=actor,
            event="team.add",
            object_type="team",
            object_id=team.pk,
            after={"name": name},
            source=source,
            ip=ip,
        )
    return team


def team_rename(
    *, team: Team, name: str, actor: User | None, source: str = "web", ip: str | None = None
) -> Team:
    """Rename a team (its people and cases stay with it). Audited `team.rename`."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise AccountError("a team name is 1 to 100 characters", "name")
    with transaction.atomic():
        if Team.objects.filter(name__iexact=name).exclude(pk=team.pk).exists():
            raise AccountError("a team named %(name)s already exists", "name", name=name)
        before = team.name
        Team.objects.filter(pk=team.pk).update(name=name)
        audit_record(
            actor=actor,
            event="team.rename",
            object_type="team",
            object_id=team.pk,
            before={"name": before},
            after={"name": name},
            source=source,
            ip=ip,
        )
    team.name = name
    return team
