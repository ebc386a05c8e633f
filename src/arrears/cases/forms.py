"""Forms of the case pages: list filters, the debtor type, complaints, death reports,
whereabouts, estate handling, escalation, and the playbook editor."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from arrears.cases.errors import CaseError
from arrears.cases.models import (
    Case,
    ColourFlag,
    Complaint,
    DeathReport,
    DebtorType,
    Escalation,
    Whereabouts,
)
from arrears.core.dates import DateError, parse_date
from arrears.core.money import MoneyError, to_fen

ANY = [("", _("Any"))]


def _date_field(label, **kw) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "2026-11-28", "inputmode": "numeric"}),
        **kw,
    )


def _clean_date(value: str):
    if not value:
        return None
    try:
        return parse_date(value)
    except DateError as exc:
        raise forms.ValidationError(
            _("Enter a real date, such as 2026-11-28."), code="bad_date"
        ) from exc


class CaseErrorsMixin:
    """Show a service refusal on the field it names (or on the whole form)."""

    field_aliases: dict[str, str] = {}

    def add_case_error(self, error: CaseError) -> None:
        name = self.field_aliases.get(error.field or "", error.field)
        field = name if name in self.fields else None
        self.add_error(field, forms.ValidationError(error.message, code=error.code))


class CaseFilterForm(forms.Form):
    """Search and filters of the case list (a GET form; bad values are simply ignored)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[*ANY, *Case.Status.choices]
    )
    bucket = forms.ChoiceField(label=_("Bucket"), required=False)
    collector = forms.ChoiceField(label=_("Collector"), required=False)
    debtor_type = forms.ChoiceField(label=_("Debtor type"), required=False)
    escalation = forms.ChoiceField(
        label=_("Escalation"),
        required=False,
        choices=[
            *ANY,
            ("any", _("Escalated")),
            ("none", _("Not escalated")),
            *Escalation.choices,
        ],
    )

    hold = forms.ChoiceField(label=_("Contact hold"), required=False)
    colour = forms.ChoiceField(
        label=_("Colour flag"),
        required=False,
        choices=[*ANY, ("none", _("No colour")), *ColourFlag.choices],
    )
    county = forms.ChoiceField(label=_("County"), required=False)
    town = forms.ChoiceField(label=_("Town"), required=False)
    village = forms.CharField(label=_("Village"), required=False, max_length=50)
    dpd_min = forms.IntegerField(label=_("DPD from"), required=False, min_value=0)
    dpd_max = forms.IntegerField(label=_("DPD to"), required=False, min_value=0)
    due_min = forms.CharField(label=_("Amount due from (yuan)"), required=False, max_length=20)
    due_max = forms.CharField(label=_("Amount due to (yuan)"), required=False, max_length=20)
    next_action = forms.ChoiceField(label=_("Next action"), required=False)
    promise = forms.ChoiceField(label=_("Promise due"), required=False)
    plan_awaiting = forms.BooleanField(label=_("Plan awaiting approval"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("dpd", _("Days past due")),
            ("due", _("Amount due")),
            ("next_action", _("Next action")),
            ("promise", _("Promise due")),
            ("last_contact", _("Longest without contact")),
            ("region", _("Region")),
        ],
    )

    def __init__(
        self,
        *args,
        buckets,
        collectors,
        types,
        language,
        holds=(),
        counties=(),
        towns=(),
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        when = [
            *ANY,
            ("today", _("Today")),
            ("overdue", _("Missed (before today)")),
            ("week", _("Within 7 days")),
            ("none", _("None set")),
        ]
        self.fields["next_action"].choices = when
        self.fields["promise"].choices = [
            *ANY,
            ("today", _("Due today")),
            ("overdue", _("Past due, not yet judged")),
            ("week", _("Due within 7 days")),
            ("none", _("No pending promise")),
        ]
        self.fields["hold"].choices = [
            *ANY,
            ("any", _("Any hold")),
            ("none", _("No hold")),
            *holds,
        ]
        self.fields["county"].choices = [*ANY, *((c, c) for c in counties)]
        self.fields["town"].choices = [*ANY, *((t, t) for t in towns)]
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Loan ID, name, borrower ID or phone tail"), "type": "search"}
        )
        self.fields["bucket"].choices = [*ANY, *((b, b) for b in buckets)]
        self.fields["collector"].choices = [
            *ANY,
            ("none", _("Nobody")),
            *((str(pk), name) for pk, name in collectors),
        ]
        self.fields["debtor_type"].choices = [
            *ANY,
            ("none", _("Not set")),
            *((t.code, t.name_for(language)) for t in types),
        ]

    def _fen(self, name: str) -> int | None:
        raw = (self.cleaned_data.get(name) or "").strip()
        if not raw:
            return None
        try:
            return to_fen(raw)
        except MoneyError:
            self.add_error(name, _("Not an amount of money."))
            return None

    def clean(self):
        data = super().clean()
        data["due_min_fen"] = self._fen("due_min")
        data["due_max_fen"] = self._fen("due_max")
        return data

    # Filters shown folded under "More filters" (the first row stays short on a phone).
    MAIN = ("q", "status", "hold", "next_action", "promise", "sort")

    def main_fields(self):
        return [self[n] for n in self.MAIN]

    def more_fields(self):
        return [f for f in self if f.name not in self.MAIN]

    def more_active(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return any(data.get(f.name) for f in self.more_fields())

    def selector_kwargs(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "hold": data.get("hold") or "",
            "colour": data.get("colour") or "",
            "county": data.get("county") or "",
            "town": data.get("town") or "",
            "village": (data.get("village") or "").strip(),
            "dpd_min": data.get("dpd_min"),
            "dpd_max": data.get("dpd_max"),
            "due_min_fen": data.get("due_min_fen"),
            "due_max_fen": data.get("due_max_fen"),
            "next_action": data.get("next_action") or "",
            "promise": data.get("promise") or "",
            "plan_awaiting": bool(data.get("plan_awaiting")),
            "sort": data.get("sort") or "dpd",
            "q": data.get("q") or "",
            "status": data.get("status") or "",
            "bucket": data.get("bucket") or "",
            "collector": data.get("collector") or None,
            "debtor_type": data.get("debtor_type") or "",
            "escalation": data.get("escalation") or "",
        }


class DebtorTypeChoiceForm(CaseErrorsMixin, forms.Form):
    debtor_type = forms.ChoiceField(label=_("Debtor type"), required=False)

    def __init__(self, *args, current: DebtorType | None, language: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        types = list(DebtorType.objects.filter(active=True))
        if current is not None and not current.active:
            types.append(current)  # a case keeps a retired type until someone changes it
        self.fields["debtor_type"].choices = [
            ("", _("Not set")),
            *((t.code, t.name_for(language)) for t in types),
        ]

    def chosen(self) -> DebtorType | None:
        code = self.cleaned_data.get("debtor_type") or ""
        return DebtorType.objects.filter(code=code).first() if code else None


class EscalateForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[
            (Escalation.WILLFUL, Escalation.WILLFUL.label),
            (Escalation.LEGAL_TRACK, Escalation.LEGAL_TRACK.label),
        ]
    )


def owner_choices():
    from arrears.core.models import User
    from arrears.core.roles import CAPABILITIES

    roles = CAPABILITIES["complaint.resolve"]
    return [
        ("", _("Nobody yet")),
        *(
            (str(u.pk), u.get_full_name() or u.username)
            for u in User.objects.filter(is_active=True, role__in=roles).order_by("username")
        ),
    ]


class _OwnerMixin:
    def owner(self):
        from arrears.core.models import User

        pk = self.cleaned_data.get("owner") or ""
        return User.objects.filter(pk=pk).first() if pk else None


class ComplaintForm(CaseErrorsMixin, _OwnerMixin, forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Complaint.Category.choices)
    description = forms.CharField(
        label=_("What is the complaint?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    opened_on = _date_field(_("Raised on"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owner_choices()

    def clean_opened_on(self):
        return _clean_date(self.cleaned_data.get("opened_on"))


class ComplaintAssignForm(CaseErrorsMixin, _OwnerMixin, forms.Form):
    owner = forms.ChoiceField(label=_("Owner"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owner_choices()[1:]


class ComplaintResolveForm(CaseErrorsMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (Complaint.Status.RESOLVED, _("Resolved")),
            (Complaint.Status.REJECTED, _("Rejected")),
        ],
    )
    resolution = forms.CharField(
        label=_("Resolution"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    resolved_on = _date_field(_("Resolved on"), required=False)

    def clean_resolved_on(self):
        return _clean_date(self.cleaned_data.get("resolved_on"))


class DeathReportForm(CaseErrorsMixin, forms.Form):
    field_aliases = {"source": "report_source"}

    reported_on = _date_field(_("Reported on"), required=False)
    report_source = forms.ChoiceField(label=_("Reported by"), choices=DeathReport.Source.choices)
    source_detail = forms.CharField(label=_("Who (name, relation)"), max_length=200, required=False)
    note = forms.CharField(
        label=_("What was said"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_reported_on(self):
        return _clean_date(self.cleaned_data.get("reported_on"))


CHECK_LABELS = {
    "contacts": _("Contacts"),
    "employer": _("Employer"),
    "relatives": _("Relatives and friends"),
    "address": _("Address"),
    "phone": _("Phone"),
    "institution": _("Institution (hospital, police, civil affairs)"),
}


class DeathChecklistForm(CaseErrorsMixin, forms.Form):
    """The six checks, each a tick and a note, and optionally a piece of evidence to file."""

    evidence = forms.FileField(label=_("Evidence (death certificate, …)"), required=False)
    evidence_category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, report: DeathReport | None = None, **kwargs) -> None:
        initial = kwargs.pop("initial", {}) or {}
        if report is not None:
            for item in DeathReport.CHECKLIST:
                initial.setdefault(item, getattr(report, f"check_{item}"))
                initial.setdefault(f"{item}_note", getattr(report, f"check_{item}_note"))
        super().__init__(*args, initial=initial, **kwargs)
        for item in DeathReport.CHECKLIST:
            self.fields[item] = forms.BooleanField(label=CHECK_LABELS[item], required=False)
            self.fields[f"{item}_note"] = forms.CharField(
                label=_("Note"), max_length=500, required=False
            )
        from arrears.documents.models import DocumentCategory

        cats = DocumentCategory.objects.filter(active=True).order_by("sort_order", "code")
        from django.utils.translation import get_language

        self.fields["evidence_category"].choices = [
            (c.code, c.name_for(get_language())) for c in cats
        ]
        self.fields["evidence_category"].initial = "death_certificate"

    def rows(self):
        return [(self[item], self[f"{item}_note"]) for item in DeathReport.CHECKLIST]

    def checks(self) -> dict:
        data = self.cleaned_data
        return {i: (bool(data.get(i)), data.get(f"{i}_note") or "") for i in DeathReport.CHECKLIST}


class DeathDecideForm(CaseErrorsMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (DeathReport.Outcome.CONFIRMED, _("Confirmed: the borrower has died")),
            (DeathReport.Outcome.FALSE, _("False report")),
        ],
    )
    decided_on = _date_field(_("Decided on"), required=False)
    note = forms.CharField(
        label=_("Note"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_decided_on(self):
        return _clean_date(self.cleaned_data.get("decided_on"))


class EstateForm(CaseErrorsMixin, forms.Form):
    party_repays = forms.ChoiceField(
        label=_("Does a related party repay in the borrower's place (代位清偿)?"),
        choices=[("", _("Not known yet")), ("yes", _("Yes")), ("no", _("No"))],
        required=False,
    )
    party_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    party_relation = forms.CharField(label=_("Relation"), max_length=100, required=False)
    agreed_amount = forms.CharField(
        label=_("Agreed amount (yuan)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "5,000.00"}),
    )

    def clean_agreed_amount(self):
        value = (self.cleaned_data.get("agreed_amount") or "").strip()
        if not value:
            return None
        try:
            return to_fen(value)
        except MoneyError as exc:
            raise forms.ValidationError(
                _("Enter an amount in yuan, such as 1,234.56."), code="bad_amount"
            ) from exc

    def repays(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("party_repays") or "")


class WhereaboutsForm(CaseErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Whereabouts.Status.choices)
    detail = forms.CharField(
        label=_("Detail"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. working in Shenzhen")}),
    )
    recorded_on = _date_field(_("As of"), required=False)

    def clean_recorded_on(self):
        return _clean_date(self.cleaned_data.get("recorded_on"))


class DebtorTypeForm(CaseErrorsMixin, forms.Form):
    """Add or edit a debtor type; techniques one per line."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lower-case letters, digits and _; cannot be changed later."),
    )
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=60)
    name_en = forms.CharField(label=_("Name (English)"), max_length=60)
    traits_zh = forms.CharField(
        label=_("Traits (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    traits_en = forms.CharField(
        label=_("Traits (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    example_zh = forms.CharField(
        label=_("Example (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    example_en = forms.CharField(
        label=_("Example (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    techniques_zh = forms.CharField(
        label=_("Techniques (Chinese), one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    techniques_en = forms.CharField(
        label=_("Techniques (English), one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=100)

    def __init__(self, *args, instance: DebtorType | None = None, **kwargs) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": instance.code,
                "name_zh": instance.name_zh,
                "name_en": instance.name_en,
                "traits_zh": instance.traits_zh,
                "traits_en": instance.traits_en,
                "example_zh": instance.example_zh,
                "example_en": instance.example_en,
                "techniques_zh": "\n".join(instance.techniques_zh),
                "techniques_en": "\n".join(instance.techniques_en),
                "sort_order": instance.sort_order,
            }
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["code"].required = False
            self.fields["code"].disabled = True

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "name_zh": data["name_zh"],
            "name_en": data["name_en"],
            "traits_zh": data.get("traits_zh") or "",
            "traits_en": data.get("traits_en") or "",
            "example_zh": data.get("example_zh") or "",
            "example_en": data.get("example_en") or "",
            "techniques_zh": (data.get("techniques_zh") or "").splitlines(),
            "techniques_en": (data.get("techniques_en") or "").splitlines(),
            "sort_order": data["sort_order"],
        }


class AdviceForm(CaseErrorsMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    zh = forms.CharField(label=_("Advice (Chinese)"), widget=forms.Textarea(attrs={"rows": 2}))
    en = forms.CharField(label=_("Advice (English)"), widget=forms.Textarea(attrs={"rows": 2}))
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=100)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
