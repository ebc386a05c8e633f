"""Reads of jobs, scoped: who sees which job rows."""

from __future__ import annotations

from django.db.models import QuerySet

from arrears.core.models import User
from arrears.core.roles import READ_ALL_ROLES
from arrears.jobs.models import Job


def jobs_for(user: User) -> QuerySet[Job]:
    """Jobs `user` may see: administrators, managers and auditors every job (scheduled ones
    included); everyone else the jobs they started."""
    if not user.is_authenticated or not user.is_active:
        return Job.objects.none()
    qs = Job.objects.select_related("created_by")
    if user.role in READ_ALL_ROLES or user.is_superuser:
        return qs
    return qs.filter(created_by=user)


def job_get(user: User, job_id: int) -> Job | None:
    """One job, or None when it does not exist or is not the user's to see."""
    return jobs_for(user).filter(pk=job_id).first()


def job_label(job: Job) -> str:
    """What a person calls the job: the kind, and for an import which file kind."""
    from arrears.jobs.imports import UPLOAD_KINDS
    from arrears.jobs.services import JOB_KINDS

    kind = JOB_KINDS.get(job.kind)
    label = str(kind.label) if kind else job.kind
    if job.kind == "import":
        upload = UPLOAD_KINDS.get(job.params.get("kind", ""))
        what = str(upload.label) if upload else job.params.get("kind", "")
        return f"{label} · {what}"
    if job.kind == "export":
        return f"{label} · {job.params.get('name', '')}"
    return label
