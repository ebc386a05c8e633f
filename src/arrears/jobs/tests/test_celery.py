"""The task path: jobs sent through a real Redis broker and run by a real Celery worker.

Needs Redis on 127.0.0.1:6379 (database 15 is used and emptied); `.ci/run` starts it. Without
it these tests are skipped, saying so.
"""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from arrears.book.models import Payment
from arrears.core.models import ApiToken
from arrears.jobs.models import Job
from arrears.jobs.services import job_create, job_submit
from arrears.jobs.tests.conftest import GOOD_ROWS, payments_csv

REDIS = "redis://127.0.0.1:6379/15"

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def worker(settings, monkeypatch):
    """A Celery worker in a thread of this process, on the local Redis."""
    import redis
    from celery.contrib.testing.worker import start_worker

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not answering on 127.0.0.1:6379 (start redis-server): skipped")
    from arrears.jobs.celery import app

    settings.ARREARS_BROKER_URL = REDIS
    monkeypatch.setitem(app.conf, "broker_url", REDIS)
    app._pool = None  # connections to the broker configured before
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        yield app
    app._pool = None


def wait_for(job: Job, seconds: float = 20) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job #{job.pk} still {job.status} after {seconds} s")


def test_an_uploaded_payments_file_is_checked_and_imported_by_the_worker(worker, people, two_loans):
    if connection.vendor == "sqlite":
        # The in-memory test database is shared between threads with table locks that
        # ignore the busy timeout; the job thread and this one polling collide. A file
        # database (the product) waits instead. CI runs this on PostgreSQL.
        pytest.skip("a job thread writing while the test polls: run on PostgreSQL")
    _, token = ApiToken.issue(people["mia"], name="test")
    client = Client(headers={"Authorization": f"Bearer {token}"})

    response = client.post(
        "/api/v1/imports/payments",
        {"file": SimpleUploadedFile("p.csv", payments_csv(GOOD_ROWS), "text/csv")},
    )

    assert response.status_code == 202, response.json()
    assert response.json()["status"] in ("queued", "running", "succeeded")
    check = wait_for(Job.objects.get(pk=response.json()["id"]))
    assert (check.status, check.attempts, check.result["errors_total"]) == ("succeeded", 1, 0)
    assert Payment.objects.count() == 0

    response = client.post(f"/api/v1/jobs/{check.pk}/commit", {}, content_type="application/json")
    assert response.status_code == 202, response.json()
    job = wait_for(Job.objects.get(pk=response.json()["id"]))
    assert (job.status, job.result["created"]) == ("succeeded", 2)
    assert sorted(Payment.objects.values_list("amount_fen", flat=True)) == [50000, 106619]
    body = client.get(f"/api/v1/jobs/{job.pk}").json()
    assert (body["status"], body["done"], body["total"]) == ("succeeded", 2, 2)


def test_end_of_day_runs_as_a_task_and_a_redelivered_task_does_nothing(worker, people):
    if connection.vendor == "sqlite":
        # As above: the shared in-memory test database's table locks ignore the busy timeout,
        # and the job thread's end-of-day collided with this thread's polling (seen once in a
        # full run: "database table is locked: jobs_job"). CI runs this on PostgreSQL.
        pytest.skip("a job thread writing while the test polls: run on PostgreSQL")
    from arrears.eod.models import EodRun
    from arrears.jobs.tasks import job_task

    job = job_submit(
        job_create(kind="eod", actor=people["mia"], params={"as_of": "2026-12-01"}, source="api")
    )
    job = wait_for(job)
    assert (job.status, job.result["as_of"]) == ("succeeded", "2026-12-01")
    assert EodRun.objects.filter(as_of="2026-12-01", status="done").count() == 1

    job_task.delay(job.pk)  # Celery may deliver a task twice
    time.sleep(1)
    job.refresh_from_db()
    assert job.attempts == 1
    assert EodRun.objects.count() == 1
