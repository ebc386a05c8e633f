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


class OpenChoiceField(forms.ChoiceField):
    """A choice offered as a list, but a value from a link or an older bookmark (an event
    prefix, a user since renamed) still filters: it is added to the list as it is."""

    def valid_value(self, value) -> bool:
        return True


class AuditFilterForm(forms.Form):
    actor = OpenChoiceField(label=pgettext_lazy("audit", "Who"), required=False)
    event = OpenChoiceField(label=pgettext_lazy("audit", "Event"), required=False)
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

    def __init__(
        self, *args, object_types: list[str] = (), events: list[str] = (), people=(), **kwargs
    ):
        from arrears.core.audit_labels import event_label, object_label

        super().__init__(*args, **kwargs)
        # Choices in words, sorted as a person reads them; the codes stay the values.
        self.fields["object_type"].choices = [
            ("", _("Any")),
            *sorted(((t, object_label(t)) for t in object_types), key=lambda c: c[1]),
        ]
        # Every event, and each kind of object's events together (the filter matches a
        # dotted prefix: "plan" is every plan.* event).
        prefixes = sorted({e.split(".")[0] for e in events if "." in e})
        self.fields["event"].choices = [
            ("", _("Any")),
            *sorted(((e, event_label(e)) for e in events), key=lambda c: c[1]),
            *((p, _("%(object)s: every event") % {"object": object_label(p)}) for p in prefixes),
        ]
        self.fields["actor"].choices = [
            ("", _("Anyone")),
            *people,
            ("system", _("The system")),
        ]
        self.fields["object_id"].widget.attrs["autocapitalize"] = "none"
        for name in ("event", "actor"):
            value = self.data.get(name) if self.is_bound else None
            if value and value not in dict(self.fields[name].choices):
                self.fields[name].choices = [*self.fields[name].choices, (value, value)]

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
