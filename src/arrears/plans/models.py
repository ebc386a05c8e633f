"""Repayment plans and settlements (协商还款), their schedules, approval history and authority.

A plan is an agreement about how a delinquent loan will be repaid: new installments over new
dates (`installment_plan`) or one lump sum with a discount (`settlement`). The loan contract
stays the contract while a plan runs; the plan is monitored against the loan's payments at
end-of-day, and only when it is completed does its discount reach the loan book (as a waiver
payment). See docs/casework.md, "Repayment plans".

States (one way through, every change recorded in PlanApproval and the audit trail):

    pending_approval ──approve──▶ approved ──accept──▶ active ──EOD──▶ completed
           │   ▲ escalate            │                    │  └──EOD──▶ broken
           │   └──────┘              │                    │
           ├──reject──▶ rejected     └──cancel──▶ cancelled ◀──cancel─┘
           └──cancel──▶ cancelled

A proposal within the proposer's own authority is approved at once (no pending step).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.book.models import Borrower, Loan, Payment
from arrears.core.roles import Role

BP = 10_000  # basis points in one whole


class Plan(models.Model):
    class Kind(models.TextChoices):
        INSTALLMENT_PLAN = "installment_plan", _("Installment plan")
        SETTLEMENT = "settlement", _("Settlement")

    class Status(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
        APPROVED = "approved", _("Approved, awaiting the borrower")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        BROKEN = "broken", _("Broken")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.PENDING_APPROVAL, Status.APPROVED, Status.ACTIVE)

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="plans")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="plans")
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)

    # The full amount due as of the proposal date, a snapshot (fen): what the borrower would
    # pay to be done with the loan under the contract. full_due = principal + interest +
    # penalty + fees − credit. `overdue_fen` is the part already due (total due now).
    proposed_on = models.DateField(_("proposed on"))
    due_principal_fen = models.BigIntegerField(_("principal outstanding"))
    due_interest_fen = models.BigIntegerField(_("interest unpaid"))
    due_penalty_fen = models.BigIntegerField(_("penalty interest"))
    due_fees_fen = models.BigIntegerField(_("fees"))
    due_credit_fen = models.BigIntegerField(_("credit held"), default=0)
    overdue_fen = models.BigIntegerField(_("due now"))
    full_due_fen = models.BigIntegerField(_("full amount due"))

    agreed_total_fen = models.BigIntegerField(_("agreed total"))
    discount_fen = models.BigIntegerField(_("discount"))
    # Rounded half-up for display; authority is checked on the exact fraction.
    discount_bp = models.PositiveIntegerField(_("discount (basis points)"))

    installment_count = models.PositiveSmallIntegerField()
    first_due_on = models.DateField(_("first due on"))
    last_due_on = models.DateField(_("last due on"))
    term_days = models.PositiveIntegerField(_("term (days)"))
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    # The lowest approver role whose authority covers the plan (blank once decided at once).
    awaiting_role = models.CharField(max_length=20, choices=Role.choices, blank=True)

    note = models.TextField(_("note"), blank=True)
    source = models.CharField(max_length=10, default="web")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The business date the borrower agreed: the limitation restart date.
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    broken_on = models.DateField(_("broken on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    # Monitoring, as of the latest end-of-day run: paid towards the plan since acceptance.
    paid_fen = models.BigIntegerField(_("paid"), default=0)
    monitored_on = models.DateField(null=True, blank=True)
    # The waiver (减免) posted to the book when a discounted plan completed.
    waiver_payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan"], condition=Q(status="active"), name="plan_one_active_per_loan"
            ),
            models.CheckConstraint(condition=Q(agreed_total_fen__gt=0), name="plan_agreed_pos"),
            models.CheckConstraint(condition=Q(discount_fen__gte=0), name="plan_discount_nonneg"),
            models.CheckConstraint(
                condition=Q(full_due_fen=F("agreed_total_fen") + F("discount_fen")),
                name="plan_discount_is_full_minus_agreed",
            ),
            models.CheckConstraint(condition=Q(discount_bp__lte=BP), name="plan_discount_bp_max"),
            models.CheckConstraint(condition=Q(paid_fen__gte=0), name="plan_paid_nonneg"),
            models.CheckConstraint(
                condition=Q(installment_count__gt=0), name="plan_has_installments"
            ),
            models.CheckConstraint(
                condition=Q(first_due_on__lte=F("last_due_on")), name="plan_dates_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["active", "completed", "broken"])
                | Q(accepted_on__isnull=False),
                name="plan_running_was_accepted",
            ),
            models.CheckConstraint(
                condition=~Q(status="broken") | Q(broken_on__isnull=False),
                name="plan_broken_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
                name="plan_completed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "loan"]),
            models.Index(fields=["case", "status"]),
        ]

    def __str__(self) -> str:
        return f"Plan {self.pk} ({self.get_kind_display()}, {self.status})"

    @property
    def discount_percent(self) -> str:
        """The discount as a percentage with two places: 2500 bp -> '25.00'."""
        return f"{self.discount_bp // 100}.{self.discount_bp % 100:02d}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class PlanInstallment(models.Model):
    """One payment the plan asks for; `paid_fen` is filled by end-of-day monitoring."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="installments")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField(_("due on"))
    amount_fen = models.BigIntegerField(_("amount"))
    paid_fen = models.BigIntegerField(_("paid"), default=0)

    class Meta:
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_installment_unique_no"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="plan_inst_amount_pos"),
            models.CheckConstraint(
                condition=Q(paid_fen__gte=0, paid_fen__lte=F("amount_fen")),
                name="plan_inst_paid_in_range",
            ),
        ]

    @property
    def left_fen(self) -> int:
        return self.amount_fen - self.paid_fen


