"""The plan pages and actions. Thin: parse, call a selector or service, render or redirect.

The plans of a case show on the case page (cases:detail) as a panel; the actions here post
back to it. A case or plan outside the user's scope is a 404; an action the user's role or
authority does not allow is a 403 with the reason.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from arrears.core.dates import local_today
from arrears.core.money import format_yuan
from arrears.core.roles import Role
from arrears.plans import selectors, services
from arrears.plans.errors import PlanConflict, PlanForbidden, PlanInvalid, PlanNotFound
from arrears.plans.forms import AcceptForm, AuthorityForm, NoteForm, ProposeForm
from arrears.plans.models import Plan


def case_url(case_id: int, anchor: str = "plans") -> str:
    """The case page (built by the cases app), at the plans panel."""
    try:
        url = reverse("cases:detail", args=[case_id])
    except NoReverseMatch:
        url = f"/cases/{case_id}/"  # the contract's path, until the cases app routes it
    return f"{url}#{anchor}" if anchor else url


def _back(request: HttpRequest, plan: Plan) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        return redirect(nxt)
    return redirect(case_url(plan.case_id, f"plan-{plan.pk}"))


def _authority_text(auth) -> dict:
    if auth is None:
        return {"discount": None, "months": None, "none": True}
    return {
        "discount": services.percent_text(auth.max_discount_bp)
        if auth.max_discount_bp is not None
        else None,
        "months": auth.max_term_months,
        "none": False,
    }


def _decorate(user, plans: list[Plan]) -> list[Plan]:
    for plan in plans:
        plan.can_decide = selectors.may_decide(user, plan)
        plan.can_escalate = selectors.may_escalate(user, plan)
        plan.can_accept = selectors.may_accept(user, plan)
        plan.can_cancel = selectors.may_cancel(user, plan)
        plan.awaiting_label = Role(plan.awaiting_role).label if plan.awaiting_role else ""
        plan.waived_fen = plan.waiver_payment.amount_fen if plan.waiver_payment_id else 0
    return plans


def _new_form(case, due=None) -> ProposeForm:
    """The propose form, filled with the full amount due (one tap on "full amount" restores
    it after an edit)."""
    full = selectors.plan_amount_fen(case.loan, due)
    return ProposeForm(
        initial={"first_due_on": local_today().isoformat(), "agreed_total": format_yuan(full)},
        full_amount_fen=full,
    )


def case_panel_context(request: HttpRequest, case) -> dict:
    """The plans panel of the case page: the full amount due first, then the plans."""
    user = request.user
    can_propose = user.can("plan.propose") and not user.is_read_only and case.status == "open"
    # The case page replays the loan once; its position is on the case (cases.views).
    due = selectors.amount_due(case.loan, position=getattr(case, "loan_position", None))
    return {
        "case": case,
        "due": due,
        "plans": _decorate(user, selectors.case_plans(user, case)),
        "can_propose": can_propose,
        "form": _new_form(case, due) if can_propose else None,
        "authority": _authority_text(selectors.authority_for(user.role)),
        "today": local_today(),
    }


def _case_or_404(user, case_pk: int):
    case = selectors.case_for(user, case_pk)
    if case is None:
        raise Http404(_("No such case."))
    return case


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def propose(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The proposal form on its own page (where a refused proposal shows its errors)."""
    user = request.user
    if user.is_read_only or not user.can("plan.propose"):
        raise PermissionDenied(_("Your role may not propose repayment plans."))
    case = _case_or_404(user, case_pk)
    status = 200
    if request.method == "POST":
        form = ProposeForm(request.POST)
        if form.is_valid():
            try:
                plan = services.plan_propose(case=case, actor=user, **form.service_kwargs())
            except PlanInvalid as exc:
                form.add_plan_error(exc)
            except PlanNotFound as exc:
                raise Http404(_("No such case.")) from exc
            except PlanForbidden as exc:
                raise PermissionDenied(exc.message) from exc
            else:
                if plan.status == Plan.Status.APPROVED:
                    messages.success(
                        request,
                        _("Plan %(id)s is approved: it is within your authority.")
                        % {"id": plan.pk},
                    )
                else:
                    messages.info(
                        request,
                        _("Plan %(id)s is waiting for approval by a %(role)s.")
                        % {"id": plan.pk, "role": Role(plan.awaiting_role).label},
                    )
                return redirect(case_url(case.pk, f"plan-{plan.pk}"))
        status = 400
    else:
        form = _new_form(case)
    return render(
        request,
        "plans/propose.html",
        {
            "case": case,
            "due": selectors.amount_due(case.loan),
            "form": form,
            "case_url": case_url(case.pk),
            "authority": _authority_text(selectors.authority_for(user.role)),
        },
        status=status,
    )


