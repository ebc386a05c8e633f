"""Creating, submitting and running jobs; the registry of job kinds.

A job kind is a name and a function `run(job, progress) -> dict` (the result summary).
`job_submit` sends a job to Celery when a broker is configured (`ARREARS_BROKER_URL`),
otherwise runs the same function in this process: at once (the command line, the demo,
small uploads) or in a background thread of the web process, so the request that started
it answers at once. docs/jobs.md says which and why.

Running a job is idempotent: a finished job is never run again (Celery may deliver a task
twice), and a job found `running` — its worker died — runs again from the start, which the
kinds make safe (imports are all-or-nothing and skip what is already in the book; the
end-of-day run replaces its day's rows in one transaction).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django.utils.functional import Promise

from arrears.core.models import User
from arrears.jobs.models import Job

log = logging.getLogger(__name__)


class JobFailed(Exception):
    """Raised by a job kind to fail with a message a person can act on (and a result)."""

    def __init__(self, message: str, result: dict | None = None) -> None:
        super().__init__(message)
        self.result = result or {}


class Progress:
    """How far a job got: `progress(done, total, stage=…)`, written at most twice a second.

    Written outside the work's own transaction (the imports read before they open one), so
    the jobs page and the API see it while the job runs.
    """

    INTERVAL = 0.5

    def __init__(self, job: Job) -> None:
        self.job = job
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, *, stage: str | None = None) -> None:
        now = time.monotonic()
        changed_stage = stage is not None and stage != self.job.stage
        if not changed_stage and now - self._last < self.INTERVAL:
            return
        self._last = now
        fields = {"done": done}
        if total is not None:
            fields["total"] = total
        if stage is not None:
            fields["stage"] = stage
        for name, value in fields.items():
            setattr(self.job, name, value)
        Job.objects.filter(pk=self.job.pk).update(**fields)


@dataclass(frozen=True)
class JobKind:
    """A kind of background work: its name, a label for people, and the function to run."""

    name: str
    label: str | Promise
    run: Callable[[Job, Progress], dict]


JOB_KINDS: dict[str, JobKind] = {}


def job_kind_register(kind: JobKind) -> JobKind:
    """Add (or replace, by name) a kind of job."""
    JOB_KINDS[kind.name] = kind
    return kind


def job_root() -> Path:
    return Path(settings.ARREARS_JOB_ROOT)


def job_dir(job: Job) -> Path:
    """The job's own directory for the files it writes (error file, result file)."""
    path = job_root() / "jobs" / str(job.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_path(relative: str) -> Path:
    """A job file's absolute path; refuses anything that would leave the job root."""
    root = job_root().resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"job file outside the job root: {relative}")
    return path


def job_relative(path: Path) -> str:
    return str(Path(path).resolve().relative_to(job_root().resolve()))


def broker_configured() -> bool:
    return bool(settings.ARREARS_BROKER_URL)


def job_create(
    *,
    kind: str,
    actor: User | None,
    params: dict | None = None,
    source: str = "system",
    input_file: str = "",
    total: int | None = None,
) -> Job:
    """A queued job of a registered kind."""
    if kind not in JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    return Job.objects.create(
        kind=kind,
        created_by=actor,
        params=params or {},
        source=source,
        input_file=input_file,
        total=total,
    )


def job_submit(job: Job, *, background: bool = True) -> Job:
    """Run `job`: on a Celery worker when a broker is configured; else here, now
    (`background=False`) or in a thread of this process once the transaction commits."""
    if broker_configured():
        transaction.on_commit(lambda: _enqueue(job.pk))
        return job
    if not background:
        return job_execute(job_id=job.pk)
    transaction.on_commit(lambda: _thread_start(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    """Send the job to the broker; a broker that does not answer fails the job, saying so,
    rather than the request that started it."""
    from arrears.jobs.tasks import job_task

    try:
        job_task.delay(job_id)
    except Exception as exc:  # kombu raises the transport's own errors
        log.exception("job #%s could not be queued", job_id)
        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.FAILED,
            error=f"the job queue (ARREARS_BROKER_URL) did not take the job: {exc}",
            finished_at=timezone.now(),
        )


def _thread_start(job_id: int) -> None:
    def work() -> None:
        try:
            job_execute(job_id=job_id)
        finally:
            connections.close_all()  # this thread's own connections

    threading.Thread(target=work, name=f"arrears-job-{job_id}", daemon=True).start()


def job_execute(*, job_id: int) -> Job:
    """Run a job now, in this process; record start, progress, result or failure.

    A job already finished is returned as it is (a task delivered twice runs once).
    """
    # No close_old_connections() here: Celery's Django fix-up does it around each task, a
    # thread closes its own when done, and inside a caller's transaction it would end it.
    with transaction.atomic():
        # Lock the job row only: the user is on the nullable side of an outer join.
        job = (
            Job.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=job_id)
        )
        if job.finished:
            return job
        job.status = Job.Status.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.error = ""
        job.save(update_fields=["status", "started_at", "attempts", "error"])
    kind = JOB_KINDS.get(job.kind)
    try:
        if kind is None:
            raise JobFailed(f"unknown job kind {job.kind!r}")
        result = kind.run(job, Progress(job))
    except JobFailed as exc:
        job.status, job.error, job.result = Job.Status.FAILED, str(exc), exc.result
    except Exception as exc:  # the job row says what went wrong; the log has the traceback
        log.exception("job #%s (%s) failed", job.pk, job.kind)
        job.status, job.error = Job.Status.FAILED, f"{type(exc).__name__}: {exc}"
    else:
        job.status, job.result = Job.Status.SUCCEEDED, result or {}
        if job.total is not None:
            job.done = job.total
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "error",
            "result",
            "done",
            "total",
            "stage",
            "finished_at",
            "error_file",
            "result_file",
            "input_file",
            "params",
        ]
    )
    return job


def job_record_finished(
    *,
    kind: str,
    actor: User | None,
    params: dict,
    result: dict,
    started_at,
    finished_at,
    source: str = "system",
) -> Job:
    """A job row for work that already ran outside the job machinery (the demo's end-of-day
    runs go through the casework script; this records the last one so the page shows it)."""
    return Job.objects.create(
        kind=kind,
        created_by=actor,
        params=params,
        source=source,
        status=Job.Status.SUCCEEDED,
        done=1,
        total=1,
        created_at=started_at,
        started_at=started_at,
        finished_at=finished_at,
        attempts=1,
        result=result,
    )


def job_files_remove(job: Job) -> None:
    """Delete the job's directory (error and result files)."""
    shutil.rmtree(job_root() / "jobs" / str(job.pk), ignore_errors=True)
