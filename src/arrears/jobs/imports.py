"""Imports from the browser and the API, as jobs: store the upload, check it, commit it.

The same import functions as `arrears import` (ingest.services.IMPORTERS) do the work; a
job runs them on the stored file. Every kind in IMPORTERS can be uploaded, gated by
`book.import` like the command line; `upload_kind_register` gives a kind a label, help and
another capability. The file is kept under ARREARS_JOB_ROOT/uploads/ (not under the web
root) until it is committed, or for ARREARS_UPLOAD_KEEP_HOURS after its check.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from arrears.core.models import User
from arrears.jobs.models import Job
from arrears.jobs.services import (
    JobFailed,
    JobKind,
    Progress,
    job_create,
    job_dir,
    job_kind_register,
    job_path,
    job_relative,
    job_root,
    job_submit,
)

KIND = "import"
SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm"}


@dataclass(frozen=True)
class UploadKind:
    """How the upload page offers one import kind: its label and who may upload it."""

    name: str
    label: str | Promise
    capability: str = "book.import"


UPLOAD_KINDS: dict[str, UploadKind] = {}


def upload_kind_register(kind: UploadKind) -> UploadKind:
    """Label an import kind on the upload page, or gate it with another capability.

    Optional: any kind registered in ingest.services.IMPORTERS is offered anyway, under its
    name, to those holding `book.import`."""
    UPLOAD_KINDS[kind.name] = kind
    return kind


for _name, _label in (
    ("loans", _("Loans (loan tape)")),
    ("schedule", _("Repayment schedules")),
    ("payments", _("Payments")),
    ("deductions", _("Auto-debit attempts (deductions)")),
    ("activities", _("Call records (activities)")),
    ("assignments", _("Case assignments")),
):
    upload_kind_register(UploadKind(_name, _label))


def importers() -> dict:
    from arrears.ingest.services import IMPORTERS

    return IMPORTERS


def upload_kinds(user: User) -> list[UploadKind]:
    """The import kinds `user` may upload, in a stable order."""
    kinds = [UPLOAD_KINDS.get(name) or UploadKind(name, name) for name in importers()]
    order = list(UPLOAD_KINDS)
    kinds.sort(key=lambda k: (order.index(k.name) if k.name in order else len(order), k.name))
    return [k for k in kinds if may_upload(user, k.name)]


def may_upload(user: User, kind: str) -> bool:
    if kind not in importers() or not user.is_authenticated or user.is_read_only:
        return False
    spec = UPLOAD_KINDS.get(kind) or UploadKind(kind, kind)
    return user.can(spec.capability)


class UploadRefused(ValueError):
    """The upload cannot be taken (type, size, kind); nothing was stored."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def max_upload_bytes() -> int:
    # ARREARS_IMPORT_MAX_BYTES is the readers' limit (issue 12); the same bound here.
    return int(getattr(settings, "ARREARS_IMPORT_MAX_BYTES", 0) or 50 * 1024 * 1024)


def _safe_name(filename: str) -> str:
    name = Path(filename or "upload.csv").name
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    stem = re.sub(r"[^\w.\-]+", "_", stem).strip("._")[:80] or "upload"
    return f"{stem}{suffix}"


def upload_store(*, filename: str, chunks: Iterable[bytes]) -> tuple[str, int]:
    """Store an uploaded file under the job root; (relative path, size). Refuses a type the
    importers do not read, an empty file and one over the size limit (nothing kept)."""
    name = _safe_name(filename)
    suffix = Path(name).suffix
    if suffix not in SUFFIXES:
        raise UploadRefused(
            "file_format",
            _("%(name)s: unsupported file type; upload a .csv or .xlsx file") % {"name": filename},
        )
    folder = job_root() / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    limit, size = max_upload_bytes(), 0
    with path.open("wb") as fh:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                fh.close()
                _remove(path)
                raise UploadRefused(
                    "file_too_large",
                    _("%(name)s is larger than %(mb)s MB") % {"name": filename, "mb": limit >> 20},
                )
            fh.write(chunk)
    if size == 0:
        _remove(path)
        raise UploadRefused("file_empty", _("%(name)s is empty") % {"name": filename})
    return job_relative(path), size


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()
    except OSError:
        pass


def import_check(
    *,
    kind: str,
    actor: User,
    filename: str,
    chunks: Iterable[bytes],
    source: str,
    dry_run: bool = True,
    skip_invalid: bool = False,
) -> Job:
    """Store an upload and start its import as a job: a dry run (the default) that reports
    every row error, or the import itself. Small files run before this returns; larger ones
    in the background (ARREARS_JOB_INLINE_BYTES)."""
    if not may_upload(actor, kind):
        raise PermissionError(kind)
    relative, size = upload_store(filename=filename, chunks=chunks)
    job = job_create(
        kind=KIND,
        actor=actor,
        source=source,
        input_file=relative,
        params={
            "kind": kind,
            "dry_run": dry_run,
            "skip_invalid": skip_invalid,
            "filename": Path(filename).name,
            "size": size,
        },
    )
    return job_submit(job, background=size > settings.ARREARS_JOB_INLINE_BYTES)


