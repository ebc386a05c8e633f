"""Forms of the agencies pages: input parsing only; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from arrears.agencies import rules
from arrears.agencies.models import Contract
from arrears.core.models import Agency
from arrears.core.money import MoneyError, to_fen

DATE = forms.DateInput(attrs={"type": "date"})


class ContractForm(forms.Form):
    number = forms.CharField(label=_("Contract number"), max_length=64)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid to"), widget=DATE)
    approved = forms.BooleanField(label=_("Approved"), required=False)
    last_review_on = forms.DateField(label=_("Last review"), required=False, widget=DATE)
    tier_key = forms.ChoiceField(label=_("Tiers keyed by"), choices=Contract.TierKey.choices)
    basis = forms.ChoiceField(label=_("Commission basis"), choices=Contract.Basis.choices)
    tiers = forms.CharField(
        label=_("Tiers"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_(
            "One a line: 0-90 15% / 90- 20% (DPD; yuan owed for amount), M3 18%, "
            "* 10% (every other product)."
        ),
    )

    def clean(self):
        data = super().clean()
        if "tiers" in data and "tier_key" in data:
            try:
                data["tiers_parsed"] = rules.parse_tier_lines(data["tier_key"], data["tiers"])
            except ValueError as exc:
                self.add_error("tiers", str(exc))
        return data


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE)


class IpRangesForm(forms.Form):
    networks = forms.CharField(
        label=_("Sign-in address ranges"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line, e.g. 203.0.113.0/24; none: from anywhere."),
    )


class PlaceForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.order_by("name"))
    number = forms.CharField(label=_("Batch number"), max_length=40)
    starts_on = forms.DateField(label=_("Start"), widget=DATE)
    ends_on = forms.DateField(label=_("End"), widget=DATE)
    cases = forms.CharField(
        label=_("Case numbers"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separated by spaces, commas or lines."),
    )
    by_filter = forms.BooleanField(label=_("Add open cases matching the filter"), required=False)
    bucket = forms.CharField(label=_("Bucket"), required=False, max_length=8)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    limit = forms.IntegerField(label=_("At most"), min_value=1, max_value=5000, initial=100)
    handovers = forms.BooleanField(label=_("Add the strategies' hand-overs"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_cases(self):
        text = self.cleaned_data.get("cases") or ""
        out = []
        for part in text.replace(",", " ").replace("，", " ").split():
            part = part.lstrip("#")
            if not part.isdigit():
                raise forms.ValidationError(_("%(v)s is not a case number.") % {"v": part})
            out.append(int(part))
        return out

    def clean(self):
        data = super().clean()
        data["case_ids"] = data.get("cases") or []
        if data.get("limit") is None:
            data["limit"] = 100
        return data


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Agency payments file (CSV or XLSX)"),
        help_text=_("Columns: payment_id, loan_id, paid_on, amount, agency, reference."),
    )


class ReportForm(forms.Form):
    payment_id = forms.CharField(label=_("Payment ID"), max_length=64)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20)
    reference = forms.CharField(label=_("Reference"), max_length=64, required=False)

    def clean_amount(self):
        try:
            fen = to_fen(self.cleaned_data["amount"])
        except MoneyError:
            raise forms.ValidationError(_("Not an amount.")) from None
        if fen <= 0:
            raise forms.ValidationError(_("The amount must be above zero."))
        return fen


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)
