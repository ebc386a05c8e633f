"""The loan book: borrowers, contacts, products, loans, schedules, payments, charges, allocations.

Amounts are integer fen (`*_fen`), and the database refuses negatives: the ledger is the
source of every balance, so it must never hold an impossible one.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.core.crypto import BlindIndexField, EncryptedCharField
from arrears.core.models import Agency, Team


def _nonneg(*fields: str, model: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(condition=Q(**{f"{f}__gte": 0}), name=f"{model}_{f}_nonneg")
        for f in fields
    ]


class RepaymentMethod(models.TextChoices):
    ANNUITY = "annuity", _("Equal installments (等额本息)")
    EQUAL_PRINCIPAL = "equal_principal", _("Equal principal (等额本金)")
    INTEREST_FIRST = "interest_first", _("Interest first (先息后本)")
    BULLET = "bullet", _("Bullet (到期一次还本付息)")


class Relation(models.TextChoices):
    SELF = "self", _("Self")
    SPOUSE = "spouse", _("Spouse")
    RELATIVE = "relative", _("Relative")
    COLLEAGUE = "colleague", _("Colleague")
    EMPLOYER = "employer", _("Employer")
    EMERGENCY = "emergency", _("Emergency contact")
    GUARANTOR = "guarantor", _("Guarantor")


class Product(models.Model):
    """A loan product: rates, penalty, grace, fees, allocation order and rate cap."""

    class ProductType(models.TextChoices):
        MICROLOAN = "microloan", _("Licensed microloan")
        CONSUMER = "consumer", _("Consumer loan")
        PRIVATE = "private", _("Private lending")
        BANK = "bank", _("Bank loan")

    class AnnuityInterest(models.TextChoices):
        # 等额本息 as Chinese banks print it: interest = remaining principal × monthly rate,
        # rounded to the fen each month (book.schedule).
        REMAINING = "remaining", _("On the remaining principal, rounded monthly (bank)")
        EXACT = "exact", _("On the exact balance (numpy-financial ipmt)")

    class InterestAccrual(models.TextChoices):
        MONTHLY = "monthly", _("Annual rate / 12 a month")
        ACTUAL_360 = "actual_360", _("Actual days / 360")

    class PenaltyBase(models.TextChoices):
        PRINCIPAL = "principal", _("Overdue principal")
        PRINCIPAL_INTEREST = "principal_interest", _("Overdue principal and interest (复利)")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    product_type = models.CharField(
        max_length=20, choices=ProductType.choices, default=ProductType.MICROLOAN
    )
    annual_rate = models.DecimalField(max_digits=9, decimal_places=6, default=Decimal("0.12"))
    # None: 1.5 × the loan's contract rate (the usual 上浮50%).
    penalty_rate = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    penalty_base = models.CharField(
        max_length=20, choices=PenaltyBase.choices, default=PenaltyBase.PRINCIPAL
    )
    day_count = models.PositiveSmallIntegerField(default=360)
    grace_days = models.PositiveSmallIntegerField(default=0)
    # All-in annual cap (contract + penalty + fees); None means no cap.
    rate_cap = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # 扣款失败费: charged once per loan and day on which an auto-debit failed (the deductions
    # import, docs/imports.md); 0 = none.
    failed_deduction_fee_fen = models.BigIntegerField(default=0, db_default=0)
    arrears_tolerance_fen = models.BigIntegerField(default=0)
    # How new schedules compute interest (existing schedules are contracts and stay as they
    # are): 等额本息 on the remaining principal or the exact balance; 先息后本 and 到期一次
    # 还本付息 at annual / 12 a month or actual days / 360.
    annuity_interest = models.CharField(
        max_length=10,
        choices=AnnuityInterest.choices,
        default=AnnuityInterest.REMAINING,
        db_default=AnnuityInterest.REMAINING,
    )
    interest_accrual = models.CharField(
        max_length=12,
        choices=InterestAccrual.choices,
        default=InterestAccrual.MONTHLY,
        db_default=InterestAccrual.MONTHLY,
    )
    # 提前还款违约金: a fee on the principal repaid before its due date, as a fraction
    # (0.01 = 1%); part of a payoff quote (book.selectors.payoff_quote), within the cap.
    early_repayment_fee_rate = models.DecimalField(
        max_digits=9, decimal_places=6, default=Decimal("0"), db_default=Decimal("0")
    )
    # Promises to pay (issue 4): judged at end-of-day from the payments.
    promise_tolerance_fen = models.BigIntegerField(
        default=0,
        db_default=0,
        help_text="A promise counts as kept when paid within this of the amount.",
    )
    promise_grace_days = models.PositiveSmallIntegerField(
        default=0, db_default=0, help_text="Days after the promised date that payments still count."
    )
    broken_promise_fee_fen = models.BigIntegerField(default=0, db_default=0)
    negative_credit_on_broken_promise = models.BooleanField(default=False, db_default=False)
    # Waterfall of components; each component is paid oldest installment first.
    allocation_order = models.JSONField(default=list, blank=True)

    DEFAULT_ORDER = ("fee", "penalty", "interest", "principal")

    class Meta:
        constraints = _nonneg(
            "failed_deduction_fee_fen",
            "arrears_tolerance_fen",
            "promise_tolerance_fen",
            "broken_promise_fee_fen",
            model="product",
        )

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def waterfall(self) -> tuple[str, ...]:
        return tuple(self.allocation_order or self.DEFAULT_ORDER)


class Borrower(models.Model):
    """A person or business that owes; region path 省/县/镇/村 drives field work."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        BUSINESS = "business", _("Business")

    external_id = models.CharField(_("borrower ID"), max_length=64, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=200)
    # Personal numbers are encrypted at rest (core/crypto.py, docs/personal-data.md); the
    # *_digest / *_tail columns are their blind indexes, the only way to search them.
    id_number = EncryptedCharField(_("ID number"), kind="id_number", max_length=32, blank=True)
    phone = EncryptedCharField(_("phone"), kind="phone", max_length=32, blank=True)
    phone2 = EncryptedCharField(_("second phone"), kind="phone", max_length=32, blank=True)
    id_number_digest = BlindIndexField(source="id_number")
    phone_digest = BlindIndexField(source="phone")
    phone_tail = BlindIndexField(source="phone", part="tail4")
    phone2_digest = BlindIndexField(source="phone2")
    phone2_tail = BlindIndexField(source="phone2", part="tail4")
    address = models.CharField(_("address"), max_length=300, blank=True)
    province = models.CharField(max_length=50, blank=True)
    county = models.CharField(max_length=50, blank=True)
    town = models.CharField(max_length=50, blank=True)
    village = models.CharField(max_length=50, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    # The borrower's own time zone for contact-hour rules; blank means settings.TIME_ZONE.
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, default="", db_default=""
    )
    # Set when a broken promise flags the borrower for negative credit reporting.
    negative_credit_on = models.DateField(_("negative credit flag since"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["county", "town", "village"]),
            models.Index(fields=["name"]),
            models.Index(fields=["id_number_digest"]),
            models.Index(fields=["phone_digest"]),
            models.Index(fields=["phone_tail"]),
            models.Index(fields=["phone2_digest"]),
            models.Index(fields=["phone2_tail"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"

    @property
    def region_path(self) -> str:
        return "/".join(p for p in (self.province, self.county, self.town, self.village) if p)


class Contact(models.Model):
    """A person reachable about a borrower, with relation and what they agreed to."""

    borrower = models.ForeignKey(Borrower, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    relation = models.CharField(max_length=20, choices=Relation.choices)
    phone = EncryptedCharField(kind="phone", max_length=32, blank=True)
    phone_digest = BlindIndexField(source="phone")
    address = models.CharField(max_length=300, blank=True)
    consent_to_contact = models.BooleanField(default=False)
    consent_to_sms = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone_digest"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"


class Loan(models.Model):
    """One loan contract: its terms, assignment and lifecycle; balances come from the ledger."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAID_OFF = "paid_off", _("Paid off")
        WRITTEN_OFF = "written_off", _("Written off")

    external_id = models.CharField(_("loan ID"), max_length=64, unique=True)
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="loans")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="loans")
    principal_fen = models.BigIntegerField(_("principal"))
    annual_rate = models.DecimalField(max_digits=9, decimal_places=6)
    penalty_rate = models.DecimalField(max_digits=9, decimal_places=6)
    disbursed_on = models.DateField(_("disbursed on"))
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    repayment_method = models.CharField(max_length=20, choices=RepaymentMethod.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # The day the loan was written off (核销; set with status WRITTEN_OFF by the writeoff app):
    # from that day it leaves the figures that count as the book, though the ledger runs on
    # and the borrower still owes it (账销案存, docs/writeoff.md).
    written_off_on = models.DateField(_("written off on"), null=True, blank=True)
    schedule_source = models.CharField(max_length=10, default="generated")  # generated|imported
    credit_balance_fen = models.BigIntegerField(default=0)
    # When anything the ledger reads (schedule, payments, charges, terms) last changed; the
    # end-of-day run recomputes only loans changed since its previous run (see eod docs).
    ledger_changed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Assignment: who works the loan. Scoping reads these (see core.scoping).
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
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            *_nonneg("credit_balance_fen", model="loan"),
            models.CheckConstraint(condition=Q(principal_fen__gt=0), name="loan_principal_pos"),
            models.CheckConstraint(condition=Q(term_months__gt=0), name="loan_term_pos"),
            models.CheckConstraint(condition=Q(annual_rate__gte=0), name="loan_rate_nonneg"),
            models.CheckConstraint(condition=Q(penalty_rate__gte=0), name="loan_penalty_nonneg"),
        ]
        indexes = [models.Index(fields=["written_off_on"], name="loan_written_off_on_idx")]

    def __str__(self) -> str:
        return self.external_id


class Installment(models.Model):
    """One scheduled due date (期); the *_paid_fen columns are maintained by allocation."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="installments")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    principal_due_fen = models.BigIntegerField()
    interest_due_fen = models.BigIntegerField()
    principal_paid_fen = models.BigIntegerField(default=0)
    interest_paid_fen = models.BigIntegerField(default=0)
    penalty_paid_fen = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["loan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="installment_unique_no"),
            *_nonneg(
                "principal_due_fen",
                "interest_due_fen",
                "principal_paid_fen",
                "interest_paid_fen",
                "penalty_paid_fen",
                model="installment",
            ),
            models.CheckConstraint(
                condition=Q(principal_paid_fen__lte=F("principal_due_fen")),
                name="installment_principal_not_overpaid",
            ),
            models.CheckConstraint(
                condition=Q(interest_paid_fen__lte=F("interest_due_fen")),
                name="installment_interest_not_overpaid",
            ),
        ]
        indexes = [models.Index(fields=["due_on"])]


class Charge(models.Model):
    """A fee charged to a loan (e.g. 扣款失败费 the failed-deduction fee)."""

    class Kind(models.TextChoices):
        FAILED_DEDUCTION = "failed_deduction", _("Failed-deduction fee")
        BROKEN_PROMISE = "broken_promise", _("Broken-promise fee")
        LEGAL = "legal", _("Legal cost")
        OTHER = "other", _("Other fee")

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="charges")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    charged_on = models.DateField()
    amount_fen = models.BigIntegerField()
    paid_fen = models.BigIntegerField(default=0)
    waived_fen = models.BigIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)
    # Where an imported fee came from (e.g. `deduction:<扣款流水号>`), so importing the same
    # file again adds nothing; blank for fees charged by hand or by end-of-day.
    external_ref = models.CharField(max_length=100, blank=True, default="", db_default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["charged_on", "id"]
        constraints = [
            *_nonneg("paid_fen", "waived_fen", model="charge"),
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~Q(external_ref=""),
                name="charge_external_ref_unique",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="charge_amount_pos"),
            models.CheckConstraint(
                condition=Q(amount_fen__gte=F("paid_fen") + F("waived_fen")),
                name="charge_not_overpaid",
            ),
        ]


class Payment(models.Model):
    """Money received for a loan; `external_id` (流水号) makes imports idempotent."""

    class Channel(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        AUTO_DEBIT = "auto_debit", _("Auto-debit")
        AGENCY = "agency", _("Agency")
        COURT = "court", _("Court enforcement")
        GUARANTOR = "guarantor", _("Guarantor")
        OTHER = "other", _("Other")
        # Not money received: a discount granted by an accepted settlement (减免), posted
        # through the ledger like a payment. Recoveries, promise judging and the limitation
        # restart exclude it (see WAIVER_CHANNELS).
        WAIVER = "waiver", _("Waiver (减免)")

    external_id = models.CharField(_("payment ID"), max_length=64, unique=True)
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    amount_fen = models.BigIntegerField(_("amount"))
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.OTHER)
    source = models.CharField(max_length=20, default="import")  # import|api|web|demo
    posted_at = models.DateTimeField(default=timezone.now)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A receipt that splits itself (cash collected on a field visit): the ledger allocates it
    # exactly so, not by the waterfall (book.ledger). All three or none.
    split_principal_fen = models.BigIntegerField(null=True, blank=True)
    split_interest_fen = models.BigIntegerField(null=True, blank=True)
    split_penalty_fen = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["paid_on", "external_id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payment_amount_pos"),
            models.CheckConstraint(
                condition=Q(
                    split_principal_fen__isnull=True,
                    split_interest_fen__isnull=True,
                    split_penalty_fen__isnull=True,
                )
                | Q(
                    split_principal_fen__gte=0,
                    split_interest_fen__gte=0,
                    split_penalty_fen__gte=0,
                    amount_fen=F("split_principal_fen")
                    + F("split_interest_fen")
                    + F("split_penalty_fen"),
                ),
                name="payment_split_sums",
            ),
        ]
        indexes = [models.Index(fields=["loan", "paid_on"])]

    @property
    def split(self) -> tuple[int, int, int] | None:
        """(principal, interest, penalty) fen when the receipt splits itself, else None."""
        return split_of(self.split_principal_fen, self.split_interest_fen, self.split_penalty_fen)


def split_of(principal, interest, penalty) -> tuple[int, int, int] | None:
    """A stored split as the ledger takes it (book.ledger.PaymentIn.split)."""
    if principal is None or interest is None or penalty is None:
        return None
    return (principal, interest, penalty)


# Payment channels that are not money received from anyone.
WAIVER_CHANNELS = (Payment.Channel.WAIVER,)


class Allocation(models.Model):
    """Where part of a payment went: a component of an installment, a charge, or credit.

    `effective_on` is the day the money reduced the debt: the payment date, or for credit
    held from an earlier payment, the due date it was applied on. The batch engine reads it.
    """

    class Component(models.TextChoices):
        FEE = "fee", _("Fee")
        PENALTY = "penalty", _("Penalty interest")
        INTEREST = "interest", _("Interest")
        PRINCIPAL = "principal", _("Principal")
        CREDIT = "credit", _("Credit balance")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="allocations")
    installment = models.ForeignKey(
        Installment, null=True, blank=True, on_delete=models.CASCADE, related_name="allocations"
    )
    charge = models.ForeignKey(
        Charge, null=True, blank=True, on_delete=models.CASCADE, related_name="allocations"
    )
    component = models.CharField(max_length=10, choices=Component.choices)
    amount_fen = models.BigIntegerField()
    effective_on = models.DateField()

    class Meta:
        ordering = ["effective_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="allocation_amount_pos"),
        ]
        indexes = [models.Index(fields=["loan", "effective_on"])]


