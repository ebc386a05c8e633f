"""Forms of the plan pages: propose, decide, accept, cancel, and the authority table."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from arrears.core.dates import DateError, parse_date
from arrears.core.money import MoneyError, to_fen
from arrears.plans.errors import PlanError
from arrears.plans.models import Plan
from arrears.plans.services import MAX_INSTALLMENTS, MAX_TERM_MONTHS

INTERVAL_CHOICES = [
    ("month", _("Monthly")),
    ("14", _("Every two weeks")),
    ("7", _("Weekly")),
]

# Service refusals in the reader's language, by code or field; others show their message.
FIELD_MESSAGES = {
    "beyond_authority": _("This discount and term are beyond every role's authority."),
}


def _date_field(label, **kw) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "2026-12-28", "inputmode": "numeric"}),
        **kw,
    )


def _clean_date(value: str):
    try:
        return parse_date(value)
    except DateError as exc:
        raise forms.ValidationError(
            _("Enter a real date, such as 2026-11-28."), code="bad_date"
        ) from exc


class PlanErrorsMixin:
    def add_plan_error(self, error: PlanError) -> None:
        """Show a service refusal on the field it names (or on the whole form)."""
        message = FIELD_MESSAGES.get(error.code, error.message)
        field = error.field if error.field in self.fields else None
        if error.field == "installments":
            field = "agreed_total" if "agreed_total" in self.fields else None
        self.add_error(field, forms.ValidationError(message, code=error.code))


class ProposeForm(PlanErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Plan.Kind.SETTLEMENT, _("Settlement (one lump sum)")),
            (Plan.Kind.INSTALLMENT_PLAN, _("Installment plan")),
        ],
        initial=Plan.Kind.INSTALLMENT_PLAN,
    )
    agreed_total = forms.CharField(
        label=_("Agreed total (yuan)"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    count = forms.IntegerField(
        label=_("Number of installments"),
        min_value=1,
        max_value=MAX_INSTALLMENTS,
        initial=1,
        required=False,
        help_text=_("A settlement is always one payment."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    first_due_on = _date_field(_("First due on"))
    interval = forms.ChoiceField(
        label=_("Interval"), choices=INTERVAL_CHOICES, initial="month", required=False
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, full_amount_fen: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The full amount due: the form starts from it and a button puts it back in one tap.
        self.full_amount_fen = full_amount_fen
        if full_amount_fen is not None:
            from arrears.core.money import format_yuan

            self.full_amount_text = format_yuan(full_amount_fen)
            self.fields["agreed_total"].widget.attrs["placeholder"] = self.full_amount_text

    def clean_agreed_total(self):
        try:
            fen = to_fen(self.cleaned_data["agreed_total"])
        except MoneyError as exc:
            raise forms.ValidationError(
                _("Enter an amount in yuan, such as 1,234.56."), code="bad_amount"
            ) from exc
        if fen <= 0:
            raise forms.ValidationError(_("The amount must be greater than zero."))
        return fen

    def clean_first_due_on(self):
        return _clean_date(self.cleaned_data["first_due_on"])

    def clean(self):
        data = super().clean()
        if data.get("kind") == Plan.Kind.SETTLEMENT:
            data["count"] = 1
        elif not data.get("count"):
            data["count"] = 1
        if not data.get("interval"):
            data["interval"] = "month"
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        interval = d["interval"] if d["interval"] == "month" else int(d["interval"])
        return {
            "kind": d["kind"],
            "agreed_total_fen": d["agreed_total"],
            "installments": (d["count"], d["first_due_on"], interval),
            "note": d.get("note") or "",
        }


class NoteForm(PlanErrorsMixin, forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class AcceptForm(PlanErrorsMixin, forms.Form):
    accepted_on = _date_field(_("Borrower accepted on"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def clean_accepted_on(self):
        return _clean_date(self.cleaned_data["accepted_on"])


class AuthorityForm(PlanErrorsMixin, forms.Form):
    """One role's limits; blank means unlimited."""

    max_discount = forms.CharField(
        label=_("Largest discount (%)"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "10.00"}),
    )
    max_term_months = forms.IntegerField(
        label=_("Longest term (months)"),
        required=False,
        min_value=0,
        max_value=MAX_TERM_MONTHS,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def clean_max_discount(self):
        text = (self.cleaned_data["max_discount"] or "").strip().rstrip("%").strip()
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            raise forms.ValidationError(_("Enter a percentage, such as 10 or 12.5.")) from exc
        if (
            not value.is_finite()
            or not 0 <= value <= 100
            or value != value.quantize(Decimal("0.01"))
        ):
            raise forms.ValidationError(
                _("Enter a percentage between 0 and 100 with at most two decimals.")
            )
        return int(value * 100)
