"""The audit trail's filter form (a GET form: a bad value is shown on its field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from arrears.core.selectors import AUDIT_SOURCES, AuditFilters

SOURCE_LABELS = {
    "web": pgettext_lazy("audit", "Web"),
    "api": pgettext_lazy("audit", "API"),
    "cli": pgettext_lazy("audit", "Command line"),
    "system": pgettext_lazy("audit", "System"),
}


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=pgettext_lazy("audit", "Who"), required=False, max_length=150)
    event = forms.CharField(label=pgettext_lazy("audit", "Event"), required=False, max_length=60)
    object_type = forms.ChoiceField(label=pgettext_lazy("audit", "Object type"), required=False)
    object_id = forms.CharField(
        label=pgettext_lazy("audit", "Object ID"), required=False, max_length=100
    )
    date_from = forms.DateField(
        label=pgettext_lazy("audit", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=pgettext_lazy("audit", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    source = forms.ChoiceField(
        label=pgettext_lazy("audit", "Source"),
        required=False,
        choices=[("", _("Any")), *((s, SOURCE_LABELS[s]) for s in AUDIT_SOURCES)],
    )

    def __init__(self, *args, object_types: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", _("Any")), *((t, t) for t in object_types)]
        for name in ("actor", "event"):
            self.fields[name].widget.attrs["list"] = f"audit-{name}s"
        for name in ("actor", "event", "object_id"):
            self.fields[name].widget.attrs["autocapitalize"] = "none"

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> AuditFilters:
        """The valid filters; a field with an error is left out (and shown on the form)."""
        if not self.is_bound:
            return AuditFilters()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return AuditFilters(
            actor=data.get("actor") or "",
            event=data.get("event") or "",
            object_type=data.get("object_type") or "",
            object_id=data.get("object_id") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            source=data.get("source") or "",
        )
