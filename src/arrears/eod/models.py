"""End-of-day runs, the daily per-loan snapshot, the current state and the pre-due list."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.book.models import Loan


class EodRun(models.Model):
    """One end-of-day run: its as-of date, outcome, counts and seconds per phase."""

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Mode(models.TextChoices):
        FULL = "full", _("Full")
        INCREMENTAL = "incremental", _("Incremental")

    as_of = models.DateField(_("as of"), db_index=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    loans = models.PositiveIntegerField(default=0)
    delinquent = models.PositiveIntegerField(default=0)
    newly_delinquent = models.PositiveIntegerField(default=0)
    cured = models.PositiveIntegerField(default=0)
    cases_opened = models.PositiveIntegerField(default=0)
    cases_closed = models.PositiveIntegerField(default=0)
    pre_due = models.PositiveIntegerField(default=0)
    timings = models.JSONField(default=dict, blank=True)  # phase -> seconds
    summary = models.JSONField(default=dict, blank=True)  # by bucket and class
    error = models.TextField(blank=True)
    # Incremental runs (docs/eod.md): how this run was computed, and what the next run needs
    # to compute from it: when it began reading the book (loans changed after that are
    # recomputed next time), a hash of the configuration and each product's terms.
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.FULL)
    book_read_at = models.DateTimeField(null=True, blank=True)
    basis = models.JSONField(default=dict, blank=True)
    recomputed = models.PositiveIntegerField(default=0)  # loans computed afresh
    carried = models.PositiveIntegerField(default=0)  # loans carried from the previous day
    # Why the mode: the previous run and the recompute reasons, or why it ran in full.
    mode_detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"EOD {self.as_of} {self.status}"

    @property
    def seconds(self) -> float:
        return round(sum(self.timings.values()), 3) if self.timings else 0.0


class SnapshotFields(models.Model):
    """The figures of a loan as of a date (integer fen), shared by snapshot and state."""

    as_of = models.DateField(_("as of"))
    # A snapshot is history: no FK check or extra index, so a million rows write fast; the
    # unique (as_of, loan) index serves every lookup.
    loan = models.ForeignKey(
        Loan, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    dpd = models.IntegerField(_("DPD"))
    bucket = models.CharField(_("bucket"), max_length=8)
    classification = models.CharField(_("classification"), max_length=20)
    overdue_principal_fen = models.BigIntegerField()
    overdue_interest_fen = models.BigIntegerField()
    penalty_fen = models.BigIntegerField()
    fees_fen = models.BigIntegerField()
    outstanding_principal_fen = models.BigIntegerField()
    total_due_fen = models.BigIntegerField()
    limitation_deadline = models.DateField(null=True, blank=True)
    time_barred = models.BooleanField(default=False)

    class Meta:
        abstract = True


class LoanSnapshot(SnapshotFields):
    """A loan's figures at the end of one day; kept for roll rates, cure rates and trends."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["as_of", "loan"], name="eod_snapshot_unique_day")
        ]


class LoanState(SnapshotFields):
    """The latest figures per loan: a database view over the latest day's snapshot."""

    class Meta:
        managed = False
        db_table = "eod_loanstate"


class PreDue(models.Model):
    """An installment falling due within the next few days (到期调度): reminder work."""

    as_of = models.DateField()
    loan = models.ForeignKey(
        Loan, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    installment_number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount_due_fen = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["as_of", "due_on"])]


class ExternalRestart(models.Model):
    """The limitation restart events per loan from sources outside the ledger (notices,
    promises, plans, acknowledgements, lawsuits) as one run saw them — the latest day and a
    signature of them all — so the next incremental run can tell which loans gained, moved or
    lost one (see eod.incremental). Only the latest run's rows are kept.
    """

    as_of = models.DateField()
    loan = models.ForeignKey(
        Loan, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    event_date = models.DateField()
    signature = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["as_of", "loan"])]
