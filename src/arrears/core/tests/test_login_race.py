"""The sign-in lock holds under concurrency, and a lock cannot be used to grow the audit trail.

Issue 12: 60 simultaneous sign-ins to one account had all 59 wrong passwords checked and the
right one then succeed, because the lock was read before the failure was counted.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import authenticate
from django.db import connection

from arrears.core import logins
from arrears.core.models import AuditEntry, LoginThrottle, User
from arrears.core.roles import Role
from arrears.core.tests.test_logins import Clock, sign_in
from arrears.testing import PASSWORD

ATTEMPTS = 40


@pytest.fixture
def limits(settings):
    settings.ARREARS_LOGIN_MAX_FAILURES = 5
    settings.ARREARS_LOGIN_MAX_FAILURES_PER_IP = 1000
    settings.ARREARS_LOGIN_WINDOW_MINUTES = 15
    settings.ARREARS_LOGIN_LOCKOUT_MINUTES = 15


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_wrong_passwords_check_no_more_than_the_limit(limits, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs separate connections writing at once: run on PostgreSQL")
    User.objects.create_user(username="carl", password=PASSWORD, role=Role.COLLECTOR)
    checked: list[str] = []
    guard = threading.Lock()
    original = User.check_password

    def counting(self, raw):
        with guard:
            checked.append(raw)
        return original(self, raw)

    monkeypatch.setattr(User, "check_password", counting)
    barrier = threading.Barrier(ATTEMPTS)

    def attempt(n: int):
        try:
            barrier.wait(timeout=30)
            return authenticate(None, username="carl", password=f"wrong-{n}")
        finally:
            connection.close()  # each thread had its own connection

    with ThreadPoolExecutor(ATTEMPTS) as pool:
        results = list(pool.map(attempt, range(ATTEMPTS)))

    assert results == [None] * ATTEMPTS
    assert len(checked) <= 5, f"{len(checked)} passwords were checked"
    # The right password after the lock is refused, without being checked.
    assert authenticate(None, username="carl", password=PASSWORD) is None
    assert len(checked) <= 5
    row = LoginThrottle.objects.get(kind="username", key="carl")
    assert row.locked_until is not None
    # One lock, one entry for it; the refusals are counted, not written one by one.
    assert AuditEntry.objects.filter(event="user.lockout").count() == 1
    assert AuditEntry.objects.filter(event="user.login_failed").count() <= 6
    assert row.refused == ATTEMPTS - len(checked) + 1


@pytest.mark.django_db
def test_refused_attempts_while_locked_are_counted_in_one_entry(
    client, people, limits, monkeypatch
):
    clock = Clock()
    monkeypatch.setattr(logins, "now", clock)
    for _ in range(5):
        sign_in(client, "carl", "nope")
    before = AuditEntry.objects.count()
    for _ in range(200):
        sign_in(client, "carl", "nope")
    # 200 refusals: the first is written (someone tried during the lock), the rest counted.
    assert AuditEntry.objects.count() - before == 1
    row = LoginThrottle.objects.get(kind="username", key="carl")
    assert row.refused == 200
    clock.move(minutes=16)
    assert sign_in(client, "carl", PASSWORD).status_code == 302
    end = AuditEntry.objects.get(event="user.lockout_end")
    assert end.object_id == "carl" and end.after["refused"] == 200


@pytest.mark.django_db
def test_lifting_a_lock_records_how_many_attempts_it_refused(client, people, limits, monkeypatch):
    monkeypatch.setattr(logins, "now", Clock())
    for _ in range(5 + 7):
        sign_in(client, "carl", "nope")
    logins.login_unlock(username="carl", actor=people["alice"], source="web")
    entry = AuditEntry.objects.get(event="user.unlock", object_id="carl")
    assert entry.before["refused"] == 7
    assert sign_in(client, "carl", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_password_is_hashed_after_the_count_is_committed(people, limits, monkeypatch):
    """On SQLite a sign-in must not hold the write lock while Argon2 runs."""
    seen = []
    original = User.check_password

    def spy(self, raw):
        seen.append(len(connection.atomic_blocks))
        return original(self, raw)

    monkeypatch.setattr(User, "check_password", spy)
    outside = len(connection.atomic_blocks)  # the test's own transaction
    authenticate(None, username="carl", password="nope")
    assert seen == [outside]


@pytest.mark.django_db
def test_the_sign_in_page_hashes_outside_any_transaction(client, people, limits, monkeypatch):
    seen = []
    original = User.check_password

    def spy(self, raw):
        seen.append(len(connection.atomic_blocks))
        return original(self, raw)

    monkeypatch.setattr(User, "check_password", spy)
    outside = len(connection.atomic_blocks)
    sign_in(client, "carl", "nope")
    assert sign_in(client, "carl", PASSWORD).status_code == 302
    assert seen == [outside, outside]


@pytest.mark.django_db
def test_administrators_see_the_refused_count_on_the_locks_page(client, people, limits):
    for _ in range(5 + 3):
        sign_in(client, "carl", "nope")
    sign_in(client, "alice", PASSWORD)
    page = client.get("/audit/locks/")
    row = page.content.decode().split("carl")[1].split("</tr>")[0]
    assert ">3<" in row.replace(" ", "")


@pytest.mark.django_db
def test_an_office_signing_in_all_morning_is_not_locked(client, people, settings, monkeypatch):
    settings.ARREARS_LOGIN_MAX_FAILURES_PER_IP = 5
    monkeypatch.setattr(logins, "now", Clock())
    for _ in range(12):
        for name in ("carl", "cora", "tom"):
            assert sign_in(client, name, PASSWORD, ip="198.51.100.20").status_code == 302
            client.logout()
    row = LoginThrottle.objects.get(kind="ip", key="198.51.100.20")
    assert row.failures == 0 and row.locked_until is None
