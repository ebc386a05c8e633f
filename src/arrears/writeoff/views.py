"""The write-off pages. Thin: parse, call a selector or service, render or redirect.

Every page needs `writeoff.read` (administrators, managers, auditors); the actions need
their own capability and are refused with the reason. A proposal outside the user's scope
is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from arrears.core.roles import Role
from arrears.web.selectors import region_choices
from arrears.writeoff import selectors, services
from arrears.writeoff.errors import WriteOffError
from arrears.writeoff.forms import AuthorityForm, DecideForm, FilterForm, ProposeForm
from arrears.writeoff.models import WriteOffProposal

PAGE_SIZE = 50
PREVIEW_MAX = 200


def _reader(request: HttpRequest):
    user = request.user
    if not user.can("writeoff.read"):
        raise PermissionDenied(_("Your role may not see write-offs."))
    return user


def _proposal(request: HttpRequest, pk: int) -> WriteOffProposal:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    if proposal is None:
        raise Http404
    return proposal


@login_required
@require_safe
def proposals(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    status = request.GET.get("status", "")
    if status not in WriteOffProposal.Status.values:
        status = ""
    page = Paginator(selectors.proposal_list(user=user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "writeoff/proposals.html",
        {
            "page": page,
            "status": status,
            "statuses": WriteOffProposal.Status.choices,
            "can_propose": user.can("writeoff.propose") and not user.is_read_only,
            "authority": selectors.authority_for(user.role),
        },
    )


def _preview(user, form: FilterForm) -> dict:
    """The loans a filter finds, with their amounts as of today (the first PREVIEW_MAX)."""
    if not form.is_valid():
        return {}
    qs = selectors.candidates(
        user=user, reason=form.cleaned_data["reason_code"], county=form.cleaned_data["county"]
    )
    count = qs.count()
    loans = list(qs[:PREVIEW_MAX])
    from arrears.core.dates import local_today

    amounts = selectors.amounts_as_of([x.pk for x in loans], local_today())
    rows = [(loan, amounts[loan.pk]) for loan in loans]
    return {
        "preview": rows,
        "preview_count": count,
        "preview_total": sum(a.total for _, a in rows),
        "preview_cut": count > PREVIEW_MAX,
        "too_many": count > selectors.MAX_ITEMS,
        "max_items": selectors.MAX_ITEMS,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    if user.is_read_only or not user.can("writeoff.propose"):
        raise PermissionDenied(_("Your role may not propose write-offs."))
    counties, _towns = region_choices(user=user)
    context: dict = {"counties": counties}
    if request.method == "POST":
        form = ProposeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["mode"] == "filter":
                    proposal = services.writeoff_propose_by_filter(
                        actor=user,
                        reason_code=data["reason_code"],
                        reason=data["reason"],
                        county=data["county"],
                    )
                else:
                    proposal = services.writeoff_propose(
                        actor=user,
                        loan_ids=data["loan_ids"],
                        reason_code=data["reason_code"],
                        reason=data["reason"],
                    )
            except WriteOffError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    _("Proposal %(number)s sent for approval.") % {"number": proposal.number},
                )
                return redirect("writeoff:detail", pk=proposal.pk)
        mode = request.POST.get("mode", "hand")
        filter_form = FilterForm(
            {
                "reason_code": request.POST.get("reason_code", ""),
                "county": request.POST.get("county", ""),
            }
        )
        if mode == "filter":
            context.update(_preview(user, filter_form))
    else:
        mode = "filter" if "reason_code" in request.GET else "hand"
        filter_form = FilterForm(request.GET if mode == "filter" else None)
        if mode == "filter":
            context.update(_preview(user, filter_form))
        form = ProposeForm(
            initial={
                "mode": mode,
                "reason_code": request.GET.get("reason_code", ""),
                "county": request.GET.get("county", ""),
            }
        )
    context.update({"form": form, "filter_form": filter_form, "mode": mode})
    return render(request, "writeoff/propose.html", context)


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    proposal = _proposal(request, pk)
    items = list(selectors.proposal_items(proposal))
    pending = proposal.status == WriteOffProposal.Status.PENDING
    written = {w.loan_id: w for w in proposal.written_off.all()}
    for item in items:
        item.written = written.get(item.loan_id)
    return render(
        request,
        "writeoff/detail.html",
        {
            "proposal": proposal,
            "items": items,
            "written_off": bool(written),
            "can_decide": pending
            and user.can("writeoff.approve")
            and not user.is_read_only
            and proposal.proposed_by_id != user.pk,
            "own": pending and proposal.proposed_by_id == user.pk,
            "can_cancel": pending
            and not user.is_read_only
            and user.can("writeoff.propose")
            and (proposal.proposed_by_id == user.pk or user.role == Role.ADMIN),
            "authority": selectors.authority_for(user.role),
            "decide_form": DecideForm(),
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    proposal = _proposal(request, pk)
    form = DecideForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    approve = request.POST.get("approve") == "1"
    try:
        services.writeoff_decide(proposal, actor=user, approve=approve, note=note)
    except WriteOffError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            (
                _("Proposal %(number)s approved: the loans are written off.")
                if approve
                else _("Proposal %(number)s rejected.")
            )
            % {"number": proposal.number},
        )
    return redirect("writeoff:detail", pk=proposal.pk)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    proposal = _proposal(request, pk)
    try:
        services.writeoff_cancel(proposal, actor=user, note=request.POST.get("note", "")[:2000])
    except WriteOffError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Proposal %(number)s cancelled.") % {"number": proposal.number})
    return redirect("writeoff:detail", pk=proposal.pk)


@login_required
@require_safe
def ledger(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    q = request.GET.get("q", "").strip()[:100]
    county = request.GET.get("county", "").strip()[:50]
    qs = selectors.ledger(user=user, q=q, county=county)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    balances = selectors.ledger_balances(page.object_list)
    rows = [(w, balances.get(w.loan_id)) for w in page.object_list]
    counties, _towns = region_choices(user=user)
    totals = selectors.written_off_totals(user, None, None)
    return render(
        request,
        "writeoff/ledger.html",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "county": county,
            "counties": counties,
            "totals": totals[0] if totals else None,
            "recent": selectors.recoveries(user=user)[:20],
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def authority(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    editable = user.can("writeoff.authority") and not user.is_read_only
    current = {a.role: a for a in selectors.authority_table()}
    posted_role = request.POST.get("role") if request.method == "POST" else None
    if posted_role is not None:
        if not editable:
            raise PermissionDenied(_("Only an administrator changes write-off authority."))
        form = AuthorityForm(request.POST)
        if form.is_valid():
            try:
                services.writeoff_authority_set(
                    role=posted_role, max_total_fen=form.cleaned_data["max_total"], actor=user
                )
            except WriteOffError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Authority saved."))
                return redirect(reverse("writeoff:authority") + f"#authority-{posted_role}")
    rows = []
    from arrears.core.money import format_yuan

    for role in (Role.ADMIN, Role.MANAGER):
        auth = current.get(role)
        if posted_role == role:
            row_form = form
        else:
            value = (
                ""
                if auth is None or auth.max_total_fen is None
                else format_yuan(auth.max_total_fen).replace(",", "")
            )
            row_form = AuthorityForm(initial={"max_total": value})
        rows.append({"role": role, "label": Role(role).label, "auth": auth, "form": row_form})
    return render(request, "writeoff/authority.html", {"rows": rows, "editable": editable})


def case_panel_context(request: HttpRequest, case) -> dict | None:
    """The write-off panel of the case page: shown only for a written-off loan (账销案存)."""
    written = selectors.loan_write_off(case.loan)
    if written is None:
        return None
    recoveries = list(selectors.loan_recoveries(case.loan))
    return {
        "written": written,
        "recoveries": recoveries,
        "recovered_fen": sum(p.amount_fen for p in recoveries),
        "can_read": request.user.can("writeoff.read"),
    }
