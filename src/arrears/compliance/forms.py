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


# --------------------------------------------------------------------------- one rule of a pack

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# Which hold a case_hold rule is about is what the rule is, not a setting.
FIXED_PARAMS = frozenset({"hold"})


def param_kind(value, key: str = "") -> str | None:
    """How a parameter is edited in the browser, from its current value; None: not here (a
    list of phrase objects or a table: edit those with `arrears rulepack export|import`)."""
    if key in FIXED_PARAMS:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "list"
    return None


class RuleEditForm(forms.Form):
    """One rule of the current version of a pack: block or warn, each simple parameter (a field
    named `p_<parameter>`, typed from its current value) and the reason for the change."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    mode = forms.ChoiceField(label=_("Block or warn"))
    note = forms.CharField(
        label=_("Why (change note)"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("Such as: lender policy 2026-03")}),
    )

    def __init__(self, *args, rule, **kwargs):
        from arrears.compliance.models import Rule

        super().__init__(*args, **kwargs)
        self.rule = rule
        self.fields["mode"].choices = Rule.Mode.choices
        self.params = {k: v for k, v in (rule.parameters or {}).items() if param_kind(v, k)}
        for key, value in self.params.items():
            name = f"p_{key}"
            kind = param_kind(value)
            if kind == "bool":
                field = forms.BooleanField(label=key, required=False)
            elif kind == "int":
                field = forms.IntegerField(label=key, min_value=0, max_value=10**6)
            elif kind == "str":
                field = forms.CharField(label=key, max_length=200, required=bool(value))
            else:
                field = forms.CharField(
                    label=key,
                    required=False,
                    max_length=2000,
                    help_text=_("Comma-separated."),
                )
                self.initial.setdefault(name, ", ".join(value))
            if kind == "int":
                field.widget.attrs["inputmode"] = "numeric"
            if kind in ("str", "list"):
                field.widget.attrs["autocapitalize"] = "none"
            self.fields[name] = field
            if kind != "list":
                self.initial.setdefault(name, value)
        # the note goes last on the page
        self.order_fields(["mode", *(f"p_{k}" for k in self.params), "note", "version"])

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Say why the rule changes."))
        return note

    def _clean_param(self, key: str, value):
        kind = param_kind(self.params[key])
        if kind == "list":
            return [v.strip() for v in (value or "").split(",") if v.strip()]
        if kind == "str":
            value = value.strip()
            if self.rule.kind == "contact_hours" and key in ("start", "end"):
                if not _HHMM.match(value):
                    raise forms.ValidationError(
                        _("Write an hour of the day as HH:MM, such as 21:00.")
                    )
        return value

    def clean(self):
        from arrears.compliance.services import validate_rule

        data = super().clean()
        params = {}
        for key in self.params:
            name = f"p_{key}"
            if name not in data:
                continue  # the field already has its error
            try:
                params[key] = self._clean_param(key, data[name])
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        if self.errors:
            return data
        merged = {
            "rule_id": self.rule.rule_id,
            "kind": self.rule.kind,
            "mode": data.get("mode", self.rule.mode),
            "overridable": self.rule.overridable,
            "override_roles": list(self.rule.override_roles or ()),
            "parameters": {**(self.rule.parameters or {}), **params},
        }
        for problem in validate_rule(merged):
            # "CN.X: start must be before end" → on the parameter it names first (start)
            text = problem.split(": ", 1)[-1]
            found = [
                (m.start(), k)
                for k in self.params
                if (m := re.search(rf"\b{re.escape(k)}\b", text))
            ]
            self.add_error(f"p_{min(found)[1]}" if found else None, text)
        self.changes = {"mode": merged["mode"], "parameters": params}
        return data


class CalendarDayForm(forms.Form):
    """One day of the State Council calendar: a day off, a make-up working day, or removed."""

    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("holiday", _("Statutory day off")),
            ("workday", _("Make-up working day")),
            ("remove", _("Remove from the calendar")),
        ],
    )
    name = forms.CharField(
        label=_("Holiday"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "春节"}),
    )
    source = forms.CharField(
        label=_("Notice"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "国务院办公厅关于2027年部分节假日安排的通知"}),
    )

    def add_refusal(self, exc: ComplianceError) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)
