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


class OverrideFilterForm(forms.Form):
    """The override report's filters (a GET form: a bad value is shown on its field and left
    out of the search)."""

    rule = forms.CharField(
        label=_("Rule"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "CN.CONNECTED_CALLS", "list": "rule-ids"}),
    )
    actor = forms.CharField(label=_("Overridden by"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("Role"), required=False)
    pack = forms.CharField(label=_("Rule pack"), required=False, max_length=40)
    case = forms.IntegerField(label=_("Case"), required=False, min_value=1, max_value=2**31 - 1)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        from arrears.core.roles import Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("Any")), *Role.choices]
        for name in ("rule", "actor", "pack"):
            self.fields[name].widget.attrs["autocapitalize"] = "none"

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self):
        """The valid filters; a field with an error is left out (and shown on the form)."""
        from arrears.compliance.selectors import OverrideFilters

        if not self.is_bound:
            return OverrideFilters()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return OverrideFilters(
            rule=data.get("rule") or "",
            actor=data.get("actor") or "",
            role=data.get("role") or "",
            pack=data.get("pack") or "",
            case=data.get("case"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
