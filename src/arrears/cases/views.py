"""The case list, the case page, its actions, and the playbook editor.

Thin: parse, call a selector or service, render or redirect. A case (or a complaint or death
report of one) outside the user's scope is a 404; an action the role may not take is a 403,
checked before anything is looked up. A refused form re-renders the case page with the errors
on the fields (status 400).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from arrears.cases import assignment_views, selectors, services
from arrears.cases.errors import CaseConflict, CaseError, CaseForbidden
from arrears.cases.forms import (
    AdviceForm,
    CaseFilterForm,
    ComplaintAssignForm,
    ComplaintForm,
    ComplaintResolveForm,
    DeathChecklistForm,
    DeathDecideForm,
    DeathReportForm,
    DebtorTypeChoiceForm,
    DebtorTypeForm,
    EscalateForm,
    EstateForm,
    WhereaboutsForm,
)
from arrears.cases.holds import case_holds, debtor_statuses
from arrears.cases.models import CollectionAdvice, DebtorType
from arrears.cases.panels import case_panels
from arrears.core.dates import local_today
from arrears.core.money import fen_to_yuan
from arrears.core.scoping import may_reveal

PAGE_SIZE = 50

HOLD_LABELS = {
    "dispute": gettext_lazy("Dispute: collection contact paused except about the complaint"),
    "death_verification": gettext_lazy("Reported death being verified: collection contact held"),
    "cease_contact": gettext_lazy("The debtor asked us to stop contacting them"),
    "bankruptcy": gettext_lazy("Bankruptcy proceedings"),
    "breathing_space": gettext_lazy("Breathing-space moratorium"),
    "suspended": gettext_lazy("Collection suspended (停催)"),
}


def _hold_label(case, hold: str) -> str:
    """The hold in words; a suspension (停催) with its reason and the day contact resumes."""
    if hold == "suspended":
        from arrears.cases.suspension import suspension_in_force

        found = suspension_in_force(case)
        if found is not None:
            return _(
                "Collection suspended (停催): %(reason)s, until %(until)s; no calls, messages, "
                "letters or visits until %(resumes)s (rule ALL.HOLD_SUSPENSION)."
            ) % {
                "reason": found.get_reason_display(),
                "until": found.ends_on.isoformat(),
                "resumes": (found.ends_on + dt.timedelta(days=1)).isoformat(),
            }
    return str(HOLD_LABELS.get(hold, hold))


# The short mark of each hold on the case list (the case page says it in full).
HOLD_BADGES = {
    "dispute": gettext_lazy("Complaint"),
    "death_verification": gettext_lazy("Reported death"),
    "cease_contact": gettext_lazy("Stop contact"),
    "bankruptcy": gettext_lazy("Bankruptcy"),
    "breathing_space": gettext_lazy("Suspended"),
    "suspended": gettext_lazy("Suspended (停催)"),
}
STATUS_LABELS = {
    "deceased": gettext_lazy("Deceased"),
    "unreachable": gettext_lazy("Unreachable"),
    "incapacitated": gettext_lazy("Incapacitated"),
}
# Quick actions of the sticky header: (panel key or own section, anchor, label).
QUICK_ACTIONS = (
    ("activities", "panel-activities", gettext_lazy("Log outcome")),
    ("promises", "panel-promises", gettext_lazy("Promise")),
    ("activities", "act-note", gettext_lazy("Note")),
    ("plans", "panel-plans", gettext_lazy("Plan")),
    (None, "profile", gettext_lazy("Profile")),
    (None, "situations", gettext_lazy("Complaint")),
)


def _can(user, capability: str) -> bool:
    return user.is_authenticated and not user.is_read_only and user.can(capability)


def _require(user, capability: str, message: str) -> None:
    if not _can(user, capability):
        raise PermissionDenied(message)


def case_url(case_id: int, anchor: str = "") -> str:
    url = reverse("cases:detail", args=[case_id])
    return f"{url}#{anchor}" if anchor else url


# --- the list ------------------------------------------------------------------------------


@require_safe
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    from arrears.activities.models import Outcome
    from arrears.cases.holds import hold_expressions
    from arrears.web.selectors import region_choices

    user = request.user
    counties, towns = region_choices(user=user, county=request.GET.get("county", ""))
    holds = [(h, HOLD_BADGES.get(h, h)) for h in hold_expressions()]
    form = CaseFilterForm(
        request.GET or None,
        buckets=selectors.bucket_choices(user),
        collectors=selectors.collector_choices(user),
        types=selectors.debtor_types(include_retired=True),
        language=get_language(),
        holds=holds,
        counties=counties,
        towns=towns,
    )
    cases = selectors.case_list(user=user, **form.selector_kwargs())
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    language = get_language()
    outcomes = dict(Outcome.choices)
    start, end = selectors.local_day_bounds(local_today())
    for case in page.object_list:
        case.type_name = case.debtor_type.name_for(language) if case.debtor_type_id else ""
        case.hold_badges = [label for h, label in holds if getattr(case, f"hold_{h}", False)]
        case.last_outcome_label = outcomes.get(case.last_outcome, case.last_outcome or "")
        case.next_action_state = (
            ""
            if case.next_action_at is None
            else "missed"
            if case.next_action_at < start
            else "today"
            if case.next_action_at < end
            else ""
        )
    context = {"form": form, "page": page, "today": local_today()}
    context.update(assignment_views.bulk_context(request, page.paginator.count))
    return render(request, "cases/case_list.html", context)


# --- the case page -------------------------------------------------------------------------


def _page_context(request: HttpRequest, case, bound: dict | None = None) -> dict:
    """Everything the case page shows; `bound` holds forms to show with their errors."""
    from arrears.web import selectors as web

    user = request.user
    language = get_language()
    bound = bound or {}
    loan_page = web.loan_page(user=user, external_id=case.loan.external_id)
    if loan_page is None:  # the case is in scope, so its loan is: only a race gets here
        raise Http404(_("No such case."))
    # The loan replayed once for the whole page: panels (plans' payoff) read this position.
    case.loan_position = loan_page.position
    deadline, time_barred = selectors.limitation(case)
    profile = selectors.case_profile(case, language)
    can_work = _can(user, "case.work") and case.status == "open"
    initial_type = (
        profile.suggested_type.code
        if profile.suggestion_preselects
        else (case.debtor_type.code if case.debtor_type_id else "")
    )
    reports = list(selectors.borrower_death_reports(case))
    open_report = next(
        (r for r in reports if r.outcome == "unverified" and r.case_id == case.pk), None
    )
    complaints = list(selectors.case_complaints(case))
    can_resolve = _can(user, "complaint.resolve")
    for c in complaints:
        c.assign_form = ComplaintAssignForm(prefix=f"c{c.pk}") if can_resolve else None
        c.resolve_form = ComplaintResolveForm(prefix=f"c{c.pk}") if can_resolve else None
        if bound.get("complaint_id") == c.pk:
            if "assign" in bound:
                c.assign_form = bound["assign"]
            if "resolve" in bound:
                c.resolve_form = bound["resolve"]
    panels = []
    for panel in case_panels():
        context = panel.context(request, case)
        if context is not None:
            panels.append({"key": panel.key, "template": panel.template, "context": context})
    keys = {p["key"] for p in panels}
    if case.status != "open":
        # A closed case keeps its history; of the actions only late entries (activities'
        # grace days) still apply, so only those stay in the header.
        keys = {p["key"] for p in panels if p["key"] == "activities" and p["context"].get("form")}
        quick = [
            {"anchor": anchor, "label": label}
            for key, anchor, label in QUICK_ACTIONS
            if key is not None and key in keys
        ]
    else:
        quick = [
            {"anchor": anchor, "label": label}
            for key, anchor, label in QUICK_ACTIONS
            if key is None or key in keys
        ]
    holds = sorted(case_holds(case))
    statuses = sorted(debtor_statuses(case))
    return {
        "case": case,
        "loan": case.loan,
        "borrower": case.borrower,
        "p": loan_page.position,
        "payoff": loan_page.payoff,
        "state": loan_page.state,
        "schedule": loan_page.schedule,
        "payments": loan_page.payments,
        "charges": loan_page.charges,
        "guarantors": loan_page.guarantors,
        "person": web.borrower_person(user, case.borrower),
        "contacts": _contacts_once(user, case, web.contact_people(user, case.borrower)),
        # A closed case is nobody's to call: revealing numbers belongs to open work.
        "can_reveal_phone": may_reveal(user, "phone") and case.status == "open",
        "revealed": set(),
        "limitation_deadline": deadline,
        "time_barred": time_barred,
        "limitation_note": selectors.limitation_note(case),
        "bucket_history": list(case.bucket_history.order_by("-as_of")),
        "holds": [(h, _hold_label(case, h)) for h in holds],
        "statuses": [(s, STATUS_LABELS.get(s, s)) for s in statuses],
        "profile": profile,
        "type_form": bound.get("type")
        or (
            DebtorTypeChoiceForm(
                current=case.debtor_type,
                language=language,
                initial={"debtor_type": initial_type},
            )
            if can_work
            else None
        ),
        "can_work": can_work,
        "can_mark_willful": can_work and case.escalation not in ("willful", "legal_track"),
        "can_legal_track": _can(user, "case.legal_track")
        and case.status == "open"
        and case.escalation != "legal_track",
        "complaints": complaints,
        "other_open_complaints": (
            case.borrower.complaints.filter(status__in=("open", "investigating"))
            .exclude(case=case)
            .count()
        ),
        "complaint_form": bound.get("complaint") or (ComplaintForm() if can_work else None),
        "death_reports": reports,
        "open_report": open_report,
        "death_form": bound.get("death")
        or (DeathReportForm() if can_work and open_report is None else None),
        "checklist_form": bound.get("checklist")
        or (DeathChecklistForm(report=open_report) if can_work and open_report else None),
        "decide_form": bound.get("decide")
        or (DeathDecideForm() if open_report is not None and _can(user, "death.decide") else None),
        "estate_form": bound.get("estate")
        or (
            EstateForm(
                initial={
                    "party_repays": {True: "yes", False: "no"}.get(case.estate_party_repays, ""),
                    "party_name": case.estate_party_name,
                    "party_relation": case.estate_party_relation,
                    "agreed_amount": ""
                    if case.estate_agreed_fen is None
                    else str(fen_to_yuan(case.estate_agreed_fen)),
                }
            )
            if case.estate_handling and _can(user, "case.work") and case.status == "open"
            else None
        ),
        "whereabouts": list(selectors.borrower_whereabouts(case)),
        "whereabouts_form": bound.get("whereabouts") or (WhereaboutsForm() if can_work else None),
        "panels": panels,
        "quick_actions": quick,
        "today": local_today(),
        # A reopened loan: the case before this one, and the one that followed it.
        "previous_case": case.previous_case_id,
        "next_case": type(case)
        .objects.filter(previous_case=case)
        .values_list("pk", flat=True)
        .first(),
    }


def _contacts_once(user, case, contacts: list[dict]) -> list[dict]:
    """The borrower's contacts without the ones that are the loan's guarantors: a guarantor
    entered both as a contact (relation 担保人) and as a guarantor is listed once, with the
    guarantors."""
    from arrears.book.models import Guarantor, Relation

    # Numbers are encrypted at rest: compared here, on the few rows of one borrower.
    guarantors = list(Guarantor.objects.filter(loan_id=case.loan_id).only("name", "phone"))
    if not guarantors:
        return contacts
    names = {g.name for g in guarantors}
    phones = {g.phone for g in guarantors if g.phone}
    doubles = {
        c.pk
        for c in case.borrower.contacts.filter(relation=Relation.GUARANTOR)
        if c.name in names or (c.phone and c.phone in phones)
    }
    return [c for c in contacts if c["id"] not in doubles]


def _render_case(
    request: HttpRequest,
    case,
    bound: dict | None = None,
    status: int = 200,
    revealed: dict | None = None,
):
    context = _page_context(request, case, bound)
    for row in (*context["contacts"], *context["guarantors"]):
        row.setdefault("revealed", set())
    if revealed:
        from arrears.web.selectors import apply_reveal

        apply_reveal(context, **revealed)
    return render(request, "cases/case_detail.html", context, status=status)


@require_safe
@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, selectors.case_for_user(request.user, pk))


def _refused(request, exc: CaseError) -> None:
    if isinstance(exc, CaseForbidden):
        raise PermissionDenied(exc.message)
    messages.error(request, exc.message)


class _EvidenceRefused(Exception):
    """The evidence upload was refused (the form says why): roll the checklist back with it."""


def _post_case_form(request, case, form, *, key, anchor, act, conflict_redirects=False, extra=None):
    """One quick form of the case page posted: valid → `act(data)`, its message (if any) shown
    and back to the panel at `anchor`; a CaseForbidden is a 403, a CaseConflict (the record is
    no longer in that state) a message on the panel when `conflict_redirects`, any other
    refusal an error on the form; an invalid form is the page again with it, 400."""
    if form.is_valid():
        try:
            message = act(form.cleaned_data)
        except _EvidenceRefused:
            pass  # the form carries the error
        except CaseError as exc:
            if isinstance(exc, CaseForbidden):
                raise PermissionDenied(exc.message) from exc
            if conflict_redirects and isinstance(exc, CaseConflict):
                messages.error(request, exc.message)
                return redirect(case_url(case.pk, anchor))
            form.add_case_error(exc)
        else:
            if message:
                messages.success(request, message)
            return redirect(case_url(case.pk, anchor))
    return _render_case(request, case, {key: form, **(extra or {})}, status=400)


@require_POST
@login_required
def set_debtor_type(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "case.work", _("Your role may not set the debtor type."))
    case = selectors.case_for_user(request.user, pk)
    form = DebtorTypeChoiceForm(request.POST, current=case.debtor_type, language=get_language())

    def act(data):
        changed = services.case_set_debtor_type(
            case=case, debtor_type=form.chosen(), actor=request.user, source="web"
        )
        return _("Debtor type saved.") if changed else None

    return _post_case_form(request, case, form, key="type", anchor="profile", act=act)


@require_POST
@login_required
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "case.work", _("Your role may not escalate this case."))
    case = selectors.case_for_user(request.user, pk)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the case is escalated."))
        return redirect(case_url(case.pk, "situations"))
    try:
        services.case_escalate(
            case=case,
            reason=form.cleaned_data["reason"],
            on=local_today(),
            actor=request.user,
            source="web",
        )
    except CaseError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("The case is marked: %(reason)s.") % {"reason": case.get_escalation_display()},
        )
    return redirect(case_url(case.pk, "situations"))


@require_POST
@login_required
def complaint_open(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "case.work", _("Your role may not record complaints."))
    case = selectors.case_for_user(request.user, pk)
    form = ComplaintForm(request.POST)

    def act(data):
        services.complaint_open(
            case=case,
            category=data["category"],
            description=data["description"],
            owner=form.owner(),
            opened_on=data["opened_on"],
            actor=request.user,
            source="web",
        )
        return _("Complaint recorded. Collection contact is paused except about the complaint.")

    return _post_case_form(request, case, form, key="complaint", anchor="complaints", act=act)


def _complaint_action(request: HttpRequest, pk: int, form_class, key: str, act):
    _require(request.user, "complaint.resolve", _("Your role may not handle complaints."))
    complaint = selectors.complaint_for_user(request.user, pk)
    case = selectors.case_for_user(request.user, complaint.case_id)
    form = form_class(request.POST, prefix=f"c{complaint.pk}")
    return _post_case_form(
        request,
        case,
        form,
        key=key,
        anchor=f"complaint-{complaint.pk}",
        act=lambda data: act(complaint, form),
        conflict_redirects=True,
        extra={"complaint_id": complaint.pk},
    )


@require_POST
@login_required
def complaint_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def act(complaint, form):
        services.complaint_assign(
            complaint=complaint, owner=form.owner(), actor=request.user, source="web"
        )
        return _("Complaint assigned.")

    return _complaint_action(request, pk, ComplaintAssignForm, "assign", act)


@require_POST
@login_required
def complaint_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    def act(complaint, form):
        services.complaint_resolve(
            complaint=complaint,
            status=form.cleaned_data["status"],
            resolution=form.cleaned_data["resolution"],
            resolved_on=form.cleaned_data["resolved_on"],
            actor=request.user,
            source="web",
        )
        return _("Complaint closed.")

    return _complaint_action(request, pk, ComplaintResolveForm, "resolve", act)


@require_POST
@login_required
def death_report_open(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "case.work", _("Your role may not record a death report."))
    case = selectors.case_for_user(request.user, pk)
    form = DeathReportForm(request.POST)

    def act(data):
        services.death_report_open(
            case=case,
            reported_on=data["reported_on"],
            report_source=data["report_source"],
            source_detail=data["source_detail"],
            note=data["note"],
            actor=request.user,
            source="web",
        )
        return _("Death report recorded. Collection contact is held until it is verified.")

    return _post_case_form(request, case, form, key="death", anchor="death", act=act)


@require_POST
@login_required
def death_report_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "case.work", _("Your role may not update a death report."))
    report = selectors.death_report_for_user(request.user, pk)
    case = selectors.case_for_user(request.user, report.case_id)
    form = DeathChecklistForm(request.POST, request.FILES, report=report)

    def act(data):
        with transaction.atomic():
            services.death_report_check(
                report=report, checks=form.checks(), actor=request.user, source="web"
            )
            if data.get("evidence"):
                _file_evidence(request, case, report, data["evidence"], form)
        return _("Verification checklist saved.")

    return _post_case_form(
        request, case, form, key="checklist", anchor="death", act=act, conflict_redirects=True
    )


def _file_evidence(request, case, report, upload, form) -> None:
    from arrears.documents.services import document_file
    from arrears.documents.storage import DocumentRefused

    try:
        document = document_file(
            fileobj=upload,
            filename=upload.name,
            declared_type=upload.content_type,
            category_code=form.cleaned_data.get("evidence_category") or "death_certificate",
            actor=request.user,
            case=case,
            note=_("Evidence of death report %(id)s") % {"id": report.pk},
            source="web",
        )
    except DocumentRefused as exc:
        field = "evidence_category" if exc.field == "category" else "evidence"
        form.add_error(field, exc.message)
        raise _EvidenceRefused from exc
    services.death_report_add_evidence(
        report=report, documents=[document], actor=request.user, source="web"
    )


@require_POST
@login_required
def death_report_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "death.decide", _("Your role may not decide death reports."))
    report = selectors.death_report_for_user(request.user, pk)
    case = selectors.case_for_user(request.user, report.case_id)
    form = DeathDecideForm(request.POST)

    def act(data):
        services.death_report_decide(
            report=report,
            outcome=data["outcome"],
            decided_on=data["decided_on"],
            note=data["note"],
            actor=request.user,
            source="web",
        )
        if data["outcome"] == "confirmed":
            return _("Death confirmed: the case moves to estate handling.")
        return _("Report found false: the hold is lifted.")

    return _post_case_form(
        request, case, form, key="decide", anchor="death", act=act, conflict_redirects=True
    )


@require_POST
@login_required
def estate(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "case.work", _("Your role may not update estate handling."))
    case = selectors.case_for_user(request.user, pk)
    form = EstateForm(request.POST)

    def act(data):
        services.case_estate_update(
            case=case,
            party_repays=form.repays(),
            party_name=data["party_name"],
            party_relation=data["party_relation"],
            agreed_fen=data["agreed_amount"],
            actor=request.user,
            source="web",
        )
        return _("Estate handling saved.")

    return _post_case_form(
        request, case, form, key="estate", anchor="death", act=act, conflict_redirects=True
    )


@require_POST
@login_required
def whereabouts(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "case.work", _("Your role may not record whereabouts."))
    case = selectors.case_for_user(request.user, pk)
    form = WhereaboutsForm(request.POST)

    def act(data):
        services.whereabouts_record(
            case=case,
            status=data["status"],
            detail=data["detail"],
            recorded_on=data["recorded_on"],
            actor=request.user,
            source="web",
        )
        return _("Whereabouts recorded.")

    return _post_case_form(request, case, form, key="whereabouts", anchor="whereabouts", act=act)


@require_POST
@login_required
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one phone number of the case's borrower, contacts or guarantors in full, as a
    tap-to-call link on the case page itself (audited as `pii.reveal`; 403 for a role that
    may not, 404 outside scope). ID numbers are revealed on the borrower page."""
    from arrears.book.errors import BookError
    from arrears.book.pii import RevealRefused, pii_reveal
    from arrears.core.audit import request_ip

    case = selectors.case_for_user(request.user, pk)
    field = request.POST.get("field", "")
    if field not in ("phone", "phone2"):
        return HttpResponseBadRequest(_("Only phone numbers are revealed here."))
    contact_id = _id_or_none(request.POST.get("contact"))
    guarantor_id = _id_or_none(request.POST.get("guarantor"))
    try:
        value = pii_reveal(
            user=request.user,
            borrower_id=case.borrower.external_id,
            field=field,
            contact_id=contact_id,
            guarantor_id=guarantor_id,
            source="web",
            ip=request_ip(request),
        )
    except RevealRefused as exc:
        raise PermissionDenied(str(exc)) from exc
    except BookError as exc:
        return HttpResponseBadRequest(exc.message)
    return _render_case(
        request,
        case,
        revealed={
            "field": field,
            "value": value,
            "contact_id": contact_id,
            "guarantor_id": guarantor_id,
        },
    )