def _plan_or_404(user, pk: int) -> Plan:
    plan = selectors.plan_get(user, pk)
    if plan is None:
        raise Http404(_("No such plan."))
    return plan


def _act(request: HttpRequest, plan: Plan, call, done: str) -> HttpResponse:
    try:
        call()
    except PlanNotFound as exc:
        raise Http404(_("No such plan.")) from exc
    except PlanForbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except (PlanInvalid, PlanConflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return _back(request, plan)


@require_POST
@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if user.is_read_only or not user.can("plan.approve"):
        raise PermissionDenied(_("Your role may not decide on repayment plans."))
    plan = _plan_or_404(user, pk)
    approve = request.POST.get("approve") == "1"
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    done = (_("Plan %(id)s approved.") if approve else _("Plan %(id)s rejected.")) % {"id": pk}
    return _act(
        request,
        plan,
        lambda: services.plan_decide(plan, actor=user, approve=approve, note=note),
        done,
    )


@require_POST
@login_required
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if user.is_read_only or not user.can("plan.approve"):
        raise PermissionDenied(_("Your role may not escalate repayment plans."))
    plan = _plan_or_404(user, pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(
        request,
        plan,
        lambda: services.plan_escalate(plan, actor=user, note=note),
        _("Plan %(id)s passed up for approval.") % {"id": pk},
    )


@require_POST
@login_required
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if user.is_read_only or not user.can("plan.propose"):
        raise PermissionDenied(_("Your role may not record plan acceptance."))
    plan = _plan_or_404(user, pk)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, f"{_('Borrower accepted on')}: {errors[0]}")
        return _back(request, plan)
    return _act(
        request,
        plan,
        lambda: services.plan_accept(
            plan,
            actor=user,
            accepted_on=form.cleaned_data["accepted_on"],
            note=form.cleaned_data.get("note") or "",
        ),
        _("Plan %(id)s accepted by the borrower: it is now running.") % {"id": pk},
    )


@require_POST
@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if user.is_read_only:
        raise PermissionDenied(_("Your role may not change plans."))
    plan = _plan_or_404(user, pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(
        request,
        plan,
        lambda: services.plan_cancel(plan, actor=user, note=note),
        _("Plan %(id)s cancelled.") % {"id": pk},
    )


@require_safe
@login_required
def awaiting(request: HttpRequest) -> HttpResponse:
    """Plans waiting for a decision this user may take."""
    user = request.user
    if not user.can("plan.approve"):
        raise PermissionDenied(_("Your role does not approve repayment plans."))
    plans = _decorate(user, list(selectors.plans_awaiting(user)))
    today = local_today()
    for plan in plans:
        plan.url = case_url(plan.case_id, f"plan-{plan.pk}")
        # How long it has waited: an approver takes the oldest first.
        plan.age_days = max((today - plan.proposed_on).days, 0)
    return render(
        request,
        "plans/awaiting.html",
        {
            "plans": plans,
            "authority": _authority_text(selectors.authority_for(user.role)),
            "here": request.path,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def authority(request: HttpRequest) -> HttpResponse:
    """The authority table: read by approvers, edited by administrators."""
    user = request.user
    if not (user.can("plan.approve") or user.can("plan.authority")):
        raise PermissionDenied(_("Your role does not approve repayment plans."))
    editable = user.can("plan.authority") and not user.is_read_only
    status = 200
    bad_role, bad_form = None, None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("Only an administrator changes plan authority."))
        role = request.POST.get("role", "")
        form = AuthorityForm(request.POST)
        if form.is_valid():
            try:
                services.authority_set(
                    role=role,
                    max_discount_bp=form.cleaned_data["max_discount"],
                    max_term_months=form.cleaned_data["max_term_months"],
                    actor=user,
                )
            except PlanInvalid as exc:
                form.add_plan_error(exc)
            else:
                messages.success(request, _("Authority saved."))
                return redirect("plans:authority")
        bad_role, bad_form, status = role, form, 400
    table = {a.role: a for a in selectors.authorities()}
    rows = []
    for role, label in Role.choices:
        if role in (Role.AUDITOR, Role.CREDIT_CHECK):
            continue
        auth = table.get(role)
        if role == bad_role:
            form = bad_form
        else:
            form = AuthorityForm(
                initial={
                    # No row is no authority: shown as 0 (blank would mean unlimited).
                    "max_discount": "0"
                    if auth is None
                    else services.percent_text(auth.max_discount_bp).rstrip("%")
                    if auth.max_discount_bp is not None
                    else "",
                    "max_term_months": 0 if auth is None else auth.max_term_months,
                },
                auto_id=f"id_{role}_%s",
            )
        rows.append({"role": role, "label": label, "auth": auth, "form": form})
    return render(
        request,
        "plans/authority.html",
        {"rows": rows, "editable": editable},
        status=status,
    )
