"""Forms of the user and team pages (administrators; managers read them)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from arrears.core.models import Agency, Team
from arrears.core.roles import Role


class UserForm(forms.Form):
    """Role, team, agency and case capacity — and, when adding, the user name and password."""

    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.order_by("name"), required=False
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.order_by("name"), required=False
    )
    case_capacity = forms.IntegerField(
        label=_("Case capacity"),
        min_value=0,
        max_value=100_000,
        required=False,
        help_text=_("Open cases this person should carry; blank means no set limit."),
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Blank: a password is generated and shown once."),
    )

    def __init__(self, *args, adding: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not adding:
            del self.fields["username"]
            del self.fields["password"]
        else:
            self.fields["username"].widget.attrs["autocapitalize"] = "none"


class PasswordSetForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Blank: a password is generated and shown once."),
    )


class TokenForm(forms.Form):
    label = forms.CharField(label=_("What it is for"), max_length=100, required=False)
    expires_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Blank: until revoked."),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)
