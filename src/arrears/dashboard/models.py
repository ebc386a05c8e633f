"""Collection targets the morning dashboard measures against: an amount per team per month.

Per month because that is how targets are set (a month's recovery plan); the dashboard's
daily target is the month's divided evenly over its calendar days, half-up to the fen.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.core.models import Team


class CollectionTarget(models.Model):
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="+", verbose_name=_("team")
    )
    month = models.DateField(_("month"))  # the first day of the month
    amount_fen = models.BigIntegerField(_("target"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="target_one_per_team_month"),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="target_amount_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.month:%Y-%m}"
