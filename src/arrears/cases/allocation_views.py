"""Pages of allocation (分案), rotation (轮换), retention (留案) and suspension (停催):
the case page's "Suspension and rotation" panel and its posts, the allocation rules, and
"run allocation now" (preview, then apply). Thin: parse, call the services, redirect."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from arrears.cases import selectors
from arrears.cases.allocation import allocation_plan, allocation_run
from arrears.cases.errors import CaseError, CaseForbidden
from arrears.cases.models import Absence, AllocationRule, Case, CaseRetention, CaseSuspension
from arrears.cases.rotation import case_retain, case_rotate, holding_ends_on, retention_end
from arrears.cases.suspension import case_suspend, suspension_in_force, suspension_lift
from arrears.core.audit import audit_record
from arrears.core.dates import local_today
from arrears.core.models import Team, User
from arrears.core.scoping import cases_for

ANCHOR = "suspension"


def _can(user, capability: str) -> bool:
    return user.is_authenticated and not user.is_read_only and user.can(capability)


def _back(case_id: int) -> HttpResponse:
    return redirect(f"{reverse('cases:detail', args=[case_id])}#{ANCHOR}")


def _refused(request, exc: CaseError) -> None:
    if isinstance(exc, CaseForbidden):
        raise PermissionDenied(exc.message)
    messages.error(request, exc.message)


class SuspendForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=CaseSuspension.Reason.choices)
    ends_on = forms.DateField(
        label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)


def panel_context(request: HttpRequest, case: Case) -> dict | None:
    """Suspension, retention and the holding period of the case, with the forms that apply."""
    user = request.user
    today = local_today()
    work = _can(user, "case.work") and case.status == Case.Status.OPEN
    current = suspension_in_force(case, today)
    retention = CaseRetention.objects.filter(case=case, ended_on__isnull=True).first()
    lead = _can(user, "case.assign") and (user.role != "team_lead" or case.team_id == user.team_id)
    ends = holding_ends_on(case) if case.collector_id else None
    return {
        "case": case,
        "suspension": current,
        "resumes_on": current.ends_on + dt.timedelta(days=1) if current else None,
        "history": list(case.suspensions.all()[:10]),
        "suspend_form": SuspendForm() if work and current is None else None,
        "can_lift": work and current is not None,
        "retention": retention,
        "can_retain": work and retention is None and case.collector_id == user.pk,
        "can_end_retention": retention is not None and (retention.collector_id == user.pk or lead),
        "holding_ends_on": ends,
        # A collector hands the case over only once its holding period has run.
        "can_rotate": work
        and case.collector_id is not None
        and (lead or (case.collector_id == user.pk and ends is not None and today >= ends)),
        "is_lead": lead,
        "today": today,
    }


@require_POST
@login_required
def suspend(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(request.user, pk)
    form = SuspendForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[name].label}: {error}")
        return _back(case.pk)
    try:
        row = case_suspend(case=case, actor=request.user, source="web", **form.cleaned_data)
    except CaseError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("Collection is suspended; it resumes on %(day)s.")
            % {"day": (row.ends_on + dt.timedelta(days=1)).isoformat()},
        )
    return _back(case.pk)


@require_POST
@login_required
def lift(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(request.user, pk)
    current = suspension_in_force(case)
    if current is None:
        messages.error(request, _("The case is not suspended."))
        return _back(case.pk)
    try:
        suspension_lift(
            suspension=current, reason=request.POST.get("reason", ""), actor=request.user
        )
    except CaseError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The suspension is lifted: collection resumes today."))
    return _back(case.pk)


@require_POST
@login_required
def retain(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(request.user, pk)
    try:
        case_retain(case=case, actor=request.user, reason=request.POST.get("reason", ""))
    except CaseError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The case is retained: it will not rotate."))
    return _back(case.pk)


@require_POST
@login_required
def retain_end(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(request.user, pk)
    row = CaseRetention.objects.filter(case=case, ended_on__isnull=True).first()
    if row is None:
        messages.error(request, _("The case is not retained."))
        return _back(case.pk)
    try:
        retention_end(retention=row, actor=request.user, reason=request.POST.get("reason", ""))
    except CaseError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The retention has ended."))
    return _back(case.pk)


@require_POST
@login_required
def rotate(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(request.user, pk)
    try:
        moved = case_rotate(case=case, actor=request.user, reason=request.POST.get("reason", ""))
    except CaseError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("The case moved to %(who)s.")
            % {"who": moved.collector.get_full_name() or moved.collector.username},
        )
        if not cases_for(request.user).filter(pk=case.pk).exists():
            return redirect("cases:list")
    return _back(case.pk)


# --- allocation: rules and the run -----------------------------------------------------------


def _require_read(user) -> None:
    if not _can(user, "case.assign"):
        raise PermissionDenied(_("Your role may not allocate cases."))


def _team_ids(user):
    """A team lead allocates within their team; managers and administrators everywhere."""
    if user.role == "team_lead":
        if not user.team_id:
            raise PermissionDenied(_("You lead no team."))
        return [user.team_id]
    return None


@login_required
def run(request: HttpRequest) -> HttpResponse:
    """Run allocation now: GET shows what would happen, POST does it."""
    _require_read(request.user)
    team_ids = _team_ids(request.user)
    day = local_today()
    if request.method == "POST":
        report = allocation_run(day=day, actor=request.user, source="web", team_ids=team_ids)
        audit_record(
            actor=request.user,
            event="allocation.run",
            object_type="allocation",
            after=report.counts(),
            source="web",
        )
        messages.success(
            request,
            _("Allocation done: %(placed)d cases placed, %(covered)d covered, %(left)d waiting.")
            % {
                "placed": sum(report.placed.values()),
                "covered": report.covered,
                "left": report.unplaced,
            },
        )
        return redirect("cases:allocation_run")
    report, _routing, _moves = allocation_plan(day=day, team_ids=team_ids)
    users = User.objects.in_bulk(list(report.placed))
    teams = Team.objects.in_bulk(list(report.routed))
    return render(
        request,
        "cases/allocation_run.html",
        {
            "report": report,
            "placed": sorted(
                ((users[u], n, report.placed_amount.get(u, 0)) for u, n in report.placed.items()),
                key=lambda r: r[0].username,
            ),
            "routed": sorted(((teams[t], n) for t, n in report.routed.items()), key=str),
            "total": sum(report.placed.values()),
        },
    )


class RuleForm(forms.ModelForm):
    class Meta:
        model = AllocationRule
        fields = [
            "position",
            "name",
            "active",
            "region_prefix",
            "product",
            "dpd_min",
            "dpd_max",
            "borrower_kind",
            "debtor_type",
            "team",
        ]
        labels = {
            "position": gettext_lazy("Order"),
            "name": gettext_lazy("Name"),
            "active": pgettext_lazy("allocation rule", "Active"),
            "region_prefix": gettext_lazy("Region starts with"),
            "product": gettext_lazy("Product"),
            "dpd_min": gettext_lazy("DPD from"),
            "dpd_max": gettext_lazy("DPD to"),
            "debtor_type": gettext_lazy("Debtor type"),
            "team": gettext_lazy("Team"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils.translation import get_language

        from arrears.book.models import Borrower

        language = get_language()
        self.fields["debtor_type"].label_from_instance = lambda t: t.name_for(language)

        self.fields["borrower_kind"] = forms.ChoiceField(
            label=_("borrower kind"),
            choices=[("", "—"), *Borrower.Kind.choices],
            required=False,
        )

    def clean(self):
        data = super().clean()
        low, high = data.get("dpd_min"), data.get("dpd_max")
        if low is not None and high is not None and high < low:
            self.add_error("dpd_max", _("The upper DPD is below the lower."))
        return data


@login_required
def rules(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The allocation rules: managers edit, team leads read."""
    _require_read(request.user)
    may_edit = _can(request.user, "allocation.edit")
    rule = get_object_or_404(AllocationRule, pk=pk) if pk else None
    form = None
    if may_edit:
        form = RuleForm(request.POST or None, instance=rule)
        if request.method == "POST":
            if form.is_valid():
                saved = form.save()
                audit_record(
                    actor=request.user,
                    event="allocation.rule_save",
                    object_type="allocation_rule",
                    object_id=saved.pk,
                    after={f: str(form.cleaned_data.get(f) or "") for f in RuleForm.Meta.fields},
                    source="web",
                )
                messages.success(request, _("The rule is saved."))
                return redirect("cases:allocation_rules")
    elif request.method == "POST" or pk:
        raise PermissionDenied(_("Only managers edit the allocation rules."))
    return render(
        request,
        "cases/allocation_rules.html",
        {
            "rules": AllocationRule.objects.select_related("team", "product", "debtor_type"),
            "teams": Team.objects.order_by("name"),
            "may_edit": may_edit,
            "form": form,
            "rule": rule,
        },
    )


