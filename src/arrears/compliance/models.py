"""Rule packs (versioned data), per-product pack choice, overrides and the LPR table."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.compliance.rules import PackSpec, RuleSpec


class RulePack(models.Model):
    """One version of a rule pack. Versions are never edited: a change makes version + 1.

    The current version of a pack is its highest version; `is_active` on it says whether the
    lender has switched the pack on (China's default pack ships active).
    """

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=False)
    note = models.CharField(_("change note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="rulepack_code_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="rulepack_version_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def spec(self) -> PackSpec:
        """This version as plain values for the pure checks in rules.py."""
        cached = getattr(self, "_spec", None)
        if cached is None:
            cached = PackSpec(
                code=self.code,
                version=self.version,
                name=self.name,
                rules=tuple(r.spec() for r in self.rules.order_by("rule_id")),
            )
            self._spec = cached
        return cached


class Rule(models.Model):
    """One rule of a pack version: which check (`kind`), its parameters, block or warn, and who
    may override it."""

    class Mode(models.TextChoices):
        BLOCK = "block", _("Block")
        WARN = "warn", _("Warn")

    pack = models.ForeignKey(RulePack, on_delete=models.PROTECT, related_name="rules")
    rule_id = models.CharField(_("rule id"), max_length=60)
    kind = models.CharField(_("check"), max_length=40)
    parameters = models.JSONField(default=dict, blank=True)
    mode = models.CharField(max_length=5, choices=Mode.choices, default=Mode.BLOCK)
    overridable = models.BooleanField(default=False)
    override_roles = models.JSONField(default=list, blank=True)
    description_zh = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["pack", "rule_id"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "rule_id"], name="rule_unique_in_pack"),
            models.CheckConstraint(condition=Q(mode__in=["block", "warn"]), name="rule_mode_valid"),
        ]

    def __str__(self) -> str:
        return self.rule_id

    def spec(self) -> RuleSpec:
        return RuleSpec(
            rule_id=self.rule_id,
            kind=self.kind,
            mode=self.mode,
            parameters=self.parameters or {},
            overridable=self.overridable,
            override_roles=tuple(self.override_roles or ()),
            description_zh=self.description_zh,
            description_en=self.description_en,
            source=self.source,
        )


class ProductRulePack(models.Model):
    """Which pack a product follows (by code: the pack's current version applies). Products
    without a row follow the default pack (settings.ARREARS_DEFAULT_RULEPACK, cn_default)."""

    product = models.OneToOneField(
        "book.Product", on_delete=models.CASCADE, related_name="rulepack_choice"
    )
    pack_code = models.CharField(max_length=40)
    set_at = models.DateTimeField(default=timezone.now)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.product_id} → {self.pack_code}"


class RuleOverride(models.Model):
    """An audited override of one rule for one object, with the written reason. Never edited."""

    rule_id = models.CharField(max_length=60)
    pack = models.ForeignKey(RulePack, on_delete=models.PROTECT, related_name="overrides")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    reason = models.TextField()
    object_ref = models.CharField(max_length=100, db_index=True)  # e.g. "case:42", "activity:7"
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="override_reason_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} on {self.object_ref} by {self.role}"


class LprRate(models.Model):
    """The loan prime rate (贷款市场报价利率) announced for a month, as fractions (0.031 = 3.10%).

    In force from `published_on` (the 20th, moved past weekends) until the next announcement.
    `carried_forward` marks a row copied from the previous month rather than read from an
    announcement.
    """

    month = models.DateField(unique=True)  # the first of the month
    published_on = models.DateField()
    one_year_rate = models.DecimalField(max_digits=7, decimal_places=6)
    five_year_rate = models.DecimalField(max_digits=7, decimal_places=6)
    source = models.CharField(max_length=200)
    carried_forward = models.BooleanField(default=False)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="lpr_month_first_day"),
            models.CheckConstraint(
                condition=Q(one_year_rate__gt=0, one_year_rate__lt=1), name="lpr_1y_fraction"
            ),
            models.CheckConstraint(
                condition=Q(five_year_rate__gt=0, five_year_rate__lt=1), name="lpr_5y_fraction"
            ),
        ]

    def __str__(self) -> str:
        return f"LPR {self.month:%Y-%m}: {self.one_year_rate:.2%}"