def _id_or_none(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


# --- the playbook editor (managers) --------------------------------------------------------


def _require_editor(request: HttpRequest) -> None:
    _require(request.user, "playbook.edit", _("Your role may not edit the playbooks."))


@require_safe
@login_required
def debtor_types(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    from django.db.models import Count

    types = DebtorType.objects.annotate(case_count=Count("cases"))
    return render(
        request,
        "cases/debtor_types.html",
        {
            "types": types,
            "advice": CollectionAdvice.objects.all(),
            "language": get_language(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def debtor_type_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_editor(request)
    instance = None
    if pk is not None:
        instance = DebtorType.objects.filter(pk=pk).first()
        if instance is None:
            raise Http404(_("No such debtor type."))
    status = 200
    if request.method == "POST":
        form = DebtorTypeForm(request.POST, instance=instance)
        if form.is_valid():
            try:
                if instance is None:
                    services.debtor_type_create(
                        code=form.cleaned_data["code"], actor=request.user, **form.values()
                    )
                else:
                    services.debtor_type_update(
                        debtor_type=instance, actor=request.user, **form.values()
                    )
            except CaseError as exc:
                form.add_case_error(exc)
            else:
                messages.success(request, _("Debtor type saved."))
                return redirect("cases:debtor_types")
        status = 400
    else:
        form = DebtorTypeForm(instance=instance)
    return render(
        request,
        "cases/debtor_type_form.html",
        {"form": form, "instance": instance},
        status=status,
    )


@require_POST
@login_required
def debtor_type_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Retire a type (active=0) or bring it back (active=1)."""
    _require_editor(request)
    instance = DebtorType.objects.filter(pk=pk).first()
    if instance is None:
        raise Http404(_("No such debtor type."))
    active = request.POST.get("active") == "1"
    services.debtor_type_set_active(debtor_type=instance, active=active, actor=request.user)
    messages.success(
        request,
        (_("%(name)s is active again.") if active else _("%(name)s is retired."))
        % {"name": instance.name_for(get_language())},
    )
    return redirect("cases:debtor_types")


@require_POST
@login_required
def debtor_type_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    instance = DebtorType.objects.filter(pk=pk).first()
    if instance is None:
        raise Http404(_("No such debtor type."))
    name = instance.name_for(get_language())
    try:
        services.debtor_type_delete(debtor_type=instance, actor=request.user)
    except CaseConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s deleted.") % {"name": name})
    return redirect("cases:debtor_types")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def advice_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_editor(request)
    instance = None
    if pk is not None:
        instance = CollectionAdvice.objects.filter(pk=pk).first()
        if instance is None:
            raise Http404(_("No such advice."))
    status = 200
    if request.method == "POST":
        form = AdviceForm(request.POST)
        if instance is not None:
            form.fields["code"].disabled = True
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.advice_save(
                    advice=instance,
                    code=data.get("code") or "",
                    zh=data["zh"],
                    en=data["en"],
                    sort_order=data["sort_order"],
                    active=data["active"],
                    actor=request.user,
                )
            except CaseError as exc:
                form.add_case_error(exc)
            else:
                messages.success(request, _("Advice saved."))
                return redirect(reverse("cases:debtor_types") + "#advice")
        status = 400
    else:
        initial = (
            {
                "code": instance.code,
                "zh": instance.zh,
                "en": instance.en,
                "sort_order": instance.sort_order,
                "active": instance.active,
            }
            if instance
            else None
        )
        form = AdviceForm(initial=initial)
        if instance is not None:
            form.fields["code"].disabled = True
    return render(
        request, "cases/advice_form.html", {"form": form, "instance": instance}, status=status
    )
