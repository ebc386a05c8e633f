"""Forms of the write-off pages: propose (by hand, by filter), decide, cancel, authority."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from arrears.core.money import MoneyError, to_fen
from arrears.writeoff.models import Reason
from arrears.writeoff.services import MAX_AUTHORITY_FEN, REASON_MAX


class _ErrorsMixin:
    def add_service_error(self, exc) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)


class FilterForm(_ErrorsMixin, forms.Form):
    """Choose loans by filter (GET: preview; POST with a reason: propose them all)."""

    reason_code = forms.ChoiceField(label=_("Reason"), choices=Reason.choices)
    county = forms.CharField(label=_("County"), required=False, max_length=50)


class ProposeForm(_ErrorsMixin, forms.Form):
    """A proposal: by hand (loan IDs) or by filter (the filter's fields), and the reason."""

    MODES = [("hand", _("Chosen by hand")), ("filter", _("Chosen by filter"))]

    mode = forms.ChoiceField(choices=MODES, widget=forms.HiddenInput, initial="hand")
    reason_code = forms.ChoiceField(label=_("Reason"), choices=Reason.choices)
    county = forms.CharField(label=_("County"), required=False, max_length=50)
    loans = forms.CharField(
        label=_("Loan IDs"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "L-000123, L-000456"}),
        help_text=_("One or more loan IDs, separated by spaces, commas or new lines."),
    )
    reason = forms.CharField(
        label=_("Explanation"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("mode") == "hand":
            ids = [x for x in re.split(r"[\s,，;；]+", data.get("loans") or "") if x]
            if not ids:
                self.add_error("loans", _("Choose at least one loan."))
            data["loan_ids"] = ids
        return data


class DecideForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=REASON_MAX)


class AuthorityForm(_ErrorsMixin, forms.Form):
    """One role's largest total; blank means no limit."""

    max_total = forms.CharField(
        label=_("Largest total (yuan)"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "500000.00"}),
    )

    def clean_max_total(self):
        text = (self.cleaned_data["max_total"] or "").strip()
        if not text:
            return None
        try:
            fen = to_fen(text)
        except MoneyError as exc:
            raise forms.ValidationError(_("Enter an amount, such as 500000.00.")) from exc
        if not 0 <= fen <= MAX_AUTHORITY_FEN:
            raise forms.ValidationError(_("Enter an amount of 0 or more."))
        return fen
