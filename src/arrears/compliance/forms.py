"""Forms of the compliance pages: a product's rule pack, and one month of the LPR table."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from arrears.compliance.errors import ComplianceError
from arrears.core.money import MoneyError, parse_rate


class ProductPackForm(forms.Form):
    pack = forms.ChoiceField(
        label=_("Rule pack"), widget=forms.Select(attrs={"aria-label": _("Rule pack")})
    )

    def __init__(self, *args, packs=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only switched-on packs can be followed (compliance.services.product_rulepack_set).
        self.fields["pack"].choices = [
            (p.code, f"{p.code} v{p.version} · {p.name}") for p in packs if p.is_active
        ]

    def add_refusal(self, exc: ComplianceError) -> None:
        self.add_error("pack", exc.message)


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class LprForm(forms.Form):
    month = forms.CharField(
        label=_("Month"), max_length=7, widget=forms.TextInput(attrs={"placeholder": "2025-11"})
    )
    one_year_rate = forms.CharField(
        label=_("One-year LPR"),
        max_length=12,
        widget=forms.TextInput(attrs={"placeholder": "3.00%"}),
    )
    five_year_rate = forms.CharField(
        label=_("Five-year LPR"),
        max_length=12,
        widget=forms.TextInput(attrs={"placeholder": "3.50%"}),
    )
    source = forms.CharField(
        label=_("Announcement"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "NIFC 2025-11-20"}),
    )
    published_on = forms.DateField(
        label=_("Published on"),
        required=False,
        help_text=_("Blank: the 20th, moved past a weekend."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_month(self) -> dt.date:
        found = _MONTH.match(self.cleaned_data["month"].strip())
        if not found or not 1 <= int(found.group(2)) <= 12:
            raise forms.ValidationError(_("Write the month as YYYY-MM, such as 2025-11."))
        return dt.date(int(found.group(1)), int(found.group(2)), 1)

    def _rate(self, name: str) -> Decimal:
        try:
            rate = parse_rate(self.cleaned_data[name])
        except MoneyError as exc:
            raise forms.ValidationError(
                _("Write a rate as a percentage (3.00%) or a fraction (0.03).")
            ) from exc
        if not Decimal(0) < rate < Decimal("0.2"):
            raise forms.ValidationError(_("An LPR is a few percent: between 0% and 20%."))
        return rate

    def clean_one_year_rate(self) -> Decimal:
        return self._rate("one_year_rate")

    def clean_five_year_rate(self) -> Decimal:
        return self._rate("five_year_rate")

    def add_refusal(self, exc: ComplianceError) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)
