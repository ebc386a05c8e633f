"""Collection cases: one per delinquent loan, grouped on the borrower, with bucket history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.book.models import Borrower, Loan
from arrears.core.models import Agency, Team


class Case(models.Model):
    """The collection file (案件) of a loan, opened on delinquency and closed on cure or payoff.

    The end-of-day run opens and closes cases and keeps bucket and DPD current; a loan has at
    most one open case (a new one opens if it falls overdue again after a close).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class CloseReason(models.TextChoices):
        CURED = "cured", _("Cured")
        PAID_OFF = "paid_off", _("Paid off")
        SETTLED = "settled", _("Settled")
        WRITTEN_OFF = "written_off", _("Written off")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="cases")
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="cases")
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    bucket = models.CharField(_("bucket"), max_length=8)
    dpd = models.IntegerField(_("DPD"), default=0)
    # Assignment, copied from the loan when the case opens (strategy/allocation will own it).
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    field_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    legal_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan"], condition=Q(status="open"), name="case_one_open_per_loan"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="case_closed_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "bucket"])]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.loan_id})"


class CaseBucketHistory(models.Model):
    """The bucket a case entered on a date (one row each time the bucket changes)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="bucket_history")
    as_of = models.DateField()
    bucket = models.CharField(max_length=8)
    dpd = models.IntegerField(default=0)

    class Meta:
        ordering = ["case_id", "as_of"]
        constraints = [
            models.UniqueConstraint(fields=["case", "as_of"], name="case_bucket_unique_day")
        ]
        verbose_name_plural = "case bucket history"
