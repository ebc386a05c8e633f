"""Sign-in throttling and lockout, and the audit entries of every sign-in, failure and sign-out.

Failed sign-ins are counted per user name (as typed, case-folded) and per client address, in
the database (core.models.LoginThrottle) so that every web process sees the same count. When
a count reaches its limit inside the window, that name or address is locked for
ARREARS_LOGIN_LOCKOUT_MINUTES: every attempt is refused, even with the right password, until
the lock ends or an administrator lifts it (`arrears user unlock NAME`, `--ip ADDR`).

A name that belongs to no one is counted and locked exactly like a real one, so neither the
messages nor the lock say whether an account exists.

The check sits in the authentication backend, so it holds for every caller of
`django.contrib.auth.authenticate` (the sign-in page and any later API or admin sign-in);
counting and the audit entries hang off Django's auth signals.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from arrears.core.audit import audit_record, request_ip
from arrears.core.models import LoginThrottle, User

Kind = LoginThrottle.Kind
# The longest user name the sign-in form accepts; longer input is cut for the key.
_KEY_MAX = 150


def now() -> dt.datetime:
    """The clock of this module (tests move it)."""
    return timezone.now()


@dataclass(frozen=True)
class Limits:
    max_failures: int
    max_failures_per_ip: int
    window: dt.timedelta
    lockout: dt.timedelta


def limits() -> Limits:
    return Limits(
        max_failures=settings.ARREARS_LOGIN_MAX_FAILURES,
        max_failures_per_ip=settings.ARREARS_LOGIN_MAX_FAILURES_PER_IP,
        window=dt.timedelta(minutes=settings.ARREARS_LOGIN_WINDOW_MINUTES),
        lockout=dt.timedelta(minutes=settings.ARREARS_LOGIN_LOCKOUT_MINUTES),
    )


@dataclass(frozen=True)
class LoginLock:
    """A lock in force: on a user name or an address, until `until`."""

    kind: str
    key: str
    until: dt.datetime
    failures: int = 0


def username_key(username: str) -> str:
    return (username or "").strip().casefold()[:_KEY_MAX]


def _keys(username: str | None, ip: str | None) -> list[tuple[str, str]]:
    keys = []
    if username is not None and username_key(username):
        keys.append((Kind.USERNAME, username_key(username)))
    if ip:
        keys.append((Kind.IP, ip))
    return keys


def request_source(request: HttpRequest | None) -> str:
    if request is None:
        return "system"
    return "api" if request.path.startswith("/api/") else "web"


def login_lock(*, username: str | None, ip: str | None, at: dt.datetime | None = None):
    """The lock that refuses a sign-in as `username` from `ip` now, or None.

    When both are locked, the one that ends last is returned.
    """
    at = at or now()
    found: LoginLock | None = None
    for kind, key in _keys(username, ip):
        row = (
            LoginThrottle.objects.filter(kind=kind, key=key, locked_until__gt=at)
            .values_list("locked_until", flat=True)
            .first()
        )
        if row is not None and (found is None or row > found.until):
            found = LoginLock(kind, key, row)
    return found


def _row_for_update(kind: str, key: str) -> LoginThrottle:
    """The throttle row of a key, locked for this transaction (created when missing)."""
    row = LoginThrottle.objects.select_for_update().filter(kind=kind, key=key).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            LoginThrottle.objects.create(kind=kind, key=key)
    except IntegrityError:
        pass  # another process created it first: use theirs
    return LoginThrottle.objects.select_for_update().get(kind=kind, key=key)


def _limit(kind: str, lim: Limits) -> int:
    return lim.max_failures if kind == Kind.USERNAME else lim.max_failures_per_ip


def _window_open(row: LoginThrottle, lim: Limits, at: dt.datetime) -> bool:
    return row.window_started_at is not None and row.window_started_at + lim.window > at


def _close_ended_lock(row: LoginThrottle, *, at: dt.datetime, source: str, ip: str | None):
    """A lock that has run out: write the one entry that counts what it refused, and clear it."""
    if row.locked_until is None or row.locked_until > at:
        return
    if row.refused:
        audit_record(
            actor=None,
            event="user.lockout_end",
            object_type="user" if row.kind == Kind.USERNAME else "ip",
            object_id=row.key[:100],
            after={"until": row.locked_until, "refused": row.refused, "ended": "expired"},
            source=source,
            ip=ip,
        )
    row.locked_until = None
    row.refused = 0


def login_attempt_begin(*, username: str | None, ip: str | None, source: str) -> LoginLock | None:
    """Count a sign-in attempt **before** its password is checked; the lock refusing it, or None.

    The throttle rows are locked (SELECT … FOR UPDATE, ordered by kind and key) while the
    attempt takes its place in the count, and released before the password is hashed. So
    however many attempts arrive at once, at most the limit of them are let through to the
    password check in a window: the others find the count full and are refused as locked.
    A successful sign-in gives the name's count back (login_succeeded).

    Refusals while a lock is in force are counted on the lock (`refused`); only the first
    writes an audit entry, and the count goes into one entry when the lock ends (or is
    lifted), so nobody can grow the audit trail without signing in.
    """
    lim = limits()
    at = now()
    with transaction.atomic():
        rows = [_row_for_update(kind, key) for kind, key in sorted(_keys(username, ip))]
        refusing: list[tuple[LoginThrottle, LoginLock]] = []
        for row in rows:
            _close_ended_lock(row, at=at, source=source, ip=ip)
            if row.locked_until is not None:
                refusing.append((row, LoginLock(row.kind, row.key, row.locked_until)))
            elif _window_open(row, lim, at) and row.failures >= _limit(row.kind, lim):
                # The count is full of attempts still being checked: refuse as if locked.
                refusing.append((row, LoginLock(row.kind, row.key, at + lim.lockout)))
        if refusing:
            lock = max((lk for _, lk in refusing), key=lambda lk: lk.until)
            first = all(row.refused == 0 for row, _ in refusing)
            for row, _ in refusing:
                row.refused += 1
                row.last_refused_at = at
            for row in rows:
                row.save()
            if first:
                _audit_refused(username=username, ip=ip, lock=lock, source=source)
            return lock
        for row in rows:
            if not _window_open(row, lim, at):
                row.failures = 0
                row.window_started_at = at
            row.failures += 1
            row.save()
    return None


def login_attempt_failed(
    *, username: str | None, ip: str | None, source: str, reason: str = "bad_credentials"
) -> list[LoginLock]:
    """The password of a counted attempt was wrong: lock the keys whose count is full.

    Writes `user.login_failed` (the name tried, the address) and one `user.lockout` per new
    lock, in the same transaction. Returns the locks this failure created.
    """
    lim = limits()
    at = now()
    created: list[LoginLock] = []
    with transaction.atomic():
        for kind, key in sorted(_keys(username, ip)):
            row = _row_for_update(kind, key)
            row.last_failure_at = at
            if row.locked_until is not None and row.locked_until > at:
                row.save()
                continue  # already locked by another attempt of the same burst
            if _window_open(row, lim, at) and row.failures >= _limit(kind, lim):
                # The lock uses up the failures that earned it: once it ends, counting
                # starts again from nothing.
                created.append(LoginLock(kind, key, at + lim.lockout, row.failures))
                row.locked_until = at + lim.lockout
                row.failures = 0  # refusals of this burst stay counted on the lock
                row.window_started_at = None
            row.save()
        audit_record(
            actor=None,
            event="user.login_failed",
            object_type="user",
            object_id=username_key(username or "")[:100],
            after={"username": (username or "")[:_KEY_MAX], "reason": reason},
            source=source,
            ip=ip,
        )
        for lock in created:
            audit_record(
                actor=None,
                event="user.lockout",
                object_type="user" if lock.kind == Kind.USERNAME else "ip",
                object_id=lock.key[:100],
                after={
                    "until": lock.until,
                    "failures": lock.failures,
                    "window_minutes": int(lim.window.total_seconds() // 60),
                },
                source=source,
                ip=ip,
            )
    return created


def login_failed(
    *, username: str | None, ip: str | None, source: str, reason: str = "bad_credentials"
) -> list[LoginLock]:
    """Count one failed sign-in that did not go through the backend (begin, then fail)."""
    with transaction.atomic():
        if login_attempt_begin(username=username, ip=ip, source=source) is not None:
            return []
        return login_attempt_failed(username=username, ip=ip, source=source, reason=reason)


def _audit_refused(*, username: str | None, ip: str | None, lock: LoginLock, source: str):
    audit_record(
        actor=None,
        event="user.login_failed",
        object_type="user",
        object_id=username_key(username or "")[:100],
        after={
            "username": (username or "")[:_KEY_MAX],
            "reason": "locked",
            "locked": lock.kind,
            "until": lock.until,
        },
        source=source,
        ip=ip,
    )


def login_succeeded(*, user: User, ip: str | None, source: str) -> None:
    """A successful sign-in clears the name's failures (not the address's) and is audited."""
    with transaction.atomic():
        LoginThrottle.objects.filter(
            kind=Kind.USERNAME, key=username_key(user.get_username())
        ).update(failures=0, window_started_at=None)
        audit_record(
            actor=user,
            event="user.login",
            object_type="user",
            object_id=user.username,
            source=source,
            ip=ip,
        )


class UnlockError(ValueError):
    """An unlock asked for nothing (the message says what to give)."""


def login_unlock(
    *,
    username: str | None = None,
    ip: str | None = None,
    actor: User | None,
    source: str = "cli",
    from_ip: str | None = None,
) -> list[LoginLock]:
    """Lift the lock (and clear the failures) of a user name and/or an address. Audited.

    Returns the locks that were in force; unlocking what is not locked is harmless (the
    failures are cleared) and still audited, so the trail shows who tried.
    """
    keys = _keys(username, ip)
    if not keys:
        raise UnlockError("give a user name or an address to unlock")
    at = now()
    lifted: list[LoginLock] = []
    with transaction.atomic():
        for kind, key in keys:
            row = LoginThrottle.objects.select_for_update().filter(kind=kind, key=key).first()
            before = None
            if row is not None:
                before = {
                    "locked_until": row.locked_until,
                    "failures": row.failures,
                    "refused": row.refused,
                }
                if row.locked_until is not None and row.locked_until > at:
                    lifted.append(LoginLock(kind, key, row.locked_until))
                row.failures = 0
                row.refused = 0
                row.window_started_at = None
                row.locked_until = None
                row.save()
            audit_record(
                actor=actor,
                event="user.unlock",
                object_type="user" if kind == Kind.USERNAME else "ip",
                object_id=key[:100],
                before=before,
                after={"locked_until": None, "failures": 0},
                source=source,
                ip=from_ip,
            )
    return lifted


def locks_in_force(at: dt.datetime | None = None):
    """The throttle rows locked now, the one ending last first."""
    return LoginThrottle.objects.filter(locked_until__gt=at or now()).order_by(
        "-locked_until", "kind", "key"
    )


# Set while the backend itself has counted and recorded an attempt, so the failure signal
# Django sends afterwards does not count it twice.
_recorded: ContextVar[bool] = ContextVar("arrears_login_recorded", default=False)


# Checks a user must pass to sign in (or use an API token) from an address, besides the
# password: fn(user, ip) -> the reason for a refusal, or None. The agencies app registers one
# (an agency user only from the agency's listed address ranges).
_SIGNIN_CHECKS: list = []


def register_signin_check(fn) -> None:
    """Add a check run after the password (and on every API token use)."""
    if fn not in _SIGNIN_CHECKS:
        _SIGNIN_CHECKS.append(fn)


def signin_refusal(user: User, ip: str | None) -> str | None:
    """Why `user` may not sign in from `ip` (the first check that refuses), or None."""
    for check in _SIGNIN_CHECKS:
        reason = check(user, ip)
        if reason:
            return reason
    return None


def signin_refused(*, user: User, ip: str | None, source: str, reason: str) -> None:
    """Audit a sign-in (or token use) refused by a check; not counted as a failure."""
    audit_record(
        actor=None,
        event="user.signin_refused",
        object_type="user",
        object_id=user.username,
        after={"username": user.username, "reason": reason},
        source=source,
        ip=ip,
    )


class ThrottledModelBackend(ModelBackend):
    """Django's user-and-password backend, counting each attempt before checking its password.

    The attempt is counted in a short transaction (login_attempt_begin); the password is
    hashed after it commits, so on SQLite no write lock is held while Argon2 runs. A refusal
    raises PermissionDenied, which stops authentication and makes Django send
    `user_login_failed`; the lock is left on the request for the sign-in form's message.
    """

    def user_can_authenticate(self, user) -> bool:
        # A role that reaches only the API (credit_check: core/roles.py API_ONLY_ROLES) never
        # signs in to the web, and no session of one is honoured (get_user asks this too).
        from arrears.core.roles import API_ONLY_ROLES

        return super().user_can_authenticate(user) and (
            getattr(user, "role", None) not in API_ONLY_ROLES
        )

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip = request_ip(request) if request else None
        source = request_source(request)
        lock = login_attempt_begin(username=username, ip=ip, source=source)
        if lock is not None:
            _recorded.set(True)
            if request is not None:
                request.arrears_login_lock = lock
            raise PermissionDenied("sign-in locked")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        _recorded.set(user is None)
        if user is None:
            login_attempt_failed(username=username, ip=ip, source=source)
        else:
            refusal = signin_refusal(user, ip)
            if refusal:
                # The password was right: no failure is counted, the refusal is audited.
                _recorded.set(True)
                signin_refused(user=user, ip=ip, source=source, reason=refusal)
                if request is not None:
                    request.arrears_signin_refusal = refusal
                raise PermissionDenied(refusal)
            # The attempt is given back at once, whoever called authenticate (the sign-in
            # page audits the sign-in itself when it logs the user in).
            LoginThrottle.objects.filter(
                kind=Kind.USERNAME, key=username_key(user.get_username())
            ).update(failures=0, window_started_at=None, refused=0)
            if ip:
                # The address counted this attempt too: give it back, so an office whose
                # people sign in all morning is never locked by its successes.
                LoginThrottle.objects.filter(kind=Kind.IP, key=ip, failures__gt=0).update(
                    failures=F("failures") - 1
                )
        return user


# --- signal receivers (connected in CoreConfig.ready) ---------------------------------------


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    if _recorded.get():
        _recorded.set(False)
        return  # the backend counted and recorded this attempt already
    username = credentials.get("username", credentials.get(User.USERNAME_FIELD))
    ip = request_ip(request) if request is not None else None
    login_failed(username=username, ip=ip, source=request_source(request))


def on_logged_in(sender, request, user, **kwargs) -> None:
    login_succeeded(
        user=user,
        ip=request_ip(request) if request is not None else None,
        source=request_source(request),
    )


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is None:
        return  # signing out when not signed in changes nothing
    audit_record(
        actor=user,
        event="user.logout",
        object_type="user",
        object_id=user.username,
        source=request_source(request),
        ip=request_ip(request) if request is not None else None,
    )


class SigninCheckMiddleware:
    """Re-run the sign-in checks on every signed-in request, so a session signed in from an
    allowed address is not used from another (an agency user's ranges, agencies app). A
    refused session is signed out: the page sends to the sign-in form, the API answers 401.
    Users no check concerns cost nothing but the call (the agencies check reads the role)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if _SIGNIN_CHECKS and user is not None and user.is_authenticated:
            ip = request_ip(request)
            reason = signin_refusal(user, ip)
            if reason:
                from django.contrib.auth import logout

                signin_refused(user=user, ip=ip, source=request_source(request), reason=reason)
                logout(request)
        return self.get_response(request)
