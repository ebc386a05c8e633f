"""The collection targets page (/dashboard/targets/): managers set a team's monthly target;
team leads and auditors read them. The dashboard itself is the home page (web.views.home)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from arrears.core.audit import request_ip
from arrears.core.dates import local_today
from arrears.core.models import Team
from arrears.core.money import MoneyError, to_fen
from arrears.core.roles import READ_ALL_ROLES
from arrears.dashboard.models import CollectionTarget
from arrears.dashboard.services import TargetInvalid, target_set


class TargetForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.order_by("name"))
    month = forms.CharField(
        label=_("Month"), widget=forms.TextInput(attrs={"type": "month"}), max_length=7
    )
    amount = forms.CharField(label=_("Target (yuan)"), max_length=20)

    def clean_month(self) -> dt.date:
        text = self.cleaned_data["month"].strip()
        try:
            return dt.date.fromisoformat(text + "-01")
        except ValueError as exc:
            raise forms.ValidationError(_("A month as YYYY-MM.")) from exc

    def clean_amount(self) -> int:
        try:
            fen = to_fen(self.cleaned_data["amount"])
        except MoneyError as exc:
            raise forms.ValidationError(_("An amount in yuan, e.g. 150000.00.")) from exc
        if fen < 0:
            raise forms.ValidationError(_("An amount in yuan, e.g. 150000.00."))
        return fen


@login_required
@require_http_methods(["GET", "POST"])
def targets(request):
    user = request.user
    if not user.can("report.read"):
        raise PermissionDenied(_g("Your role may not read collection targets."))
    can_edit = user.can("target.edit") and not user.is_read_only
    form = None
    if can_edit:
        form = TargetForm(request.POST or None, initial={"month": f"{local_today():%Y-%m}"})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_g("Your role may not set collection targets."))
        if form.is_valid():
            try:
                target_set(
                    team=form.cleaned_data["team"],
                    month=form.cleaned_data["month"],
                    amount_fen=form.cleaned_data["amount"],
                    actor=user,
                    source="web",
                    ip=request_ip(request),
                )
            except TargetInvalid as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _g("Target saved."))
                return redirect("dashboard:targets")
    rows = CollectionTarget.objects.select_related("team").order_by("-month", "team__name")
    if user.role not in READ_ALL_ROLES and not user.is_superuser:
        rows = rows.filter(team_id=user.team_id) if user.team_id else rows.none()
    return render(
        request,
        "dashboard/targets.html",
        {"form": form, "rows": rows[:200]},
        status=400 if request.method == "POST" else 200,
    )
