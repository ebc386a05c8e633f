"""Write-off (核销): proposals in batches, approval within an authority, the written-off ledger.

A manager proposes writing off delinquent loans (by hand or by a filter), with a reason; the
amounts per loan are the one balance (book.selectors.loan_positions) as of the proposal date.
An approver whose role's authority covers the batch total, and who is not the proposer,
approves or rejects it. On approval each loan gets a WrittenOffLoan row (the written-off
ledger: date, amounts as of that date, reason) and the book's Loan its status and date.
Collection goes on (账销案存): the case stays open, and money received afterwards is a
recovery after write-off (selectors.recoveries), allocated by the ledger as any payment.

    pending ──approve──▶ approved
       ├──reject──▶ rejected
       └──cancel──▶ cancelled
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.book.models import Loan
from arrears.core.roles import Role


class Reason(models.TextChoices):
    """Why a loan is written off (the filters of a proposal by filter use the same codes)."""

    LOSS_CLASS = "loss_class", _("Loss class (损失)")
    TIME_BARRED = "time_barred", _("Time-barred (超过诉讼时效)")
    DECEASED_NO_ESTATE = "deceased_no_estate", _("Deceased, no estate (死亡无遗产)")
    OTHER = "other", _("Other reason")


class WriteOffAuthority(models.Model):
    """The largest batch total (fen) a role may approve; null means no limit.

    A role without a row may approve nothing (the table is edited by administrators).
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, unique=True)
    max_total_fen = models.BigIntegerField(_("largest total"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_total_fen__isnull=True) | Q(max_total_fen__gte=0),
                name="writeoff_authority_nonneg",
            )
        ]

    def covers(self, total_fen: int) -> bool:
        return self.max_total_fen is None or total_fen <= self.max_total_fen


class WriteOffProposal(models.Model):
    """A batch of loans proposed for write-off, with its reason, basis and decision."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved, written off")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class Basis(models.TextChoices):
        HAND = "hand", _("Chosen by hand")
        FILTER = "filter", _("Chosen by filter")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason_code = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    reason = models.TextField(_("explanation"))
    basis = models.CharField(_("chosen"), max_length=10, choices=Basis.choices)
    # The filter used (reason code and region), for the record.
    filter = models.JSONField(default=dict, blank=True)
    # Amounts are as of this date (the proposal date); approval re-reads them as of its own.
    as_of = models.DateField(_("amounts as of"))
    total_fen = models.BigIntegerField(_("total"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total_fen__gte=0), name="writeoff_total_nonneg"),
        ]

    def __str__(self) -> str:
        return f"WO-{self.pk}"

    @property
    def number(self) -> str:
        return f"WO-{self.pk:05d}"


class _Amounts(models.Model):
    """What a loan owes as of a date (fen): the one balance's principal, interest, penalty, fees."""

    principal_fen = models.BigIntegerField(_("principal"))
    interest_fen = models.BigIntegerField(_("interest"))
    penalty_fen = models.BigIntegerField(_("penalty interest"))
    fees_fen = models.BigIntegerField(_("fees"))
    total_fen = models.BigIntegerField(_("total"))

    class Meta:
        abstract = True


def _amount_checks(prefix: str) -> list[models.BaseConstraint]:
    return [
        *[
            models.CheckConstraint(condition=Q(**{f"{f}__gte": 0}), name=f"{prefix}_{f}_nonneg")
            for f in ("principal_fen", "interest_fen", "penalty_fen", "fees_fen")
        ],
        models.CheckConstraint(
            condition=Q(
                total_fen=F("principal_fen") + F("interest_fen") + F("penalty_fen") + F("fees_fen")
            ),
            name=f"{prefix}_total_sum",
        ),
    ]


class WriteOffItem(_Amounts):
    """One loan of a proposal, with its amounts as of the proposal date."""

    proposal = models.ForeignKey(WriteOffProposal, on_delete=models.CASCADE, related_name="items")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="+")
    dpd = models.IntegerField(_("DPD"), default=0)

    class Meta:
        ordering = ["proposal", "loan__external_id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "loan"], name="writeoff_item_unique"),
            *_amount_checks("writeoff_item"),
        ]


class WrittenOffLoan(_Amounts):
    """The written-off ledger (核销台账): one row per written-off loan, amounts as of the day.

    The loan's own balances go on in the ledger (accrual continues off-balance, 表外, within
    the legal cap); what was received after is in selectors.recoveries.
    """

    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, related_name="write_off")
    proposal = models.ForeignKey(
        WriteOffProposal, on_delete=models.PROTECT, related_name="written_off"
    )
    written_off_on = models.DateField(_("written off on"))
    written_off_at = models.DateTimeField(default=timezone.now)
    reason_code = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    reason = models.TextField(_("explanation"))
    dpd = models.IntegerField(_("DPD"), default=0)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-written_off_on", "loan__external_id"]
        indexes = [models.Index(fields=["written_off_on"])]
        constraints = _amount_checks("writtenoff")
