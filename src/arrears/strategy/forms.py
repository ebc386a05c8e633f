"""The strategy editor's form: the definition as YAML, a change note."""

from django import forms
from django.utils.translation import gettext_lazy as _


class StrategyYamlForm(forms.Form):
    definition = forms.CharField(
        label=_("Definition (YAML)"),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "code"}),
        max_length=512 * 1024,
    )
    note = forms.CharField(label=_("Change note"), max_length=300, required=False)
