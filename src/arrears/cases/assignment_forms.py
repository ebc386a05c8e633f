"""Forms of assignment (分案): assign to a person or team with a reason, undo, ask for an assist."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from arrears.cases.assignment import Target, assign_target
from arrears.cases.assignment_selectors import (
    ROLE_OF_USER,
    assignable_teams,
    assignable_users,
    assist_helpers,
)
from arrears.cases.forms import CaseErrorsMixin, _clean_date, _date_field
from arrears.core.dates import local_today
from arrears.core.models import Team, User
from arrears.core.roles import Role

_GROUPS = (
    (Role.COLLECTOR, _("Collectors")),
    (Role.FIELD_AGENT, _("Field collectors")),
    (Role.LEGAL, _("Legal officers")),
)


def _who(user: User) -> str:
    name = user.get_full_name() or user.username
    return f"{name} · {user.team.name}" if user.team_id else name


class AssignForm(CaseErrorsMixin, forms.Form):
    """One choice, "to": a person (u:<id>, their role picks the slot) or a team (t:<id>)."""

    to = forms.ChoiceField(label=_("Assign to"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. new cases, rotation, leave")}),
    )
    field_aliases = {"user": "to", "team": "to", "role": "to"}

    def __init__(self, *args, actor: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        users = list(assignable_users(actor))
        choices: list = [("", "—")]
        for role, label in _GROUPS:
            group = [(f"u:{u.pk}", _who(u)) for u in users if u.role == role]
            if group:
                choices.append((label, group))
        teams = [(f"t:{t.pk}", t.name) for t in assignable_teams(actor)]
        if teams:
            choices.append((_("Teams (no collector)"), teams))
        self.fields["to"].choices = choices
        self._users = {u.pk: u for u in users}

    def target(self) -> Target:
        kind, _sep, pk = self.cleaned_data["to"].partition(":")
        if kind == "t":
            return assign_target(role="team", team=Team.objects.get(pk=int(pk)))
        user = self._users[int(pk)]
        return assign_target(role=ROLE_OF_USER[user.role], user=user)


class AssistForm(CaseErrorsMixin, forms.Form):
    """Ask a person or a team to help on the case (协催) until a date, and why."""

    helper = forms.ChoiceField(label=_("Who helps"))
    until = _date_field(_("Until"))
    reason = forms.CharField(label=_("Reason"), max_length=500)
    field_aliases = {"user": "helper", "team": "helper"}

    def __init__(self, *args, actor: User, case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = [
            (f"u:{u.pk}", f"{_who(u)} ({u.get_role_display()})")
            for u in assist_helpers(actor)
            if u.pk not in (case.collector_id, case.field_agent_id, case.legal_officer_id)
        ]
        teams = [(f"t:{t.pk}", t.name) for t in Team.objects.exclude(pk=case.team_id)]
        self.fields["helper"].choices = [
            ("", "—"),
            (_("People"), people),
            *([(_("Teams"), teams)] if teams else []),
        ]
        self.fields["until"].initial = (local_today() + dt.timedelta(days=14)).isoformat()

    def clean_until(self):
        day = _clean_date(self.cleaned_data["until"])
        if day is None:
            raise forms.ValidationError(_("This field is required."), code="required")
        return day

    def helper_kwargs(self) -> dict:
        kind, _sep, pk = self.cleaned_data["helper"].partition(":")
        if kind == "t":
            return {"team": Team.objects.get(pk=int(pk))}
        return {"user": User.objects.get(pk=int(pk))}
