"""Background jobs: one row per run of long work (an import, an export, an end-of-day run)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """One run of long work, whoever started it and wherever it runs (a Celery worker, a
    thread of the web process, or the command line): what, with which parameters, how far
    it got, and what came of it — so a person who closed the browser finds it later."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(max_length=10, default="system")  # web, api, cli, schedule, system
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    stage = models.CharField(max_length=40, blank=True)  # e.g. "reading", "writing"
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # What came of it: counts and the first row errors (JSON), or why it failed.
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # Files under ARREARS_JOB_ROOT (never under the web root), relative to it.
    input_file = models.CharField(max_length=300, blank=True)
    error_file = models.CharField(max_length=300, blank=True)
    result_file = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "succeeded", "failed"]),
                name="jobs_job_status_known",
            )
        ]

    def __str__(self) -> str:
        return f"job #{self.pk} {self.kind} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def percent(self) -> int | None:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))