class CommitRefused(ValueError):
    """This check cannot be committed (not finished, already committed, file expired)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def import_commit(*, check: Job, actor: User, source: str, skip_invalid: bool = False) -> Job:
    """Import the file a dry run checked, as a new job; once only per check."""
    if not may_upload(actor, check.params.get("kind", "")):
        raise PermissionError(check.params.get("kind"))
    with transaction.atomic():
        check = Job.objects.select_for_update().get(pk=check.pk)
        if check.kind != KIND or not check.params.get("dry_run"):
            raise CommitRefused("not_a_check", _("Only a checked upload (a dry run) is committed."))
        if check.status != Job.Status.SUCCEEDED:
            raise CommitRefused("not_checked", _("The file has not been checked yet."))
        if check.params.get("commit_job"):
            raise CommitRefused(
                "already_committed",
                _("This file was already committed (job #%(id)s).")
                % {"id": check.params["commit_job"]},
            )
        if not check.input_file or not job_path(check.input_file).is_file():
            raise CommitRefused(
                "file_expired", _("The uploaded file has expired; upload it again.")
            )
        if check.result.get("errors_total") and not skip_invalid:
            raise CommitRefused(
                "has_errors",
                _("The file has errors: fix them and upload it again, or import the valid rows."),
            )
        job = job_create(
            kind=KIND,
            actor=actor,
            source=source,
            input_file=check.input_file,
            params={
                **{k: check.params[k] for k in ("kind", "filename", "size")},
                "dry_run": False,
                "skip_invalid": skip_invalid,
                "check_job": check.pk,
            },
        )
        check.params = {**check.params, "commit_job": job.pk}
        check.save(update_fields=["params"])
    return job_submit(job, background=check.params["size"] > settings.ARREARS_JOB_INLINE_BYTES)


def _counting(rows: Iterable, total: int | None, progress: Progress) -> Iterator:
    progress(0, total, stage="reading")
    done = 0
    for row in rows:
        yield row
        done += 1
        progress(done, total)
    progress(done, done, stage="writing")


def run_import(job: Job, progress: Progress) -> dict:
    """The `import` job kind: one of IMPORTERS on the stored upload."""
    from arrears.ingest.errors import ImportFileError
    from arrears.ingest.readers import read_table
    from arrears.ingest.services import write_error_file

    p = job.params
    importer = importers().get(p["kind"])
    if importer is None:
        raise JobFailed(f"unknown import kind {p['kind']!r}")
    if not job.input_file or not job_path(job.input_file).is_file():
        raise JobFailed(str(_("The uploaded file has expired; upload it again.")))
    path = job_path(job.input_file)
    try:
        table = read_table(path, p["kind"])
    except ImportFileError as exc:
        raise JobFailed(f"{p['filename']}: {exc}") from exc
    table.rows = _counting(table.rows, table.total, progress)
    error_path = job_dir(job) / f"{Path(p['filename']).stem}.errors.csv"
    kwargs = {
        "dry_run": p["dry_run"],
        "skip_invalid": p.get("skip_invalid", False),
        "error_file": error_path,
        "actor": job.created_by,
        "source": job.source if job.source in ("web", "api", "cli") else "system",
    }
    if "table" in inspect.signature(importer).parameters:
        kwargs["table"] = table
    else:
        kwargs["path"] = path
    try:
        report = importer(**kwargs)
    except ImportFileError as exc:
        raise JobFailed(f"{p['filename']}: {exc}") from exc
    except IntegrityError as exc:
        raise JobFailed(
            "the book changed while importing (another import of the same loans or payments?); "
            "nothing was imported, run it again"
        ) from exc
    if report.rejected and report.error_file is None:
        # A dry run writes no error file; the page offers the same file the CLI's
        # --skip-invalid writes, so it is made here from the same rows.
        report.error_file = write_error_file(table, report.rejected, error_path)
    if report.error_file is not None:
        job.error_file = job_relative(report.error_file)
    limit = settings.ARREARS_IMPORT_MAX_ERRORS
    result = {
        "kind": p["kind"],
        "dry_run": report.dry_run,
        "rows": report.rows,
        "valid": report.valid,
        "rejected": len(report.rejected),
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "counts": dict(report.counts),
        "written": report.written,
        "errors_total": len(report.errors),
        "errors": [_error(e) for e in report.errors[:limit]],
        "summary": report.summary(),
    }
    job.total = job.done = report.rows
    if report.written:
        _upload_remove(job)  # committed: the stored upload has served its purpose
    elif not report.dry_run and report.errors:
        raise JobFailed(
            f"{len(report.errors):,} error(s) in {p['filename']}; nothing was imported",
            result,
        )
    return result


def _error(err) -> dict:
    """A row error as the API gives it, plus its parameters (as text) for the page to show
    the reason in the reader's language (jobs.messages)."""
    return {**err.as_dict(), "params": {k: str(v) for k, v in err.params.items()}}


def _upload_remove(job: Job) -> None:
    old = job.input_file
    try:
        _remove(job_path(old))
    except ValueError:
        pass
    job.input_file = ""
    Job.objects.filter(input_file=old).update(input_file="")  # the check that read it too


def uploads_expire(*, now: dt.datetime | None = None) -> int:
    """Delete stored uploads not committed within ARREARS_UPLOAD_KEEP_HOURS; how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.ARREARS_UPLOAD_KEEP_HOURS)
    stale = Job.objects.filter(kind=KIND, created_at__lt=cutoff).exclude(input_file="")
    removed = 0
    for job in stale.exclude(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]):
        try:
            path = job_path(job.input_file)
        except ValueError:
            continue
        if path.exists():
            _remove(path)
            removed += 1
        Job.objects.filter(input_file=job.input_file).update(input_file="")
    return removed


job_kind_register(JobKind(KIND, _("Import"), run_import))