@require_POST
@login_required
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager deletes a rule (the rules page asks to confirm first)."""
    from arrears.cases.allocation import rule_delete as delete

    if not _can(request.user, "allocation.edit"):
        raise PermissionDenied(_("Only managers edit the allocation rules."))
    rule = get_object_or_404(AllocationRule, pk=pk)
    name = rule.name
    try:
        delete(rule=rule, actor=request.user, source="web")
    except CaseError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The rule %(name)s is deleted.") % {"name": name})
    return redirect("cases:allocation_rules")


# --- a person's skills and absences; team rotation settings -----------------------------------


class SkillsForm(forms.Form):
    skills = forms.CharField(
        label=gettext_lazy("Skills"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "One a line: the region path it covers, then for a dialect its name "
            "(广东省/梅州市 客家话)."
        ),
    )

    def parsed(self) -> list[tuple[str, str, str]]:
        out = []
        for line in self.cleaned_data["skills"].splitlines():
            parts = line.split()
            if not parts:
                continue
            if len(parts) == 1:
                out.append(("region", "", parts[0]))
            else:
                out.append(("dialect", " ".join(parts[1:]), parts[0]))
        return out


class AbsenceForm(forms.Form):
    starts_on = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=Absence.Reason.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


class AbsenceEndForm(forms.Form):
    ends_on = forms.DateField(
        label=gettext_lazy("New end date"), widget=forms.DateInput(attrs={"type": "date"})
    )


class AbsenceCancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=300, required=False)


def _person_for(user, pk: int) -> User:
    person = get_object_or_404(User.objects.select_related("team"), pk=pk)
    if user.role == "team_lead" and person.team_id != user.team_id:
        raise Http404
    return person


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's region/dialect skills and absences (team lead of their team, managers)."""
    from arrears.cases.allocation import absence_record, skills_set
    from arrears.cases.models import CollectorSkill

    _require_read(request.user)
    person = _person_for(request.user, pk)
    skills = list(CollectorSkill.objects.filter(user=person))
    text = "\n".join(
        f"{s.region_prefix} {s.label}".strip() if s.kind == "dialect" else s.region_prefix
        for s in skills
    )
    skills_form = SkillsForm(initial={"skills": text})
    absence_form = AbsenceForm()
    if request.method == "POST":
        try:
            if request.POST.get("what") == "skills":
                skills_form = SkillsForm(request.POST)
                if skills_form.is_valid():
                    skills_set(user=person, skills=skills_form.parsed(), actor=request.user)
                    messages.success(request, _("The skills are saved."))
                    return redirect("cases:person", person.pk)
            else:
                absence_form = AbsenceForm(request.POST)
                if absence_form.is_valid():
                    absence_record(user=person, actor=request.user, **absence_form.cleaned_data)
                    messages.success(
                        request, _("The absence is recorded: teammates cover the cases.")
                    )
                    return redirect("cases:person", person.pk)
        except CaseError as exc:
            _refused(request, exc)
    from arrears.cases.allocation import live_absences

    today = local_today()
    absences = list(live_absences().filter(user=person, ends_on__gte=today))
    for a in absences:
        a.started = a.starts_on <= today
        a.end_form = AbsenceEndForm(initial={"ends_on": a.ends_on}, prefix=f"a{a.pk}")
        a.cancel_form = AbsenceCancelForm(prefix=f"c{a.pk}")
    return render(
        request,
        "cases/person.html",
        {
            "person": person,
            "skills": skills,
            "absences": absences,
            "skills_form": skills_form,
            "absence_form": absence_form,
        },
    )


