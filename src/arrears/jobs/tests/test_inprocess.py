"""Without a broker (the embedded default) the same job code runs in this process."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from arrears.book.models import Payment
from arrears.jobs.models import Job
from arrears.jobs.services import (
    JOB_KINDS,
    JobFailed,
    JobKind,
    job_create,
    job_execute,
    job_path,
    job_submit,
)
from arrears.jobs.tests.conftest import GOOD_ROWS, payments_csv


@pytest.mark.django_db
def test_end_of_day_runs_as_a_job_and_is_recorded(people):
    from arrears.eod.models import EodRun

    job = job_submit(
        job_create(kind="eod", actor=people["mia"], params={"as_of": "2026-12-01"}),
        background=False,
    )

    assert (job.status, job.attempts, job.error) == ("succeeded", 1, "")
    run = EodRun.objects.get()
    assert job.result["eod_run"] == run.pk and job.result["as_of"] == "2026-12-01"
    assert job.started_at <= job.finished_at


@pytest.mark.django_db
def test_a_finished_job_is_not_run_again(people):
    from arrears.eod.models import EodRun

    job = job_submit(job_create(kind="eod", actor=None, params={}), background=False)
    again = job_execute(job_id=job.pk)
    assert (again.status, again.attempts) == ("succeeded", 1)
    assert EodRun.objects.count() == 1


@pytest.mark.django_db
def test_a_job_whose_worker_died_runs_again_from_the_start(people, two_loans, tmp_path):
    """An import left `running` (its worker killed) is run again; all-or-nothing imports
    and payment IDs make that safe."""
    from arrears.jobs.imports import upload_store

    relative, size = upload_store(filename="p.csv", chunks=[payments_csv(GOOD_ROWS)])
    job = job_create(
        kind="import",
        actor=people["mia"],
        input_file=relative,
        params={"kind": "payments", "dry_run": False, "filename": "p.csv", "size": size},
    )
    Job.objects.filter(pk=job.pk).update(status="running", attempts=1)

    job = job_execute(job_id=job.pk)

    assert (job.status, job.attempts, job.result["created"]) == ("succeeded", 2, 2)
    assert Payment.objects.count() == 2


@pytest.mark.django_db
def test_a_failure_is_recorded_with_its_reason(people, monkeypatch):
    def broken(job, progress):
        progress(3, 10, stage="reading")
        raise JobFailed("the bank file is from another lender", {"rows": 3})

    monkeypatch.setitem(JOB_KINDS, "test_broken", JobKind("test_broken", "broken", broken))
    job = job_submit(job_create(kind="test_broken", actor=people["mia"]), background=False)

    assert (job.status, job.error, job.result) == (
        "failed",
        "the bank file is from another lender",
        {"rows": 3},
    )
    assert (job.done, job.total, job.stage) == (3, 10, "reading")
    assert job.finished_at is not None


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_job_not_the_caller(people, monkeypatch):
    def crash(job, progress):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(JOB_KINDS, "test_crash", JobKind("test_crash", "crash", crash))
    job = job_submit(job_create(kind="test_crash", actor=None), background=False)
    assert (job.status, job.error) == ("failed", "ZeroDivisionError: division by zero")


@pytest.mark.django_db
def test_an_export_job_keeps_its_file_for_the_user_who_asked(people, two_loans):
    job = job_submit(
        job_create(kind="export", actor=people["mia"], params={"name": "loans"}, source="web"),
        background=False,
    )
    assert (job.status, job.result["rows"]) == ("succeeded", 2)
    text = job_path(job.result_file).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("loan_id,borrower_id,principal")
    assert "L0002" in text
    client = Client()
    client.force_login(people["mia"])
    assert client.get(f"/jobs/{job.pk}/files/result/").status_code == 200


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_large_upload_is_checked_in_the_background_with_progress(people, two_loans, settings):
    """Over ARREARS_JOB_INLINE_BYTES the request answers at once; a thread does the work."""
    settings.ARREARS_JOB_INLINE_BYTES = 0
    client = Client(headers={"accept-language": "en"})
    client.force_login(people["mia"])

    response = client.post(
        "/jobs/imports/",
        {
            "kind": "payments",
            "file": SimpleUploadedFile("p.csv", payments_csv(GOOD_ROWS), "text/csv"),
        },
    )

    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    deadline = time.monotonic() + 20
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.1)
        job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("succeeded", 2, 2)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Import the file" in page


@pytest.mark.django_db
def test_arrears_eod_is_recorded_as_a_job_and_queue_needs_a_broker(people):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    call_command("eod", "--as-of", "2026-12-01", "--no-progress", stdout=out)

    assert "End of day 2026-12-01" in out.getvalue()
    job = Job.objects.get()
    assert (job.kind, job.source, job.status, job.result["as_of"]) == (
        "eod",
        "cli",
        "succeeded",
        "2026-12-01",
    )
    with pytest.raises(CommandError, match="needs a broker"):
        call_command("eod", "--queue", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_broker_that_does_not_answer_fails_the_job_not_the_request(people, settings, monkeypatch):
    from arrears.jobs.tasks import job_task

    settings.ARREARS_BROKER_URL = "redis://127.0.0.1:1/0"

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr(job_task, "delay", refuse)
    with django_capture_on_commit():
        job = job_submit(job_create(kind="eod", actor=people["mia"]))
    job.refresh_from_db()
    assert job.status == "failed"
    assert "did not take the job: Connection refused" in job.error


def django_capture_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