class PlanApproval(models.Model):
    """The plan's history: proposal, approval decisions, acceptance and outcome (append-only).

    Named for its main use (the approval trail); it also records acceptance and the outcome so
    a plan's whole life reads in one list.
    """

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        ESCALATED = "escalated", _("Escalated")
        ACCEPTED = "accepted", _("Accepted by the borrower")
        CANCELLED = "cancelled", _("Cancelled")
        BROKEN = "broken", _("Broken")
        COMPLETED = "completed", _("Completed")

    class Reason(models.TextChoices):
        # Why a system-written row was written, shown in the reader's language.
        WITHIN_AUTHORITY = "within_authority", _("within the proposer's own authority")
        PASSED_UP = "passed_up", _("passed up for approval")
        SUPERSEDED = "superseded", _("superseded by another plan the borrower accepted")
        SHORT = "short", _("payments fell short of the plan beyond the grace days")
        PAID = "paid", _("the agreed total was paid")
        EXPIRED = "expired", _("not accepted by the first due date")
        CASE_CLOSED = "case_closed", _("withdrawn: the case closed before the plan took effect")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The actor's role when they acted (roles change; the history should not).
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    note = models.TextField(blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    # What the reason refers to: the role passed up to, the superseding plan's ID.
    ref = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan_id", "at", "id"]

    @property
    def ref_label(self) -> str:
        if self.reason == self.Reason.PASSED_UP and self.ref in Role.values:
            return str(Role(self.ref).label)
        return self.ref


class PlanAuthority(models.Model):
    """How far a role may go on its own authority: discount and term. Null means no limit.

    A role without a row has no authority: what its users propose always waits for approval.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, unique=True)
    max_discount_bp = models.PositiveIntegerField(
        _("largest discount (basis points)"), null=True, blank=True
    )
    max_term_months = models.PositiveSmallIntegerField(
        _("longest term (months)"), null=True, blank=True
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role"]
        verbose_name_plural = "plan authorities"
        constraints = [
            models.CheckConstraint(
                condition=Q(max_discount_bp__isnull=True) | Q(max_discount_bp__lte=BP),
                name="plan_authority_bp_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.max_discount_bp} bp / {self.max_term_months} months"

    def covers(self, *, discount_fen: int, full_due_fen: int, term_months: int) -> bool:
        """Whether this authority covers a discount of discount/full_due over `term_months`.

        Exact: discount / full_due <= max_bp / 10000, compared without rounding.
        """
        if self.max_term_months is not None and term_months > self.max_term_months:
            return False
        if self.max_discount_bp is not None and discount_fen * BP > self.max_discount_bp * max(
            full_due_fen, 0
        ):
            return False
        return True