def _absence_of(request: HttpRequest, pk: int, absence_pk: int) -> Absence:
    _require_read(request.user)
    person = _person_for(request.user, pk)
    return get_object_or_404(Absence.objects.select_related("user"), pk=absence_pk, user=person)


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for name, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{form.fields[name].label}: {error}")


@require_POST
@login_required
def absence_change(request: HttpRequest, pk: int, absence_pk: int) -> HttpResponse:
    """Move an absence's end date (shorten or extend) from the person page."""
    from arrears.cases.allocation import absence_change as change

    absence = _absence_of(request, pk, absence_pk)
    form = AbsenceEndForm(request.POST, prefix=f"a{absence.pk}")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("cases:person", pk)
    try:
        row = change(absence=absence, ends_on=form.cleaned_data["ends_on"], actor=request.user)
    except CaseError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("The absence now ends on %(day)s.") % {"day": row.ends_on.isoformat()},
        )
    return redirect("cases:person", pk)


@require_POST
@login_required
def absence_cancel(request: HttpRequest, pk: int, absence_pk: int) -> HttpResponse:
    """Cancel an absence from the person page: covered cases go back at the next end-of-day."""
    from arrears.cases.allocation import absence_cancel as cancel

    absence = _absence_of(request, pk, absence_pk)
    form = AbsenceCancelForm(request.POST, prefix=f"c{absence.pk}")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("cases:person", pk)
    try:
        cancel(absence=absence, reason=form.cleaned_data["reason"], actor=request.user)
    except CaseError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("The absence is cancelled: covered cases go back at the next end-of-day."),
        )
    return redirect("cases:person", pk)


@require_POST
@login_required
def team_rotation(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager sets a team's rotation days and retention quota (from the rules page)."""
    from arrears.cases.allocation import team_rotation_set

    if not _can(request.user, "allocation.edit"):
        raise PermissionDenied(_("Only managers set a team's rotation and retention."))
    team = get_object_or_404(Team, pk=pk)
    raw_days = request.POST.get("rotation_days", "").strip()
    try:
        days = int(raw_days) if raw_days else None
        quota = int(request.POST.get("retain_quota", "").strip())
    except ValueError:
        messages.error(request, _("Give whole numbers of days and cases."))
        return redirect("cases:allocation_rules")
    try:
        team_rotation_set(team=team, rotation_days=days, retain_quota=quota, actor=request.user)
    except CaseError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("cases:allocation_rules")
