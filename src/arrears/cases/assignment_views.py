"""Pages of assignment (分案): the case page's assignment panel and its posts, assigning a
selection or a whole filter from the case list, and a team's load.

Thin: parse, call cases.assignment, redirect with a message. A role without `case.assign` is
a 403 before anything is looked up; a case outside the user's scope a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from arrears.cases import assignment, selectors
from arrears.cases import assignment_selectors as sel
from arrears.cases.assignment_forms import AssignForm, AssistForm
from arrears.cases.errors import CaseError, CaseForbidden
from arrears.cases.forms import CaseFilterForm
from arrears.cases.models import Case

ANCHOR = "assignment"
# The case list's filters travel with the assign bar as hidden `f-<name>` fields, whatever
# fields the list's filter form has, so "every case matching this filter" is exactly the list.
PREFIX = "f-"


def _can(user, capability: str) -> bool:
    return user.is_authenticated and not user.is_read_only and user.can(capability)


def _require(user, capability: str, message: str) -> None:
    if not _can(user, capability):
        raise PermissionDenied(message)


def _back(case_id: int) -> HttpResponse:
    return redirect(f"{reverse('cases:detail', args=[case_id])}#{ANCHOR}")


def _refused(request, exc: CaseError) -> None:
    if isinstance(exc, CaseForbidden):
        raise PermissionDenied(exc.message)
    messages.error(request, exc.message)


def _form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def panel_context(request: HttpRequest, case: Case) -> dict:
    """The assignment section of the case page: who works it, assists, the moves, the forms."""
    user = request.user
    can_assign = sel.can_assign_case(user, case)
    can_ask = _can(user, "case.work") and case.status == Case.Status.OPEN
    assists = list(sel.case_assists(case))
    for a in assists:
        a.can_decide = a.status == "requested" and sel.can_assign_case(user, case)
        a.can_end = a.status in ("requested", "active") and (
            sel.can_assign_case(user, case) or a.requested_by_id == user.pk
        )
    return {
        "case": case,
        "history": list(sel.case_assignments(case)[:20]),
        "assists": assists,
        "assign_form": AssignForm(actor=user) if can_assign else None,
        "undo": sel.undoable(user, case),
        "assist_form": AssistForm(actor=user, case=case) if can_ask else None,
        "is_closed": case.status != Case.Status.OPEN,
    }


@require_POST
@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "case.assign", _("Your role may not assign cases."))
    case = selectors.case_for_user(request.user, pk)
    form = AssignForm(request.POST, actor=request.user)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(case.pk)
    try:
        row = assignment.case_assign(
            case=case,
            actor=request.user,
            target=form.target(),
            reason=form.cleaned_data["reason"],
            source="web",
        )
    except CaseError as exc:
        _refused(request, exc)
    else:
        if row is None:
            messages.info(request, _("Nothing changed: the case is already assigned so."))
        else:
            messages.success(request, _("The case is assigned."))
    return _back(case.pk)


@require_POST
@login_required
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "case.assign", _("Your role may not assign cases."))
    row = sel.assignment_for_user(request.user, pk)
    try:
        assignment.assignment_undo(
            assignment=row,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            source="web",
        )
    except CaseError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request, _("The move is undone: the case is back with its previous holder.")
        )
    next_url = request.POST.get("next", "")
    if next_url.startswith("/cases/") and "//" not in next_url:
        return redirect(next_url)
    return _back(row.case_id)


@require_POST
@login_required
def assist_request(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "case.work", _("Your role may not ask for an assist."))
    case = selectors.case_for_user(request.user, pk)
    form = AssistForm(request.POST, actor=request.user, case=case)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(case.pk)
    try:
        assist = assignment.assist_request(
            case=case,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            until=form.cleaned_data["until"],
            source="web",
            **form.helper_kwargs(),
        )
    except CaseError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("The assist is granted.")
            if assist.status == "active"
            else _("The assist is requested; the team lead decides."),
        )
    return _back(case.pk)


@require_POST
@login_required
def assist_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "case.assign", _("Your role may not decide assists."))
    row = sel.assist_for_user(request.user, pk)
    try:
        assignment.assist_decide(
            assist=row, actor=request.user, approve=request.POST.get("approve") == "1", source="web"
        )
    except CaseError as exc:
        _refused(request, exc)
    return _back(row.case_id)


@require_POST
@login_required
def assist_end(request: HttpRequest, pk: int) -> HttpResponse:
    row = sel.assist_for_user(request.user, pk)
    try:
        assignment.assist_end(assist=row, actor=request.user, source="web")
    except CaseError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The assist has ended."))
    return _back(row.case_id)


def filter_form(user, data) -> CaseFilterForm:
    """The case list's own filter form (so "everything matching" means what the list shows)."""
    return CaseFilterForm(
        data,
        buckets=selectors.bucket_choices(user),
        collectors=selectors.collector_choices(user),
        types=selectors.debtor_types(include_retired=True),
        language=get_language(),
    )


def bulk_context(request: HttpRequest, count: int) -> dict:
    """What the case list's assign bar needs (None-safe for users who may not assign)."""
    user = request.user
    if not _can(user, "case.assign"):
        return {"assign_bar": None}
    keys = list(CaseFilterForm.base_fields)
    return {
        "assign_bar": {
            "form": AssignForm(actor=user),
            "count": count,
            "filters": [(PREFIX + k, v) for k in keys for v in request.GET.getlist(k) if v],
        }
    }


@require_POST
@login_required
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the ticked cases, or every case matching the list's filter, in one move."""
    user = request.user
    _require(user, "case.assign", _("Your role may not assign cases."))
    filters = QueryDict(mutable=True)
    for key in request.POST:
        if key.startswith(PREFIX):
            filters.setlist(key[len(PREFIX) :], [v for v in request.POST.getlist(key) if v])
    back = reverse("cases:list") + (f"?{filters.urlencode()}" if filters else "")
    form = AssignForm(request.POST, actor=user)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    scope = request.POST.get("scope", "selected")
    try:
        target = form.target()
        if scope == "filter":
            kwargs = filter_form(user, filters).selector_kwargs()
            result = assignment.cases_assign_bulk(
                actor=user,
                target=target,
                reason=form.cleaned_data["reason"],
                queryset=selectors.case_list(user=user, **kwargs).order_by(),
                source="web",
            )
        else:
            ids = [int(v) for v in request.POST.getlist("case") if v.isdigit()]
            if not ids:
                messages.error(
                    request,
                    _("Tick the cases to assign, or choose every case matching the filter."),
                )
                return redirect(back)
            result = assignment.cases_assign_bulk(
                actor=user,
                target=target,
                reason=form.cleaned_data["reason"],
                case_ids=ids,
                source="web",
            )
    except CaseError as exc:
        _refused(request, exc)
        return redirect(back)
    messages.success(
        request,
        _("%(moved)d cases assigned; %(same)d were already assigned so.")
        % {"moved": result.moved, "same": result.unchanged},
    )
    return redirect(back)


@require_safe
@login_required
def team_load(request: HttpRequest) -> HttpResponse:
    """A team's load: open cases and the amount due per person against their capacity."""
    user = request.user
    teams = list(sel.load_teams(user))
    if not teams:
        raise PermissionDenied(_("Only team leads and managers read a team's load."))
    chosen = request.GET.get("team", "")
    team = next((t for t in teams if str(t.pk) == chosen), teams[0])
    load = sel.team_load(user, team)
    return render(
        request,
        "cases/team_load.html",
        {"load": load, "teams": teams if len(teams) > 1 else [], "team": team},
    )
