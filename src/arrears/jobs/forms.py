"""The upload form of /jobs/imports/."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or GBK) or XLSX, English or Chinese headers (docs/imports.md)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt,.tsv,.xlsm"}),
    )

    def __init__(self, *args, kinds=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.name, k.label) for k in kinds]