class Guarantor(models.Model):
    """A guarantor of a loan (担保人): the second source of repayment, liable as an obligor."""

    class Kind(models.TextChoices):
        JOINT = "joint", _("Joint and several (连带责任)")
        GENERAL = "general", _("General (一般保证)")

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="guarantors")
    name = models.CharField(max_length=200)
    phone = EncryptedCharField(kind="phone", max_length=32, blank=True)
    id_number = EncryptedCharField(kind="id_number", max_length=32, blank=True)
    phone_digest = BlindIndexField(source="phone")
    id_number_digest = BlindIndexField(source="id_number")
    address = models.CharField(max_length=300, blank=True)
    # Where the contract does not say, the guarantee is general (Civil Code art. 686).
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.GENERAL)
    limit_fen = models.BigIntegerField(null=True, blank=True)
    # The guarantee period's last day as agreed; blank: six months from the main debt's
    # performance deadline (art. 692; book.guarantees).
    period_ends_on = models.DateField(_("guarantee period ends"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(limit_fen__isnull=True) | Q(limit_fen__gte=0),
                name="guarantor_limit_nonneg",
            )
        ]
        indexes = [
            models.Index(fields=["phone_digest"]),
            models.Index(fields=["id_number_digest"]),
        ]


class Collateral(models.Model):
    """Pledged or mortgaged property securing a loan (抵押/质押)."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="collateral")
    kind = models.CharField(max_length=50)
    description = models.CharField(max_length=300)
    value_fen = models.BigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "collateral"
        constraints = _nonneg("value_fen", model="collateral")
