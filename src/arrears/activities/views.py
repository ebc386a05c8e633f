"""The activities panel of the case page, its "log an outcome" form and corrections.

Thin: parse, call a selector or service, render or redirect. The panel shows on the case page
(cases:detail) through cases.panels; the forms post here and go back there. A refused form is
shown on the case's activities page with the errors on the fields (400; 409 when the rule
pack refused the contact). A case outside the user's scope is a 404; a role that may not log
is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from arrears.activities import selectors, services
from arrears.activities.errors import ActivityError, ActivityInvalid, ContactRefused
from arrears.activities.forms import CorrectForm, LogForm, NoteForm
from arrears.activities.models import Activity, Channel, Outcome
from arrears.core.audit import request_ip
from arrears.core.scoping import show_phone

PANEL_ENTRIES = 20
PAGE_SIZE = 50


def case_url(case_id: int, anchor: str = "panel-activities") -> str:
    """The case page (the cases app's), at the activities panel."""
    try:
        url = reverse("cases:detail", args=[case_id])
    except NoReverseMatch:
        url = f"/cases/{case_id}/"
    return f"{url}#{anchor}" if anchor else url


def _case(user, case_id: int):
    from arrears.cases.selectors import case_for_user

    return case_for_user(user, case_id)


def may_log(user, case) -> bool:
    return (
        user.is_authenticated
        and not user.is_read_only
        and user.can(services.WORK_CAPABILITY)
        and services.case_takes_entries(case)
    )


def _decorate(user, case, activity: Activity) -> Activity:
    activity.who_label = selectors.reached_label(activity, case.borrower.name)
    activity.masked_number = show_phone(user, activity.number)
    activity.local_time = timezone.localtime(activity.occurred_at)
    return activity


def _entries(user, case, timeline, *, forms: dict | None = None, can_log: bool = False):
    forms = forms or {}
    for entry in timeline:
        _decorate(user, case, entry.activity)
        for old in entry.history:
            _decorate(user, case, old)
        if can_log:
            entry.correct_form = forms.get(entry.activity.pk) or CorrectForm(
                activity=entry.activity
            )
    return timeline


def panel_context(
    request: HttpRequest,
    case,
    *,
    form: LogForm | None = None,
    fix=None,
    note_form: NoteForm | None = None,
) -> dict:
    """The activities section of the case page (cases.panels): the timeline, newest first,
    corrections shown with what they replaced, and the quick form."""
    user = request.user
    can_log = may_log(user, case)
    timeline = selectors.case_timeline(case)
    shown = timeline[:PANEL_ENTRIES]
    return {
        "case": case,
        "entries": _entries(
            user, case, shown, forms={fix.activity.pk: fix} if fix else None, can_log=can_log
        ),
        "total": len(timeline),
        "more": len(timeline) > len(shown),
        "form": form or (LogForm(user=user, case=case) if can_log else None),
        "note_form": note_form or (NoteForm() if can_log else None),
        "can_log": can_log,
        "page_url": reverse("activities:case", args=[case.pk]),
    }


def _render_page(request, case, *, form=None, fix=None, note_form=None, status=200) -> HttpResponse:
    user = request.user
    can_log = may_log(user, case)
    timeline = selectors.case_timeline(case)
    page = Paginator(timeline, PAGE_SIZE).get_page(request.GET.get("page"))
    panel = panel_context(request, case, form=form, fix=fix, note_form=note_form)
    panel["entries"] = _entries(
        user,
        case,
        list(page.object_list),
        forms={fix.activity.pk: fix} if fix else None,
        can_log=can_log,
    )
    panel["more"] = False
    if fix is not None and fix.errors and fix.activity.pk not in {e.activity.pk for e in timeline}:
        # A correction of a version that is no longer the latest: no form to show it on.
        panel["errors"] = [e for errors in fix.errors.values() for e in errors]
    context = {"panel": panel, "case": case, "page": page, "back_url": case_url(case.pk)}
    return render(request, "activities/case_activities.html", context, status=status)


@require_safe
@login_required
def case_activities(request: HttpRequest, case_id: int) -> HttpResponse:
    """Every entry of a case on a page of its own (and where a refused form is shown)."""
    return _render_page(request, _case(request.user, case_id))


def _require_log(user) -> None:
    if user.is_read_only or not user.can(services.WORK_CAPABILITY):
        raise PermissionDenied(_("Your role may not record activities."))


def _attachments(form: LogForm) -> list[services.Attachment]:
    upload = form.cleaned_data.get("attachment")
    if not upload:
        return []
    return [
        services.Attachment(
            fileobj=upload,
            filename=upload.name,
            declared_type=upload.content_type,
            category_code=form.cleaned_data["attachment_category"],
        )
    ]


def _warned(request, activity: Activity) -> None:
    text = _("Logged.")
    if activity.warnings:
        from arrears.compliance.messages import rule_message

        rules = "; ".join(rule_message(w) for w in activity.warnings)
        messages.warning(request, _("Logged, with warnings: %(rules)s") % {"rules": rules})
    else:
        messages.success(request, text)


@require_POST
@login_required
def log_outcome(request: HttpRequest, case_id: int) -> HttpResponse:
    _require_log(request.user)
    user = request.user
    case = _case(user, case_id)
    form = LogForm(request.POST, request.FILES, user=user, case=case)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            activity = _log(request, case, form, data)
        except ContactRefused as exc:
            form.show_error(exc)
            status = 409
        except ActivityInvalid as exc:
            form.show_error(exc)
        except ActivityError as exc:  # ActivityForbidden: checked above, a race only
            raise PermissionDenied(str(exc)) from exc
        else:
            _warned(request, activity)
            return redirect(case_url(case.pk))
    return _render_page(request, case, form=form, status=status)


@require_POST
@login_required
def add_note(request: HttpRequest, case_id: int) -> HttpResponse:
    """The quick note: an entry on the timeline with channel and outcome "other", timed now."""
    _require_log(request.user)
    user = request.user
    case = _case(user, case_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.activity_log(
                case=case,
                channel=Channel.OTHER,
                outcome=Outcome.OTHER,
                occurred_at=timezone.now(),
                actor=user,
                source="web",
                note=form.cleaned_data["note"],
                ip=request_ip(request),
            )
        except (ActivityInvalid, ContactRefused) as exc:
            form.show_error(exc)
        except ActivityError as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(request, _("Note added."))
            return redirect(case_url(case.pk))
    return _render_page(request, case, note_form=form, status=400)


def _log(request, case, form: LogForm, data: dict) -> Activity:
    from arrears.book.errors import BookError
    from arrears.book.pii import RevealRefused, dial_number

    user = request.user
    try:
        number, contact, guarantor = dial_number(user, case.borrower, data["target"])
    except (BookError, Http404, RevealRefused) as exc:
        raise ActivityInvalid("target", _("Choose who was reached from the list.")) from exc
    if data["channel"] not in (Channel.CALL, Channel.SMS):
        number = ""  # a visit or letter reaches a person, not a number
    return services.outcome_log(
        case=case,
        channel=data["channel"],
        outcome=data["outcome"],
        occurred_at=data["occurred_at"] or timezone.now(),
        actor=user,
        source="web",
        direction=data["direction"],
        contact=contact,
        guarantor=guarantor,
        number=number,
        purpose=data["purpose"],
        duration_seconds=data["duration_seconds"],
        default_reason=data["default_reason"],
        note=data["note"],
        participants=data["participants"],
        recording_ref=data["recording_ref"],
        next_action_at=data["next_action_at"],
        override_reason=data.get("override_reason", ""),
        promise_amount_fen=data["promise_amount"],
        promised_on=data["promised_on"],
        attachments=_attachments(form),
        ip=request_ip(request),
    )


@require_POST
@login_required
def correct(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Correct an entry: a new entry with the outcome, reason, duration and note corrected."""
    _require_log(request.user)
    user = request.user
    original = selectors.activities_for(user).filter(pk=activity_id).first()
    if original is None:
        raise Http404(_("No such activity."))
    case = _case(user, original.case_id)
    form = CorrectForm(request.POST, activity=original)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.activity_log(
                case=case,
                channel=original.channel,
                outcome=data["outcome"],
                occurred_at=original.occurred_at,
                actor=user,
                source="web",
                direction=original.direction,
                contact=original.contact,
                guarantor=original.guarantor,
                number=original.number,
                purpose=original.purpose,
                duration_seconds=data["duration_seconds"],
                default_reason=data["default_reason"],
                note=data["note"],
                participants=original.participants,
                recording_ref=original.recording_ref,
                next_action_at=original.next_action_at,
                corrects=original,
                ip=request_ip(request),
            )
        except ContactRefused as exc:
            form.show_error(exc)
            status = 409
        except ActivityInvalid as exc:
            form.show_error(exc)
        else:
            _warned(request, activity)
            return redirect(case_url(case.pk))
    return _render_page(request, case, fix=form, status=status)


# --- recorded facts (activities.recorded) --------------------------------------------------


def facts_panel_context(request: HttpRequest, case, *, form=None) -> dict:
    """The "What the debtor told us" section of the case page: the facts the rules read,
    withdrawn ones struck through, and the form to record one; the guarantees' periods."""
    from arrears.activities.forms import FactForm, FactWithdrawForm
    from arrears.activities.guarantees import loan_guarantees
    from arrears.activities.models import RecordedFact
    from arrears.core.dates import local_today

    can = may_log(request.user, case)
    facts = list(
        RecordedFact.objects.filter(borrower_id=case.borrower_id)
        .select_related("contact", "guarantor", "recorded_by")
        .order_by("-happened_on", "-id")
    )
    return {
        "case": case,
        "facts": facts,
        "form": form or (FactForm(case=case) if can else None),
        "withdraw_form": FactWithdrawForm() if can else None,
        "guarantees": loan_guarantees(case.loan, as_of=local_today()),
    }


@require_POST
@login_required
def fact_add(request: HttpRequest, case_id: int) -> HttpResponse:
    from arrears.activities.forms import FactForm
    from arrears.activities.recorded import fact_record

    _require_log(request.user)
    case = _case(request.user, case_id)
    form = FactForm(request.POST, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            fact_record(
                case=case,
                kind=data["kind"],
                on=data["on"],
                contact=form.contacts.get(data["contact"]) if data["contact"] else None,
                guarantor=form.guarantors.get(data["guarantor"]) if data["guarantor"] else None,
                channel=data["channel"] or "",
                starts=data["starts"],
                ends=data["ends"],
                note=data["note"],
                actor=request.user,
                source="web",
                ip=request_ip(request),
            )
        except ActivityInvalid as exc:
            form.show_error(exc)
        except ActivityError as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(request, _("Recorded."))
            return redirect(case_url(case.pk, "facts"))
    messages.error(
        request,
        _("Not recorded: %(errors)s")
        % {
            "errors": "; ".join(
                f"{form.fields[f].label if f in form.fields else ''} {', '.join(e)}".strip()
                for f, e in form.errors.items()
            )
        },
    )
    return redirect(case_url(case.pk, "facts"))


@require_POST
@login_required
def fact_withdraw_view(request: HttpRequest, fact_id: int) -> HttpResponse:
    from arrears.activities.forms import FactWithdrawForm
    from arrears.activities.models import RecordedFact
    from arrears.activities.recorded import fact_withdraw

    _require_log(request.user)
    fact = RecordedFact.objects.filter(pk=fact_id).first()
    if fact is None:
        raise Http404(_("No such fact."))
    case = _case(request.user, fact.case_id)  # scoped: a 404 outside the user's cases
    form = FactWithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why it no longer holds."))
        return redirect(case_url(case.pk, "facts"))
    try:
        fact_withdraw(
            fact=fact,
            reason=form.cleaned_data["reason"],
            actor=request.user,
            source="web",
            ip=request_ip(request),
        )
    except ActivityInvalid as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Withdrawn."))
    return redirect(case_url(case.pk, "facts"))
