"""Daily work queues (每日作业队列): who does what tomorrow, in what order, and what was left
out by the compliance rules; the probability and effort tables that set the order."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class QueueChannel(models.TextChoices):
    """The channels a queue holds (the activities' channels; hand-overs are never queued)."""

    CALL = "call", _("Call")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("Email")


class QueueEntry(models.Model):
    """One action in one person's queue for a day; position 1 is done first.

    Built at end-of-day for the next day (queues.engine), replaced whole when the same day is
    built again. The same case is in at most one queue per channel per day.
    """

    on = models.DateField(_("day"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_entries"
    )
    position = models.PositiveIntegerField(_("position"))
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="queue_entries")
    loan = models.ForeignKey(
        "book.Loan", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    segment = models.CharField(_("segment"), max_length=64, blank=True)
    step = models.CharField(_("step"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=QueueChannel.choices)
    # Expected yuan recovered per minute of effort, to 1/10000 yuan (see queues.engine).
    priority = models.DecimalField(_("priority"), max_digits=20, decimal_places=4)
    amount_due_fen = models.BigIntegerField()
    probability = models.DecimalField(max_digits=5, decimal_places=4)
    minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["on", "user_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["on", "case", "channel"], name="queue_one_per_channel"),
            models.UniqueConstraint(fields=["on", "user", "position"], name="queue_position"),
            models.CheckConstraint(condition=Q(position__gte=1), name="queue_position_from_1"),
        ]
        indexes = [models.Index(fields=["on", "case"])]

    def __str__(self) -> str:
        return f"{self.on} {self.user_id} #{self.position} case {self.case_id} {self.channel}"


class QueueExclusion(models.Model):
    """A case left out of a day's queue because a compliance rule forbids the contact then."""

    on = models.DateField(_("day"))
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=QueueChannel.choices)
    rule_id = models.CharField(_("rule"), max_length=64)
    reason_zh = models.CharField(max_length=500)
    reason_en = models.CharField(max_length=500)
    next_allowed_at = models.DateTimeField(_("next allowed"), null=True, blank=True)

    class Meta:
        ordering = ["on", "case_id", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["on", "case", "channel"], name="queue_excl_one"),
        ]

    def __str__(self) -> str:
        return f"{self.on} case {self.case_id} {self.channel}: {self.rule_id}"


class PaymentProbability(models.Model):
    """The chance a case pays when worked, by bucket, debtor type and broken promises.

    Blank bucket or debtor type means any; the most specific row that matches a case wins
    (queues.engine.probability_expr). `min_dpd` narrows a row to the older cases of a bucket
    (the seed's "over two years" inside M7+).
    """

    class Source(models.TextChoices):
        SEED = "seed", _("Rule of thumb")
        MANUAL = "manual", _("Set by hand")
        REFIT = "refit", _("Refitted from history")

    bucket = models.CharField(_("bucket"), max_length=8, blank=True)
    debtor_type = models.ForeignKey(
        "cases.DebtorType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("debtor type"),
    )
    min_dpd = models.PositiveIntegerField(_("from DPD"), default=0)
    broken_min = models.PositiveIntegerField(_("broken promises from"), default=0)
    broken_max = models.PositiveIntegerField(_("broken promises to"), null=True, blank=True)
    probability = models.DecimalField(_("probability"), max_digits=5, decimal_places=4)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SEED)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["bucket", "debtor_type_id", "min_dpd", "broken_min"]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="queue_probability_0_1",
            ),
            models.CheckConstraint(
                condition=Q(broken_max__isnull=True) | Q(broken_max__gte=models.F("broken_min")),
                name="queue_probability_broken_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bucket or '*'} {self.debtor_type_id or '*'} {self.probability}"


class ChannelEffort(models.Model):
    """How many minutes of a person's day one action on a channel takes."""

    channel = models.CharField(
        _("channel"), max_length=10, choices=QueueChannel.choices, unique=True
    )
    minutes = models.PositiveIntegerField(_("minutes"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["channel"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=1), name="queue_effort_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.minutes} min"
