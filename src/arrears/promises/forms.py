"""The "record a promise" form of the case page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from arrears.core.money import MoneyError, to_fen
from arrears.promises.errors import PromiseError


class PromiseForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "1,000.00", "inputmode": "decimal"}),
    )
    promised_on = forms.DateField(
        label=_("To pay by"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_amount(self) -> int:
        raw = (self.cleaned_data.get("amount") or "").strip()
        try:
            fen = to_fen(raw)
        except MoneyError as exc:
            raise forms.ValidationError(_("Not an amount of money."), code="bad_amount") from exc
        if fen <= 0:
            raise forms.ValidationError(
                _("The amount must be greater than zero."), code="not_positive"
            )
        return fen

    def add_promise_error(self, error: PromiseError) -> None:
        """Show a service refusal on the field it names (or on the whole form)."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, forms.ValidationError(error.message, code=error.code))
