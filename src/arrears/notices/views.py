"""Pages of the notices app: the case panel (issue, serve, deliver, sign), a notice's page, its
PDF, and template management for managers.

Thin: parse, call a selector or service, render. A notice or case outside the user's scope is
a 404; a write the role may not do is a 403, checked before anything is looked up. A refused
form is shown again with the error on its field (on the notice's or the case's notices page).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from arrears.core.audit import request_ip
from arrears.documents.caselinks import case_for, case_url
from arrears.documents.responses import document_response
from arrears.documents.services import DocumentMissing
from arrears.notices import selectors, services
from arrears.notices.errors import NoticeInvalid, TemplateRefused
from arrears.notices.forms import DeliverForm, IssueForm, ServeForm, SignForm, TemplateForm
from arrears.notices.models import Notice, NoticeTemplate


def _can(user, capability: str) -> bool:
    return user.is_authenticated and not user.is_read_only and user.can(capability)


def _require(user, capability: str, message: str) -> None:
    if not _can(user, capability):
        raise PermissionDenied(message)


def _back(case) -> str:
    return case_url(case, "notices:case")


def _with_forms(user, notice: Notice, **bound) -> Notice:
    """Attach the forms the notice's next step needs (a bound one when it was refused)."""
    notice.serve_form = notice.deliver_form = notice.sign_form = None
    if not _can(user, "notice.serve"):
        return notice
    prefix = f"n{notice.pk}"
    if notice.served_on is None:
        notice.serve_form = bound.get("serve") or ServeForm(prefix=f"{prefix}-serve")
    else:
        if notice.delivered_on is None and notice.signed_on is None:
            notice.deliver_form = bound.get("deliver") or DeliverForm(prefix=f"{prefix}-deliver")
        if notice.signed_on is None:
            notice.sign_form = bound.get("sign") or SignForm(prefix=f"{prefix}-sign")
    return notice


def _issue_form(user, data=None) -> IssueForm | None:
    if not _can(user, "notice.issue"):
        return None
    templates = list(selectors.templates_active())
    if not templates:
        return None
    return IssueForm(data, templates=templates, prefix="issue")


def panel_context(request: HttpRequest, case) -> dict:
    """The notices section of the case page (cases.panels)."""
    user = request.user
    return {
        "case": case,
        "notices": [_with_forms(user, n) for n in selectors.case_notices(user, case)],
        "issue_form": _issue_form(user) if case.status == "open" else None,
    }


def _render_case(request, case, issue_form=None, status=200) -> HttpResponse:
    panel = panel_context(request, case)
    if issue_form is not None:
        panel["issue_form"] = issue_form
    return render(
        request,
        "notices/case_notices.html",
        {"panel": panel, "case": case, "back_url": _back(case)},
        status=status,
    )


@require_safe
@login_required
def case_notices(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case's notices on a page of their own (and where a refused issue is shown)."""
    return _render_case(request, case_for(request.user, case_id))


@require_POST
@login_required
def case_issue(request: HttpRequest, case_id: int) -> HttpResponse:
    _require(request.user, "notice.issue", _("Your role may not issue notices."))
    case = case_for(request.user, case_id)
    form = _issue_form(request.user, request.POST)
    if form is None:
        raise Http404(_("No notice template is active."))
    if form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.notice_issue(
                case=case,
                template=data["template"],
                as_of=data["as_of"],
                pay_by=data["pay_by"],
                actor=request.user,
                source="web",
            )
        except NoticeInvalid as exc:
            form.add_invalid(exc)
        else:
            messages.success(request, _("Notice %(number)s issued.") % {"number": notice.number})
            return redirect(_back(case))
    return _render_case(request, case, issue_form=form, status=400)


def _render_notice(request, notice: Notice, status=200, **bound) -> HttpResponse:
    return render(
        request,
        "notices/notice_detail.html",
        {"notice": _with_forms(request.user, notice, **bound), "back_url": _back(notice.case)},
        status=status,
    )


@require_safe
@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_notice(request, selectors.notice_for_user(request.user, pk))


def _step(request: HttpRequest, pk: int, form_class, key: str, call) -> HttpResponse:
    _require(request.user, "notice.serve", _("Your role may not record the serving of notices."))
    notice = selectors.notice_for_user(request.user, pk)
    form = form_class(request.POST, request.FILES, prefix=f"n{notice.pk}-{key}")
    if form.is_valid():
        try:
            call(notice, form.cleaned_data)
        except NoticeInvalid as exc:
            form.add_invalid(exc)
        else:
            messages.success(request, _("Notice %(number)s updated.") % {"number": notice.number})
            return redirect(_back(notice.case))
    notice = selectors.notice_for_user(request.user, pk)
    return _render_notice(request, notice, status=400, **{key: form})


@require_POST
@login_required
def notice_serve(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        ServeForm,
        "serve",
        lambda notice, data: services.notice_serve(
            notice=notice,
            method=data["method"],
            served_on=data["served_on"],
            delivered_on=data["delivered_on"],
            actor=request.user,
            source="web",
        ),
    )


@require_POST
@login_required
def notice_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        DeliverForm,
        "deliver",
        lambda notice, data: services.notice_deliver(
            notice=notice, delivered_on=data["delivered_on"], actor=request.user, source="web"
        ),
    )


