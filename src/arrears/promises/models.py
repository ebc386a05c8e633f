"""Promises to pay (承诺还款, PTP): an amount the debtor promised to pay on a case by a date.

A promise is recorded by `services.promise_record` (from the case page, the API, or with the
activity that heard it) and judged at end-of-day (`promises.eod`) from the payments on the
loan: kept, partly kept or broken (rule: `promises.judging`). Recording a new promise on a loan
supersedes the loan's pending one whose window is still open, so judging windows do not
overlap. (A pending promise whose deadline passed before the new one was made stays pending
until end-of-day judges it: superseding it would spare a broken promise its consequences.)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Promise(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        KEPT = "kept", _("Kept")
        PARTLY_KEPT = "partly_kept", _("Partly kept")
        BROKEN = "broken", _("Broken")
        SUPERSEDED = "superseded", _("Superseded")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="promises")
    loan = models.ForeignKey("book.Loan", on_delete=models.PROTECT, related_name="promises")
    # Kept beside the case so the per-borrower count (broken promises) is one indexed query.
    borrower = models.ForeignKey("book.Borrower", on_delete=models.PROTECT, related_name="promises")
    # The call or visit where the promise was made; who made it decides whether it restarts
    # the limitation period (only the borrower's own promise does).
    activity = models.ForeignKey(
        "activities.Activity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="promises",
    )
    amount_fen = models.BigIntegerField(_("amount"))
    created_on = models.DateField(_("promised on (date made)"))
    promised_on = models.DateField(_("to pay by"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    # What counted towards the promise at the last end-of-day (payments in its window).
    paid_fen = models.BigIntegerField(_("paid"), default=0)
    judged_on = models.DateField(_("judged on"), null=True, blank=True)
    # The broken-promise fee charged on the transition to broken (waived, never deleted, if a
    # late payment turns the promise kept).
    fee_charge = models.ForeignKey(
        "book.Charge", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=10, default="web")  # web|api|import|cli|system

    class Meta:
        ordering = ["-created_on", "-id"]
        indexes = [
            models.Index(fields=["status", "loan"]),
            models.Index(fields=["borrower", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="promise_amount_pos"),
            models.CheckConstraint(condition=Q(paid_fen__gte=0), name="promise_paid_nonneg"),
            models.CheckConstraint(
                condition=Q(promised_on__gte=F("created_on")), name="promise_date_not_before_made"
            ),
        ]

    def __str__(self) -> str:
        return f"PTP {self.amount_fen} by {self.promised_on} ({self.status})"
