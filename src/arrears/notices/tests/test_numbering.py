"""Notice numbers: CN-<year>-<6 digits>, sequential and gapless per year, unique under
concurrency (the per-year counter row is locked with select_for_update)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.conf import settings
from django.db import IntegrityError, connections, transaction

from arrears.notices.models import Notice, NoticeCounter
from arrears.notices.services import next_number

D = dt.date
# Concurrent writers need PostgreSQL: SQLite serialises whole transactions, so there is no race
# to lose. Decided at collection, so the SQLite run does not even set up a flushed database.
on_postgresql = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="concurrent numbering is tested on PostgreSQL",
)
# Transactional tests empty every table afterwards; serialized_rollback puts the seeded rows
# (rule packs, categories, templates) back for the tests that follow.
concurrent = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.django_db
def test_numbers_run_in_sequence_within_a_year(issue):
    numbers = [issue().number for _ in range(3)]
    assert numbers == ["CN-2026-000001", "CN-2026-000002", "CN-2026-000003"]
    assert NoticeCounter.objects.get(year=2026).last == 3


@pytest.mark.django_db
def test_a_new_year_starts_again_at_one(issue, cn_template, people):
    from arrears.documents.tests.conftest import make_case
    from arrears.testing import make_loan

    # A loan that was overdue at the end of 2025 (bullet, due 2025-07-10).
    case = make_case(
        make_loan(method="bullet", term_months=6, disbursed_on=D(2025, 1, 10)),
        opened_on=D(2025, 7, 11),
    )

    def on(day):
        return issue(case=case, issued_on=day, as_of=day, pay_by=D(2026, 1, 31)).number

    assert [on(D(2025, 12, 31)), on(D(2026, 1, 1)), on(D(2025, 12, 31))] == [
        "CN-2025-000001",
        "CN-2026-000001",
        "CN-2025-000002",
    ]


@pytest.mark.django_db
def test_a_number_cannot_be_used_twice(issue):
    notice = issue()
    other = issue()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.filter(pk=other.pk).update(number=notice.number)


def _number_in_thread(results: list, start: threading.Barrier, hold: float) -> None:
    try:
        start.wait()
        with transaction.atomic():
            results.append(next_number(2026)[1])
            time.sleep(hold)  # keep the row locked while the others ask
    finally:
        connections.close_all()


@on_postgresql
@concurrent
def test_concurrent_numbering_gives_distinct_gapless_numbers():
    results: list[str] = []
    workers = 4
    start = threading.Barrier(workers)
    threads = [
        threading.Thread(target=_number_in_thread, args=(results, start, 0.2))
        for _ in range(workers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [f"CN-2026-{n:06d}" for n in range(1, workers + 1)]
    assert NoticeCounter.objects.get(year=2026).last == workers


@on_postgresql
@concurrent
def test_two_notices_issued_at_once_get_two_numbers(people, document_store):
    from arrears.documents.tests.conftest import make_case
    from arrears.notices.models import NoticeTemplate
    from arrears.notices.services import notice_issue
    from arrears.testing import make_loan

    cases = [
        make_case(
            make_loan(method="bullet", term_months=6, disbursed_on=D(2026, 1, 10)),
            opened_on=D(2026, 7, 11),
        )
        for _ in range(2)
    ]
    template = NoticeTemplate.objects.get(code="cn_default", active=True)
    start = threading.Barrier(2)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def run(case):
        try:
            start.wait()
            numbers.append(
                notice_issue(
                    case=case,
                    template=template,
                    as_of=D(2026, 11, 20),
                    pay_by=D(2026, 12, 31),
                    actor=people["mia"],
                    issued_on=D(2026, 11, 20),
                ).number
            )
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert sorted(numbers) == ["CN-2026-000001", "CN-2026-000002"]
