"""Agencies (委外): contracts with commission tiers, sign-in ranges, placements in batches,
and the payments agencies report for reconciliation (回款核对). See docs/agencies.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.book.models import Loan, Payment
from arrears.cases.models import Case
from arrears.core.models import Agency


class Contract(models.Model):
    """An agency's contract (委外合同): validity, approval, yearly review and commission plan.

    The plan is a set of tiers keyed by one thing (age of debt, bucket, product or amount
    owed), each with a rate; the tiers cover their range with no gap or overlap
    (rules.check_tiers). A placement uses the approved contract valid on its start date.
    """

    class TierKey(models.TextChoices):
        DPD = "dpd", _("Age of debt (days past due)")
        BUCKET = "bucket", _("Bucket")
        PRODUCT = "product", _("Product")
        AMOUNT = "amount", _("Amount owed")

    class Basis(models.TextChoices):
        ALL = "all", _("All payments during the placement")
        CREDITED = "credited", _("Only payments credited to the agency")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField(_("contract number"), max_length=64, unique=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    approved = models.BooleanField(_("approved"), default=False)
    last_review_on = models.DateField(_("last review"), null=True, blank=True)
    tier_key = models.CharField(_("tiers keyed by"), max_length=10, choices=TierKey.choices)
    basis = models.CharField(
        _("commission basis"), max_length=10, choices=Basis.choices, default=Basis.ALL
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency_id", "-valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="agency_contract_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CommissionTier(models.Model):
    """One tier of a contract's plan: a range [low, high) of DPD or fen owed (high blank: no
    upper end), or one bucket or product code (`value`; blank: every other product)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="tiers")
    low = models.BigIntegerField(_("from"), null=True, blank=True)
    high = models.BigIntegerField(_("below"), null=True, blank=True)
    value = models.CharField(_("value"), max_length=32, blank=True)
    rate = models.DecimalField(_("rate"), max_digits=7, decimal_places=6)

    class Meta:
        ordering = ["contract_id", "low", "value", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lte=1), name="agency_tier_rate_0_1"
            ),
        ]

    def label(self) -> str:
        if self.value or (self.low is None and self.high is None):
            return self.value or "*"
        return f"[{self.low}, {'' if self.high is None else self.high})"


class AgencyIpRange(models.Model):
    """An address range (CIDR) the agency's users may sign in and call the API from; an
    agency with none may sign in from anywhere."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="ip_ranges")
    network = models.CharField(_("address range"), max_length=50)

    class Meta:
        ordering = ["agency_id", "network"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "network"], name="agency_ip_range_unique")
        ]


class PlacementBatch(models.Model):
    """A batch of cases placed with one agency (委外批次): a number, a start and an end date."""

    class Status(models.TextChoices):
        OPEN = "open", _("Placed")
        CLOSED = "closed", _("Recalled")

    number = models.CharField(_("batch number"), max_length=40, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="batches")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="batches")
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="agency_batch_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Placement(models.Model):
    """One case with an agency (委案) from `placed_on` until recalled: what it was when placed
    (DPD, bucket, product, amount owed) and the commission rate its tier gave."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("With the agency")
        RECALLED = "recalled", _("Recalled")

    class RecallReason(models.TextChoices):
        END = "end", _("End of placement")
        REQUEST = "request", _("Recalled on request")
        PAID = "paid", _("Paid")
        DISPUTED = "disputed", _("Disputed")
        DECEASED = "deceased", _("Reported deceased")

    batch = models.ForeignKey(PlacementBatch, on_delete=models.PROTECT, related_name="placements")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="agency_placements")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="placements")
    placed_on = models.DateField(_("placed on"))
    ends_on = models.DateField(_("end"))
    dpd = models.IntegerField(_("DPD"))
    bucket = models.CharField(_("bucket"), max_length=8)
    product_code = models.CharField(_("product"), max_length=32)
    owed_fen = models.BigIntegerField(_("owed when placed"))
    rate = models.DecimalField(_("commission rate"), max_digits=7, decimal_places=6)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    recalled_on = models.DateField(_("recalled on"), null=True, blank=True)
    recall_reason = models.CharField(
        _("recall reason"), max_length=10, choices=RecallReason.choices, blank=True
    )

    class Meta:
        ordering = ["-placed_on", "-id"]
        constraints = [
            # A case sits with at most one agency at a time.
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="active"), name="placement_one_active_per_case"
            ),
            models.CheckConstraint(
                condition=Q(status="active", recalled_on__isnull=True)
                | Q(status="recalled", recalled_on__isnull=False),
                name="placement_recalled_has_date",
            ),
        ]
        indexes = [models.Index(fields=["agency", "status"])]

    @property
    def until(self):
        """The last day money counts for the placement."""
        return self.recalled_on or self.ends_on


class AgencyPayment(models.Model):
    """A payment an agency reports (回款): matched against the lender's own payments.

    `match` says how it was found: exact (by reference or payment ID, or by loan, date and
    amount, and everything agrees), differs (found, but loan, date or amount differ) or none.
    Exact matches are confirmed at once; the others wait for a manager to confirm (with a
    payment of the ledger) or reject. Commission is due only on confirmed items.
    """

    class Match(models.TextChoices):
        EXACT = "exact", _("Matches")
        DIFFERS = "differs", _("Differs")
        NONE = "none", _("Not found")

    class Status(models.TextChoices):
        PENDING = "pending", _("To check")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="reported_payments")
    payment_id = models.CharField(_("payment ID"), max_length=64)
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField(_("paid on"))
    amount_fen = models.BigIntegerField(_("amount"))
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    placement = models.ForeignKey(
        Placement, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    ledger_payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="agency_reports"
    )
    match = models.CharField(_("match"), max_length=10, choices=Match.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, default="import")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "payment_id"], name="agency_payment_unique_id"
            ),
            # A payment of the ledger is credited to at most one confirmed report.
            models.UniqueConstraint(
                fields=["ledger_payment"],
                condition=Q(status="confirmed"),
                name="agency_payment_one_confirmed",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="agency_payment_pos"),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(ledger_payment__isnull=False),
                name="agency_payment_confirmed_has_payment",
            ),
        ]
        indexes = [models.Index(fields=["agency", "status"])]