@require_POST
@login_required
def notice_sign(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        SignForm,
        "sign",
        lambda notice, data: services.notice_sign(
            notice=notice,
            signed_on=data["signed_on"],
            receipt=data["receipt"],
            receipt_filename=data["receipt"].name,
            receipt_type=data["receipt"].content_type,
            actor=request.user,
            source="web",
        ),
    )


@require_safe
@login_required
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter exactly as issued (an audited download of its document)."""
    notice = selectors.notice_for_user(request.user, pk)
    try:
        return document_response(
            notice.document, actor=request.user, source="web", ip=request_ip(request)
        )
    except DocumentMissing as exc:
        raise Http404(_("The file is missing from the document store.")) from exc


# --- templates ------------------------------------------------------------------------------


def _require_templates(user) -> None:
    _require(user, "notice.templates", _("Your role may not edit notice templates."))


def _findings_view(findings) -> list[dict]:
    zh = (get_language() or "").startswith("zh")
    return [
        {
            "rule_id": f.rule_id,
            "blocks": f.mode == "block",
            "text": f.text,
            "reason": f.reason_zh if zh else f.reason_en,
        }
        for f in findings
    ]


def _save_template(form: TemplateForm, call) -> tuple[NoticeTemplate | None, list]:
    """Run a template save; on refusal put the error on its field and return the findings."""
    try:
        return call(form.cleaned_data), []
    except TemplateRefused as exc:
        form.add_error(exc.field, _("The conduct lint refuses this text; see the findings."))
        return None, _findings_view(exc.findings)
    except NoticeInvalid as exc:
        form.add_invalid(exc)
        return None, []


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    """Every template's latest version, and a form to add one."""
    _require_templates(request.user)
    form = TemplateForm(request.POST or None, initial={"language": get_language() or "zh-hans"})
    findings: list = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            template, findings = _save_template(
                form,
                lambda d: services.template_create(
                    code=d["code"],
                    language=d["language"],
                    title=d["title"],
                    body=d["body"],
                    note=d["note"],
                    actor=request.user,
                ),
            )
            if template is not None:
                messages.success(request, _("Template %(code)s saved.") % {"code": template.code})
                return redirect("notices:template", pk=template.pk)
        status = 400
    active = {t.code: t for t in selectors.templates_active()}
    rows = [{"current": t, "active": active.get(t.code)} for t in selectors.templates_current()]
    return render(
        request,
        "notices/templates.html",
        {"rows": rows, "form": form, "findings": findings},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One version: its text and lint findings, the other versions, and the editor (saving
    makes the next version)."""
    _require_templates(request.user)
    template = get_object_or_404(NoticeTemplate, pk=pk)
    initial = {"language": template.language, "title": template.title, "body": template.body}
    form = TemplateForm(request.POST or None, initial=initial, revising=True)
    refused: list = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            new, refused = _save_template(
                form,
                lambda d: services.template_revise(
                    template=template,
                    language=d["language"],
                    title=d["title"],
                    body=d["body"],
                    note=d["note"],
                    actor=request.user,
                ),
            )
            if new is not None:
                messages.success(
                    request,
                    _("Saved as version %(version)s of %(code)s.")
                    % {"version": new.version, "code": new.code},
                )
                return redirect("notices:template", pk=new.pk)
        status = 400
    return render(
        request,
        "notices/template_detail.html",
        {
            "template": template,
            "versions": list(selectors.template_versions(template.code)),
            "findings": _findings_view(
                services.template_findings(title=template.title, body=template.body)
            ),
            "refused": refused,
            "form": form,
        },
        status=status,
    )


@require_POST
@login_required
def template_activate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_templates(request.user)
    template = get_object_or_404(NoticeTemplate, pk=pk)
    try:
        if request.POST.get("active") == "0":
            services.template_deactivate(template=template, actor=request.user)
            messages.success(request, _("Template deactivated."))
        else:
            services.template_activate(template=template, actor=request.user)
            messages.success(request, _("Template activated."))
    except TemplateRefused as exc:
        for finding in _findings_view(exc.findings):
            messages.error(
                request, f"{finding['rule_id']}: “{finding['text']}” — {finding['reason']}"
            )
    return redirect("notices:template", pk=template.pk)
