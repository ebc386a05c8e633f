"""Users, teams, agencies, API tokens and the audit log."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.core.roles import Role, role_can


class Team(models.Model):
    """A collection team led by a team lead (e.g. 电催一组)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    # Rotation (轮换, cases/rotation.py): days a collector holds a case without progress
    # before end-of-day moves it on, when no strategy segment says otherwise; null: never.
    # Empty by default: turning rotation on is a manager's decision (the demo sets 30).
    rotation_days = models.PositiveIntegerField(_("rotation days"), null=True, blank=True)
    # Retention (留案): how many cases each collector of the team may keep past rotation.
    retain_quota = models.PositiveIntegerField(
        _("retention quota per collector"), default=5, db_default=5
    )

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """An outsourced collection agency (委外机构); its users see only its placements."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    review_due_on = models.DateField(_("next review due"), null=True, blank=True)
    commission_rate = models.DecimalField(
        _("commission rate"), max_digits=7, decimal_places=6, default=0
    )

    class Meta:
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in: one role, optionally a team or an agency."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.COLLECTOR)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)
    # How many open cases a collector or field agent should carry; blank means no set limit.
    # Team leads read load against it; allocation by rules (strategies) fills up to it.
    case_capacity = models.PositiveIntegerField(_("case capacity"), null=True, blank=True)
    # How many actions (calls, messages, visits) a person's daily queue holds — apart from
    # case_capacity, the most open cases they hold. Null: the queue's default.
    daily_capacity = models.PositiveIntegerField(_("daily capacity"), null=True, blank=True)

    def can(self, capability: str) -> bool:
        return self.is_active and role_can(self.role, capability)

    @property
    def is_read_only(self) -> bool:
        return self.role == Role.AUDITOR


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def authenticate(self, raw: str) -> ApiToken | None:
        at = timezone.now()
        token = (
            self.select_related("user")
            .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
            .filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=at))
            .first()
        )
        if token is not None:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # After this moment the token is refused; blank means it works until revoked.
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    @classmethod
    def issue(cls, user: User, name: str = "", expires_at=None) -> tuple[ApiToken, str]:
        raw = "arr_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=raw[:8],
            key_hash=_hash_token(raw),
            expires_at=expires_at,
        )
        return token, raw

    @property
    def state(self) -> str:
        """active, revoked or expired (as the token lists show it)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"


class AuditEntry(models.Model):
    """One audited event: who did what to which object, with before/after, from where.

    Written in the same transaction as the change it records; never updated or deleted.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT)
    actor_name = models.CharField(max_length=150, blank=True)
    event = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=100, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    source = models.CharField(max_length=20, blank=True)  # web, api, cli, system
    ip = models.GenericIPAddressField(null=True, blank=True)
    # Hash chain: each entry's hash covers its content and the previous entry's hash, so an
    # edited, deleted or reordered entry breaks the chain (`arrears audit verify`).
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "audit entries"


class LoginThrottle(models.Model):
    """Failed sign-ins counted per user name and per client address, and the lock they earn.

    Kept in the database (not in a process's memory) so every web process sees the same
    count and the same lock. The window starts at the first failure it counts; the count is
    reset by a successful sign-in (user name only), by an administrator's unlock, or when a
    new window starts. See core/logins.py.
    """

    class Kind(models.TextChoices):
        USERNAME = "username", _("user name")
        IP = "ip", _("address")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The user name as typed, case-folded (a lock on "Alice" holds for "alice"), or the IP.
    key = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    # Attempts refused while the lock is in force: counted here rather than one audit entry
    # each, and written in one entry when the lock ends or is lifted.
    refused = models.PositiveIntegerField(default=0)
    last_refused_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="core_loginthrottle_kind_key")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class CalendarDay(models.Model):
    """A day the State Council calendar makes a statutory day off, or a make-up working day.

    Civil Code art. 203: a period whose last day is a holiday ends on the next working day.
    Plain weekends need no row; a weekend worked in exchange (调休上班) is a `workday` row.
    Seeded from the State Council notices (core/calendar_seed.py), edited by administrators
    on the calendar page (audited); the end-of-day configuration reads it, so an edit makes
    the next run full.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Statutory day off")
        WORKDAY = "workday", _("Make-up working day")

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)  # 春节, 国庆节 …
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"
