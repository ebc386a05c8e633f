"""Strategies as data: versions of segment definitions, and what the end-of-day made of them for
each case (its treatment, its champion/challenger draw, the next day's due actions and the
hand-overs to field, agency and legal work)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Strategy(models.Model):
    """A named strategy; exactly one is active (the one the end-of-day runs)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    is_active = models.BooleanField(_("active"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="strategy_one_active"
            )
        ]

    def __str__(self) -> str:
        return self.code

    def latest(self) -> StrategyVersion | None:
        return self.versions.order_by("-number").first()


class StrategyVersion(models.Model):
    """One saved definition of a strategy; every version is kept, the highest number is the one
    the next end-of-day uses."""

    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    note = models.CharField(_("change note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["strategy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="strategy_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.strategy.code} v{self.number}"


class CaseDraw(models.Model):
    """A case's random draw (0–9999), drawn once and kept: it picks the champion/challenger
    path, so a case stays on the same path from day to day."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="strategy_draw"
    )
    draw = models.PositiveSmallIntegerField()
    drawn_on = models.DateField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(draw__lt=10000), name="case_draw_range")]


class CaseTreatment(models.Model):
    """Where the last end-of-day put an open case: strategy version, segment and path.

    `entered_on` is the first working day in the segment (the day after the end-of-day that
    put it there) and is kept while the segment stays the same; rotation reads it with
    `holding_days` (copied from the segment)."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="treatment"
    )
    strategy_version = models.ForeignKey(
        StrategyVersion, on_delete=models.PROTECT, related_name="+"
    )
    segment_key = models.CharField(_("segment"), max_length=40)
    path_key = models.CharField(_("path"), max_length=40)
    entered_on = models.DateField(_("in the segment since"))
    holding_days = models.PositiveSmallIntegerField(_("holding days"), default=0)
    as_of = models.DateField(_("as of"))

    class Meta:
        indexes = [models.Index(fields=["segment_key", "path_key"])]


class DueAction(models.Model):
    """A step due on a day for a case (the queue builder's input), or — with `skipped_rule` —
    one the rule pack refused, kept so a manager can see why."""

    on = models.DateField(_("date"), db_column="on_date")  # "on" is an SQL keyword
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    strategy_version = models.ForeignKey(
        StrategyVersion, on_delete=models.PROTECT, db_constraint=False, related_name="+"
    )
    segment_key = models.CharField(_("segment"), max_length=40)
    path_key = models.CharField(_("path"), max_length=40)
    step_key = models.CharField(_("step"), max_length=40)
    channel = models.CharField(_("channel"), max_length=20)
    template = models.CharField(_("template"), max_length=40, blank=True)
    role = models.CharField(_("role"), max_length=20)
    trigger = models.CharField(_("trigger"), max_length=20, blank=True)
    skipped_rule = models.CharField(_("refused by rule"), max_length=80, blank=True)
    skipped_reason = models.CharField(_("why"), max_length=300, blank=True)  # English
    skipped_reason_zh = models.CharField(_("why (Chinese)"), max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["on", "skipped_rule"]), models.Index(fields=["case"])]


class HandOver(models.Model):
    """An escalation item (field visit, agency placement, legal review) waiting for the field,
    agency or legal work to take it; one open (or taken) item per case and channel."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        TAKEN = "taken", _("Taken")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    LIVE = (Status.OPEN, Status.TAKEN)

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="handovers")
    channel = models.CharField(_("channel"), max_length=20)
    created_on = models.DateField(_("created on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    segment_key = models.CharField(_("segment"), max_length=40, blank=True)
    step_key = models.CharField(_("step"), max_length=40, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    ref = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "channel"],
                condition=Q(status__in=["open", "taken"]),
                name="handover_one_live_per_case_channel",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["visit", "agency_placement", "legal_review"]),
                name="handover_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} case {self.case_id} ({self.status})"
